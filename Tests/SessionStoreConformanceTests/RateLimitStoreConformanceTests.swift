import Foundation
import SmartAuthCore
import SmartAuthTesting
import Testing

/// The rules every ``RateLimitStore`` must follow, checked against every store in ``AuthStoreFactory/all``.
///
/// Rate-limit decisions must equal ``GCRA/evaluate(storedTAT:now:limit:cost:)``: the tests replay scripted requests
/// against the store and against a ``GCRAModel`` that keeps the arrival time itself, and compare every decision.
@Suite struct RateLimitStoreConformanceTests {
    // MARK: - GCRA decisions

    @Test(arguments: AuthStoreFactory.all, RateLimitScript.all)
    func decisionsEqualTheReferenceGCRA(_ factory: AuthStoreFactory, _ script: RateLimitScript) async throws {
        let store = try await factory.make()
        let start = ManualClock().now()
        var model = GCRAModel()
        var allowed = 0
        var denied = 0
        for (index, step) in script.steps.enumerated() {
            let now = start.addingTimeInterval(step.at)
            let expected = model.acquire(limit: script.limit, cost: step.cost, at: now)
            let decision = try await store.acquire("client", limit: script.limit, cost: step.cost, at: now)
            #expect(decision == expected, "step \(index): \(step.cost) at +\(step.at)s")
            if expected.allowed { allowed += 1 } else { denied += 1 }
        }
        // Every script exercises both answers, so a store that always allows or always denies fails it.
        #expect(allowed > 0 && denied > 0)
    }

    @Test(arguments: AuthStoreFactory.all)
    func burstUpToTheLimitThenDeniedWithRetryAfterThenRecovers(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let limit = RateLimit(limit: 5, period: 10)  // one request every 2 s, bursts of 5

        // Values worked out by hand from the GCRA formulas, so that the reference itself is checked too.
        for used in 1...5 {
            let decision = try await store.acquire("ip:203.0.113.7", limit: limit, cost: 1, at: clock.now())
            #expect(
                decision
                    == RateLimitDecision(
                        allowed: true, limit: 5, remaining: 5 - used, resetAfter: Double(2 * used), retryAfter: nil
                    )
            )
        }
        let denied = try await store.acquire("ip:203.0.113.7", limit: limit, cost: 1, at: clock.now())
        #expect(denied == RateLimitDecision(allowed: false, limit: 5, remaining: 0, resetAfter: 10, retryAfter: 2))

        clock.advance(by: 1.5)
        let stillDenied = try await store.acquire("ip:203.0.113.7", limit: limit, cost: 1, at: clock.now())
        #expect(stillDenied.allowed == false)
        #expect(stillDenied.retryAfter == 0.5)
        #expect(stillDenied.resetAfter == 8.5)

        clock.advance(by: 0.5)  // one emission interval after the burst: exactly one more request
        let recovered = try await store.acquire("ip:203.0.113.7", limit: limit, cost: 1, at: clock.now())
        #expect(recovered == RateLimitDecision(allowed: true, limit: 5, remaining: 0, resetAfter: 10, retryAfter: nil))

        clock.advance(by: 10)  // a whole period of silence: a full burst again
        let full = try await store.acquire("ip:203.0.113.7", limit: limit, cost: 2, at: clock.now())
        #expect(full == RateLimitDecision(allowed: true, limit: 5, remaining: 3, resetAfter: 4, retryAfter: nil))
    }

    @Test(arguments: AuthStoreFactory.all)
    func keysAreIndependent(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let now = ManualClock().now()
        let limit = RateLimit(limit: 3, period: 60)
        for _ in 0..<3 { _ = try await store.acquire("user:ada", limit: limit, cost: 1, at: now) }
        #expect(try await store.acquire("user:ada", limit: limit, cost: 1, at: now).allowed == false)

        let other = try await store.acquire("user:grace", limit: limit, cost: 1, at: now)
        #expect(other == RateLimitDecision(allowed: true, limit: 3, remaining: 2, resetAfter: 20, retryAfter: nil))
        // A key that extends another is another key.
        #expect(try await store.acquire("user:ada2", limit: limit, cost: 3, at: now).allowed)
        #expect(try await store.acquire("user:ad", limit: limit, cost: 3, at: now).allowed)
    }

    @Test(arguments: AuthStoreFactory.all)
    func resetRateLimitRestoresAFullBurst(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let now = ManualClock().now()
        let limit = RateLimit(limit: 4, period: 60)
        for _ in 0..<4 { _ = try await store.acquire("login:ada", limit: limit, cost: 1, at: now) }
        #expect(try await store.acquire("login:ada", limit: limit, cost: 1, at: now).allowed == false)

        try await store.resetRateLimit("login:ada")
        var remaining: [Int] = []
        for _ in 0..<5 {
            let decision = try await store.acquire("login:ada", limit: limit, cost: 1, at: now)
            if decision.allowed { remaining.append(decision.remaining) }
        }
        #expect(remaining == [3, 2, 1, 0])
        // Resetting a key that has no state is not an error.
        try await store.resetRateLimit("never-seen")
    }

    @Test(arguments: AuthStoreFactory.all)
    func concurrentAcquiresWithinOneInstantAllowExactlyTheLimit(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let now = ManualClock().now()
        let limit = RateLimit(limit: 100, period: 60)
        let decisions = try await race(500) { _ in try await store.acquire("hot", limit: limit, cost: 1, at: now) }

        let allowed = decisions.filter(\.allowed)
        #expect(allowed.count == 100)
        // Each allowed request saw the state left by the one before it: every remaining count exactly once.
        #expect(allowed.map(\.remaining).sorted() == Array(0..<100))
        #expect(decisions.filter { !$0.allowed }.allSatisfy { $0.retryAfter == 0.6 && $0.remaining == 0 })
        let after = try await store.acquire("hot", limit: limit, cost: 1, at: now)
        #expect(after == RateLimitDecision(allowed: false, limit: 100, remaining: 0, resetAfter: 60, retryAfter: 0.6))
    }

    @Test(arguments: AuthStoreFactory.all)
    func concurrentAcquiresOnManyKeysCountEachKeyExactly(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let now = ManualClock().now()
        let limit = RateLimit(limit: 10, period: 60)
        let decisions = try await race(400) { index in
            (index % 20, try await store.acquire("key-\(index % 20)", limit: limit, cost: 1, at: now))
        }
        for key in 0..<20 {
            let forKey = decisions.filter { $0.0 == key }.map(\.1)
            #expect(forKey.count == 20)
            #expect(forKey.filter(\.allowed).map(\.remaining).sorted() == Array(0..<10), "key-\(key)")
        }
    }

    // MARK: - failures

    @Test(arguments: AuthStoreFactory.all)
    func failuresCountWithinTheWindowOfTheLastOne(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let start = clock.now()
        let window: TimeInterval = 60
        #expect(try await store.failures("account:ada", at: start, window: window) == nil)

        // Each failure is within the window of the previous one, though the last is past the first's window.
        for (offset, count) in [(0.0, 1), (10, 2), (59, 3), (100, 4)] {
            let record = try await store.recordFailure("account:ada", at: start + offset, window: window)
            #expect(record == FailureRecord(count: count, lastFailureAt: start + offset))
        }
        let last = start + 100
        #expect(try await store.failures("account:ada", at: last, window: window)?.count == 4)
        #expect(
            try await store.failures("account:ada", at: last + 30, window: window)
                == FailureRecord(count: 4, lastFailureAt: last)
        )
        #expect(try await store.failures("account:ada", at: last + 59, window: window)?.count == 4)
        #expect(try await store.failures("account:grace", at: last + 30, window: window) == nil)

        // After the window the record is gone, and the next failure starts again at 1.
        #expect(try await store.failures("account:ada", at: last + 61, window: window) == nil)
        let restarted = try await store.recordFailure("account:ada", at: last + 120, window: window)
        #expect(restarted == FailureRecord(count: 1, lastFailureAt: last + 120))
        #expect(try await store.failures("account:ada", at: last + 121, window: window)?.count == 1)
    }

    @Test(arguments: AuthStoreFactory.all)
    func clearFailuresForgetsTheRecord(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let now = ManualClock().now()
        for _ in 0..<3 {
            _ = try await store.recordFailure("account:ada", at: now, window: 900)
            _ = try await store.recordFailure("account:grace", at: now, window: 900)
        }
        try await store.clearFailures("account:ada")
        #expect(try await store.failures("account:ada", at: now, window: 900) == nil)
        #expect(try await store.failures("account:grace", at: now, window: 900)?.count == 3)
        #expect(try await store.recordFailure("account:ada", at: now + 1, window: 900).count == 1)
        try await store.clearFailures("never-seen")
    }

    @Test(arguments: AuthStoreFactory.all)
    func rateLimitStateAndFailuresOfOneKeyAreSeparate(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let now = ManualClock().now()
        let limit = RateLimit(limit: 2, period: 60)
        for _ in 0..<2 { _ = try await store.acquire("ada", limit: limit, cost: 1, at: now) }
        for _ in 0..<2 { _ = try await store.recordFailure("ada", at: now, window: 60) }

        try await store.clearFailures("ada")
        #expect(try await store.acquire("ada", limit: limit, cost: 1, at: now).allowed == false)

        _ = try await store.recordFailure("ada", at: now, window: 60)
        try await store.resetRateLimit("ada")
        #expect(try await store.failures("ada", at: now, window: 60)?.count == 1)
        #expect(try await store.acquire("ada", limit: limit, cost: 1, at: now).remaining == 1)
    }

    @Test(arguments: AuthStoreFactory.all)
    func concurrentFailuresAreAllCounted(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let now = ManualClock().now()
        let records = try await race(500) { _ in try await store.recordFailure("account:ada", at: now, window: 900) }
        // Each call saw the count left by the one before it.
        #expect(records.map(\.count).sorted() == Array(1...500))
        #expect(try await store.failures("account:ada", at: now, window: 900)?.count == 500)
    }
}

// MARK: - Reference model and scripts

/// One key's rate-limit state as the reference keeps it: the theoretical arrival time, in microseconds.
struct GCRAModel {
    var tat: Int64?

    /// The decision ``GCRA`` makes for this request, and the state it leaves.
    mutating func acquire(limit: RateLimit, cost: Int, at now: Date) -> RateLimitDecision {
        let (decision, newTAT) = GCRA.evaluate(
            storedTAT: tat, now: GCRA.microseconds(now), limit: limit, cost: cost
        )
        if let newTAT { tat = newTAT }
        return decision
    }
}

/// Requests against one key under one limit: `cost` at `at` seconds after the start, in order.
struct RateLimitScript: Sendable, CustomTestStringConvertible {
    struct Step: Sendable {
        var at: TimeInterval
        var cost: Int = 1
    }

    let name: String
    let limit: RateLimit
    let steps: [Step]

    var testDescription: String { name }

    static let all: [RateLimitScript] = [
        RateLimitScript(
            name: "10 per minute: burst, denial, recovery",
            limit: RateLimit(limit: 10, period: 60),
            steps: Array(repeating: Step(at: 0), count: 12) + [
                Step(at: 5.999), Step(at: 6), Step(at: 6), Step(at: 11.5), Step(at: 12), Step(at: 30), Step(at: 30),
                Step(at: 30), Step(at: 30), Step(at: 30),
            ] + Array(repeating: Step(at: 200), count: 11)
        ),
        RateLimitScript(
            name: "cost above one",
            limit: RateLimit(limit: 10, period: 10),
            steps: [
                Step(at: 0, cost: 4), Step(at: 0, cost: 4), Step(at: 0, cost: 4), Step(at: 0, cost: 2),
                Step(at: 1, cost: 2), Step(at: 2, cost: 4), Step(at: 2, cost: 0), Step(at: 20, cost: 10),
                Step(at: 20, cost: 1), Step(at: 25, cost: 6), Step(at: 25, cost: 5), Step(at: 40, cost: 11),
                Step(at: 40, cost: 0),
            ]
        ),
        RateLimitScript(
            name: "period not divisible by the limit",
            limit: RateLimit(limit: 3, period: 10),
            steps: [
                Step(at: 0), Step(at: 0), Step(at: 0), Step(at: 0), Step(at: 3.333332), Step(at: 3.333333),
                Step(at: 3.333334), Step(at: 6.7), Step(at: 10.000001), Step(at: 10.5, cost: 2), Step(at: 10.5),
            ]
        ),
        RateLimitScript(
            name: "sub-second period",
            limit: RateLimit(limit: 5, period: 0.5),
            steps: Array(repeating: Step(at: 0), count: 6) + [
                Step(at: 0.05), Step(at: 0.1), Step(at: 0.1), Step(at: 0.35), Step(at: 1), Step(at: 1),
            ]
        ),
        RateLimitScript(
            name: "times between microseconds",
            limit: RateLimit(limit: 2, period: 0.000_003),
            steps: [
                Step(at: 0.000_000_4), Step(at: 0.000_000_9), Step(at: 0.000_001_2), Step(at: 0.000_001_6),
                Step(at: 0.000_002_9), Step(at: 0.000_003_1), Step(at: 0.000_003_1), Step(at: 0.000_003_1),
            ]
        ),
    ]
}
