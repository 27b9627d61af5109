import Foundation
import SmartAuthCore
import SmartAuthTesting
import Testing

@testable import SmartAuthRedisStore

/// ``RateLimitStore`` on Redis: GCRA decisions identical to the reference, atomic under concurrency; failure
/// records with their window.
@Suite struct RedisStoreRateLimitStoreTests {
    struct Scenario: Sendable, CustomTestStringConvertible {
        let name: String
        let limit: RateLimit
        /// Seconds after the start, and cost.
        let requests: [(at: Double, cost: Int)]
        var testDescription: String { name }
    }

    /// The periods are long on purpose: Redis drops a counter (relatively) one second after its theoretical
    /// arrival time in real time, so a scenario whose logical steps are shorter than the real time a loaded test
    /// machine takes between two calls would test the machine's speed, not the arithmetic. Fractions of a
    /// microsecond and uneven emission intervals are still covered.
    static let scenarios: [Scenario] = [
        Scenario(
            name: "5 per 1000 s, a burst then a trickle", limit: RateLimit(limit: 5, period: 1000),
            requests: [
                (0, 1), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1), (50, 1), (199.9999, 1), (200, 1), (200.0001, 1),
                (300, 1), (1000, 1), (3000, 1), (3000, 5), (3000, 1), (3199.999999, 1),
            ]),
        Scenario(
            name: "3 per 600 s with costs", limit: RateLimit(limit: 3, period: 600),
            requests: [
                (0, 2), (0, 2), (199.999999, 1), (200, 1), (240, 3), (720, 3), (720, 0), (3000, 4), (3000, 3),
                (3000.000001, 1),
            ]),
        Scenario(
            name: "7 per 100 s (uneven emission)", limit: RateLimit(limit: 7, period: 100),
            requests: (0..<40).map { (Double($0) * 4.000_001, 1) }),
        Scenario(
            name: "100 per hour", limit: RateLimit(limit: 100, period: 3600),
            requests: (0..<120).map { (Double($0) * 7.3, 1 + $0 % 2) }),
        Scenario(
            name: "limit 0 and a period shorter than a microsecond per request",
            limit: RateLimit(limit: 0, period: 0.0000005),
            requests: [(0, 1), (0, 1), (0.000001, 1)]),
    ]

    @Test(arguments: scenarios)
    func decisionsEqualTheReference(_ scenario: Scenario) async throws {
        let store = try LiveRedis.store()
        let start = ManualClock().now().addingTimeInterval(0.123_456)
        var storedTAT: Int64?
        for (index, request) in scenario.requests.enumerated() {
            let now = start.addingTimeInterval(request.at)
            let reference = GCRA.evaluate(
                storedTAT: storedTAT, now: GCRA.microseconds(now), limit: scenario.limit, cost: request.cost)
            if let newTAT = reference.newTAT { storedTAT = newTAT }
            let decision = try await store.acquire("client", limit: scenario.limit, cost: request.cost, at: now)
            #expect(decision == reference.decision, "request \(index) at +\(request.at)s, cost \(request.cost)")
        }
    }

    @Test func concurrentAcquiresAllowExactlyTheLimit() async throws {
        let store = try LiveRedis.store()
        let now = ManualClock().now()
        let limit = RateLimit(limit: 25, period: 60)
        let decisions = try await race(300) { _ in
            try await store.acquire("login:ada", limit: limit, cost: 1, at: now)
        }
        #expect(decisions.filter(\.allowed).count == 25)
        #expect(Set(decisions.filter(\.allowed).map(\.remaining)) == Set(0..<25))
    }

    @Test func counterExpiresAtItsTheoreticalArrivalTimeAndResetForgetsIt() async throws {
        let store = try LiveRedis.store()
        let now = ManualClock().now()
        let limit = RateLimit(limit: 10, period: 100)
        for _ in 0..<3 { _ = try await store.acquire("k", limit: limit, cost: 1, at: now) }
        // Three emissions of 10 s: the counter is worth keeping 30 s (plus the one-second margin).
        let ttl = try await store.pttl(store.keys.rateLimit("k"))
        #expect((20_000...31_000).contains(ttl))
        #expect(try await store.acquire("other", limit: limit, cost: 1, at: now).remaining == 9)

        try await store.resetRateLimit("k")
        #expect(try await store.raw("EXISTS", store.keys.rateLimit("k")) == .integer(0))
        #expect(try await store.acquire("k", limit: limit, cost: 1, at: now).remaining == 9)
    }

    @Test func outOfRangeAmountsAreRefusedRatherThanRounded() async throws {
        let store = try LiveRedis.store()
        let now = ManualClock().now()
        let tooCostly = await #expect(throws: SessionStoreError.self) {
            try await store.acquire("k", limit: RateLimit(limit: 1, period: 3600), cost: Int.max, at: now)
        }
        #expect(tooCostly?.code == .invalidArgument)
        let badPeriod = await #expect(throws: SessionStoreError.self) {
            try await store.acquire("k", limit: RateLimit(limit: 1, period: .infinity), cost: 1, at: now)
        }
        #expect(badPeriod?.code == .invalidArgument)
    }

    // MARK: - Failures

    @Test func failuresCountWithinTheWindowAndRestartAfterIt() async throws {
        let store = try LiveRedis.store()
        let clock = ManualClock()
        let start = clock.now()
        #expect(
            try await store.recordFailure("ada", at: start, window: 60) == FailureRecord(count: 1, lastFailureAt: start)
        )
        clock.advance(by: 10)
        let second = clock.now()
        #expect(
            try await store.recordFailure("ada", at: second, window: 60)
                == FailureRecord(count: 2, lastFailureAt: second))
        #expect(
            try await store.failures("ada", at: second.addingTimeInterval(59.999), window: 60)
                == FailureRecord(count: 2, lastFailureAt: second))
        #expect(try await store.failures("ada", at: second.addingTimeInterval(60), window: 60) == nil)
        #expect(try await store.failures("nobody", at: second, window: 60) == nil)

        // The record expires `window` (plus the margin) after the last failure.
        let ttl = try await store.pttl(store.keys.failures("ada"))
        #expect((50_000...61_000).contains(ttl))

        // A failure a whole window after the last one starts again at 1.
        let late = second.addingTimeInterval(60)
        #expect(
            try await store.recordFailure("ada", at: late, window: 60) == FailureRecord(count: 1, lastFailureAt: late))
        try await store.clearFailures("ada")
        #expect(try await store.failures("ada", at: late, window: 60) == nil)
    }

    @Test func concurrentFailuresAreAllCounted() async throws {
        let store = try LiveRedis.store()
        let now = ManualClock().now()
        let counts = try await race(200) { _ in try await store.recordFailure("ada", at: now, window: 300).count }
        #expect(Set(counts) == Set(1...200))
        #expect(try await store.failures("ada", at: now, window: 300)?.count == 200)
    }
}
