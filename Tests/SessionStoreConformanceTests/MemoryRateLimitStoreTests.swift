import Foundation
import SmartAuthCore
import SmartAuthTesting
import Testing

/// What only the in-memory rate-limit store promises, beyond the conformance suite: its bounds.
@Suite struct MemoryRateLimitStoreTests {
    @Test func expiredEntriesAreRemovedWithoutAnyoneCallingPurge() async throws {
        let store = MemoryRateLimitStore(shardCount: 1)
        let clock = ManualClock()
        let limit = RateLimit(limit: 10, period: 10)  // one request's state lasts 1 s
        for index in 0..<1_000 {
            _ = try await store.acquire("ip-\(index)", limit: limit, cost: 1, at: clock.now())
            _ = try await store.recordFailure("account-\(index)", at: clock.now(), window: 5)
        }
        #expect(store.entryCount == 2_000)

        clock.advance(by: 5)
        // Ordinary traffic on other keys: each operation removes up to 32 expired entries.
        for _ in 0..<62 { _ = try await store.failures("unknown", at: clock.now(), window: 5) }
        #expect(store.entryCount == 2_000 - 62 * 32)
        _ = try await store.failures("unknown", at: clock.now(), window: 5)
        #expect(store.entryCount == 0)
        #expect(try await store.purgeExpired(at: clock.now()) == 0)
    }

    @Test func purgeExpiredRemovesExactlyTheExpiredEntries() async throws {
        let store = MemoryRateLimitStore(shardCount: 4)
        let clock = ManualClock()
        for index in 0..<100 {
            // TATs 1 s, 2 s, … 100 s after the start.
            _ = try await store.acquire("ip-\(index)", limit: RateLimit(limit: 1, period: Double(index + 1)), cost: 1,
                at: clock.now())
        }
        #expect(try await store.purgeExpired(at: clock.now().addingTimeInterval(40)) == 40)
        #expect(store.entryCount == 60)
        // An entry expires at its TAT exactly, when it no longer changes any answer.
        let survivor = try await store.acquire("ip-40", limit: RateLimit(limit: 1, period: 41), cost: 1,
            at: clock.now().addingTimeInterval(40))
        #expect(survivor.allowed == false)
        #expect(survivor.retryAfter == 1)
    }

    @Test func aFloodOfDistinctKeysStaysWithinTheCapAndEvictsTheEntriesClosestToExpiry() async throws {
        let store = MemoryRateLimitStore(shardCount: 1, maximumEntries: 100)
        let now = ManualClock().now()
        // The key under attack has used its whole burst: its state lasts 60 s.
        let login = RateLimit(limit: 5, period: 60)
        for _ in 0..<5 { _ = try await store.acquire("login:ada", limit: login, cost: 1, at: now) }
        _ = try await store.recordFailure("account:ada", at: now, window: 900)

        // 10,000 distinct keys whose state lasts 1 s each.
        let flood = RateLimit(limit: 60, period: 60)
        for index in 0..<10_000 { _ = try await store.acquire("flood-\(index)", limit: flood, cost: 1, at: now) }
        #expect(store.entryCount == 100)

        // The entries that last longest survived.
        #expect(try await store.acquire("login:ada", limit: login, cost: 1, at: now).allowed == false)
        #expect(try await store.failures("account:ada", at: now, window: 900)?.count == 1)
    }

    @Test func aFullShardEvictsExpiredEntriesBeforeLiveOnes() async throws {
        let store = MemoryRateLimitStore(shardCount: 1, maximumEntries: 3)
        let clock = ManualClock()
        let start = clock.now()
        _ = try await store.acquire("long", limit: RateLimit(limit: 1, period: 100), cost: 1, at: start)
        _ = try await store.acquire("short", limit: RateLimit(limit: 1, period: 1), cost: 1, at: start)
        _ = try await store.acquire("medium", limit: RateLimit(limit: 1, period: 50), cost: 1, at: start)
        clock.advance(by: 2)
        _ = try await store.acquire("new", limit: RateLimit(limit: 1, period: 10), cost: 1, at: clock.now())
        #expect(store.entryCount == 3)
        for key in ["long", "medium", "new"] {
            let decision = try await store.acquire(key, limit: RateLimit(limit: 1, period: 100), cost: 0,
                at: clock.now())
            #expect(decision.remaining == 0, "\(key)")
        }
    }

    @Test(arguments: InvalidRateLimitCall.all)
    func argumentsOutOfRangeFailWithInvalidArgumentAndStoreNothing(_ call: InvalidRateLimitCall) async throws {
        let store = MemoryRateLimitStore(maximumKeyLength: 64)
        let error = await #expect(throws: SessionStoreError.self) { try await call.run(store) }
        #expect(error?.code == .invalidArgument)
        #expect(store.entryCount == 0)
    }

    @Test func withinRangeExtremesDoNotTrap() async throws {
        let store = MemoryRateLimitStore()
        let now = ManualClock().now()
        let longest = RateLimit(limit: 1, period: 1_000_000_000)
        #expect(try await store.acquire("k", limit: longest, cost: 1, at: now).allowed)
        let denied = try await store.acquire("k", limit: longest, cost: 4_000, at: now)
        #expect(denied.allowed == false)
        let record = try await store.recordFailure("f", at: now, window: 1_000_000_000)
        #expect(record.count == 1)
        #expect(try await store.acquire(String(repeating: "k", count: 1024), limit: longest, cost: 1, at: now).allowed)
    }
}

/// A call that the memory store must reject, named for the test report.
struct InvalidRateLimitCall: Sendable, CustomTestStringConvertible {
    let name: String
    let run: @Sendable (MemoryRateLimitStore) async throws -> Void

    var testDescription: String { name }

    private static let now = Date(timeIntervalSince1970: 1_893_456_000)
    private static let limit = RateLimit(limit: 10, period: 60)

    private static func acquire(_ name: String, limit: RateLimit = limit, cost: Int = 1, at now: Date = now)
        -> InvalidRateLimitCall
    {
        InvalidRateLimitCall(name: name) { _ = try await $0.acquire("key", limit: limit, cost: cost, at: now) }
    }

    private static func recordFailure(_ name: String, window: TimeInterval = 60, at now: Date = now)
        -> InvalidRateLimitCall
    {
        InvalidRateLimitCall(name: name) { _ = try await $0.recordFailure("key", at: now, window: window) }
    }

    static let all: [InvalidRateLimitCall] = [
        InvalidRateLimitCall(name: "key too long") {
            _ = try await $0.acquire(String(repeating: "k", count: 65), limit: limit, cost: 1, at: now)
        },
        InvalidRateLimitCall(name: "failure key too long") {
            _ = try await $0.recordFailure(String(repeating: "é", count: 33), at: now, window: 60)
        },
        acquire("limit 0", limit: RateLimit(limit: 0, period: 60)),
        acquire("negative limit", limit: RateLimit(limit: -1, period: 60)),
        acquire("period 0", limit: RateLimit(limit: 10, period: 0)),
        acquire("period below 1 µs", limit: RateLimit(limit: 10, period: 0.000_000_5)),
        acquire("negative period", limit: RateLimit(limit: 10, period: -60)),
        acquire("NaN period", limit: RateLimit(limit: 10, period: .nan)),
        acquire("infinite period", limit: RateLimit(limit: 10, period: .infinity)),
        acquire("period of 100 years", limit: RateLimit(limit: 10, period: 3_155_760_000)),
        acquire("negative cost", cost: -1),
        acquire("cost that overflows", cost: .max),
        acquire("NaN time", at: Date(timeIntervalSince1970: .nan)),
        acquire("time far in the future", at: Date(timeIntervalSince1970: 1e15)),
        recordFailure("negative window", window: -1),
        recordFailure("NaN window", window: .nan),
        recordFailure("infinite window", window: .infinity),
        recordFailure("failure time far in the past", at: Date(timeIntervalSince1970: -1e15)),
        InvalidRateLimitCall(name: "failures with infinite window") {
            _ = try await $0.failures("key", at: now, window: .infinity)
        },
    ]
}
