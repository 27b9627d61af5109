import Foundation
import SmartAuthCore
import SmartAuthTesting
import Testing

@Suite struct RateLimiterTests {
    @Test func gcraArithmeticWithAnInjectedClock() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(store: MemoryRateLimitStore(), clock: clock)
        let limit = RateLimit(limit: 5, period: 10)  // one request per 2 s, bursts of 5
        var decisions: [RateLimitDecision] = []
        for _ in 0..<6 { decisions.append(try await limiter.acquire(.ip("203.0.113.7"), limit: limit)) }
        #expect(decisions.map(\.allowed) == [true, true, true, true, true, false])
        #expect(decisions.map(\.remaining) == [4, 3, 2, 1, 0, 0])
        #expect(decisions[5].retryAfter == 2)
        #expect(decisions[4].resetAfter == 10)
        clock.advance(by: 2)
        #expect(try await limiter.acquire(.ip("203.0.113.7"), limit: limit).allowed)
        #expect(try await limiter.acquire(.ip("203.0.113.7"), limit: limit).allowed == false)
        // Another key has its own budget.
        #expect(try await limiter.acquire(.ip("203.0.113.8"), limit: limit).remaining == 4)
        // A cost larger than the burst is never allowed.
        #expect(try await limiter.acquire(.ip("198.51.100.1"), limit: limit, cost: 6).allowed == false)
    }

    @Test func exactUnderConcurrency() async throws {
        let limiter = RateLimiter(store: MemoryRateLimitStore(), clock: ManualClock())
        let allowed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<500 {
                group.addTask { (try? await limiter.acquire(.account("a@example.com"), limit: RateLimit(limit: 100, period: 60)).allowed) ?? false }
            }
            var count = 0
            for await result in group where result { count += 1 }
            return count
        }
        #expect(allowed == 100)
    }

    @Test func failureModes() async throws {
        let down = RateLimiter(store: UnavailableCounters(), clock: ManualClock())
        let closed = await #expect(throws: AuthError.self) { try await down.acquire(.ip("1.2.3.4"), limit: RateLimit(limit: 1, period: 1)) }
        #expect(closed?.code == .storeUnavailable)
        let open = try await down.acquire(.ip("1.2.3.4"), limit: RateLimit(limit: 1, period: 1), failureMode: .open)
        #expect(open.allowed)
    }

    @Test func keysHashAccountsAndSeparateRoutes() {
        #expect(!RateLimitKey.account("Alice@Example.com").rawValue.contains("alice"))
        #expect(RateLimitKey.account("a@example.com") != RateLimitKey.account("b@example.com"))
        #expect(RateLimitKey.ip("1.2.3.4").route("login") != RateLimitKey.ip("1.2.3.4").route("token"))
        #expect(RateLimitKey.account("a@example.com", ip: "1.2.3.4").rawValue.hasSuffix(":1.2.3.4"))
    }

    @Test func headersFollowTheDraft() {
        let denied = RateLimitDecision(allowed: false, limit: 10, remaining: 0, resetAfter: 59.2, retryAfter: 5.5)
        let fields = RateLimitHeaders.fields(for: denied, limit: RateLimit(limit: 10, period: 60), name: "login")
        #expect(fields.map(\.0) == ["RateLimit-Policy", "RateLimit", "Retry-After"])
        #expect(fields.map(\.1) == ["\"login\";q=10;w=60", "\"login\";r=0;t=60", "6"])
        let allowed = RateLimitDecision(allowed: true, limit: 10, remaining: 9, resetAfter: 6, retryAfter: nil)
        #expect(RateLimitHeaders.fields(for: allowed, limit: RateLimit(limit: 10, period: 60)).count == 2)
    }
}

/// Counters that are down, for the limiter's failure modes.
struct UnavailableCounters: RateLimitStore {
    func acquire(_ key: String, limit: RateLimit, cost: Int, at now: Date) async throws(SessionStoreError) -> RateLimitDecision {
        throw .unavailable("down")
    }
    func resetRateLimit(_ key: String) async throws(SessionStoreError) { throw .unavailable("down") }
    func recordFailure(_ key: String, at now: Date, window: TimeInterval) async throws(SessionStoreError) -> FailureRecord {
        throw .unavailable("down")
    }
    func failures(_ key: String, at now: Date, window: TimeInterval) async throws(SessionStoreError) -> FailureRecord? {
        throw .unavailable("down")
    }
    func clearFailures(_ key: String) async throws(SessionStoreError) { throw .unavailable("down") }
}
