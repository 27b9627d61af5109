import Foundation
import SmartAuthCore
import SmartAuthPostgresStore
import SmartAuthTesting
import Testing

@Suite struct RateLimitStoreTests {
    struct Step: Sendable {
        let offset: TimeInterval
        let cost: Int
    }

    struct Scenario: Sendable, CustomTestStringConvertible {
        let name: String
        let limit: RateLimit
        let steps: [Step]
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        Scenario(
            name: "burst then steady", limit: RateLimit(limit: 5, period: 10),
            steps: (0..<8).map { _ in Step(offset: 0, cost: 1) }
                + [2, 2.000001, 3.999999, 4, 4.5, 6, 30, 30, 30.1].map { Step(offset: $0, cost: 1) }),
        Scenario(
            name: "costs", limit: RateLimit(limit: 10, period: 1),
            steps: [Step(offset: 0, cost: 4), Step(offset: 0, cost: 7), Step(offset: 0.05, cost: 6),
                Step(offset: 0.35, cost: 3), Step(offset: 0.35, cost: 0), Step(offset: 0.4, cost: 11),
                Step(offset: 5, cost: 10), Step(offset: 5, cost: 1)]),
        Scenario(
            name: "odd period", limit: RateLimit(limit: 3, period: 0.7),
            steps: (0..<20).map { Step(offset: Double($0) * 0.1337, cost: 1) }),
        Scenario(
            name: "more than the limit at once", limit: RateLimit(limit: 2, period: 60),
            steps: [Step(offset: 0, cost: 3), Step(offset: 0, cost: 2), Step(offset: 0, cost: 1)]),
    ]

    @Test(arguments: scenarios)
    func decisionsEqualTheReferenceGCRA(_ scenario: Scenario) async throws {
        let store = try TestDatabase.store(poolSize: 1)
        let start = ManualClock().now().addingTimeInterval(0.123_456)
        var stored: Int64?
        for (index, step) in scenario.steps.enumerated() {
            let now = start.addingTimeInterval(step.offset)
            let expected = GCRA.evaluate(
                storedTAT: stored, now: GCRA.microseconds(now), limit: scenario.limit, cost: step.cost)
            if let newTAT = expected.newTAT { stored = newTAT }
            let decision = try await store.acquire("key", limit: scenario.limit, cost: step.cost, at: now)
            #expect(decision == expected.decision, "step \(index)")
        }
    }

    @Test func concurrentAcquiresAdmitExactlyTheLimit() async throws {
        let store = try TestDatabase.store()
        let now = ManualClock().now()
        let limit = RateLimit(limit: 50, period: 3600)
        let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<400 {
                group.addTask { try await store.acquire("login:ada", limit: limit, cost: 1, at: now).allowed }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(allowed == 50)
    }

    @Test func resetAndExpiryForgetTheKey() async throws {
        let store = try TestDatabase.store(poolSize: 1)
        let clock = ManualClock()
        let limit = RateLimit(limit: 3, period: 60)
        for _ in 0..<3 { _ = try await store.acquire("k", limit: limit, cost: 1, at: clock.now()) }
        #expect(try await store.acquire("k", limit: limit, cost: 1, at: clock.now()).allowed == false)
        #expect(try await store.acquire("other", limit: limit, cost: 1, at: clock.now()).remaining == 2)
        try await store.resetRateLimit("k")
        #expect(try await store.acquire("k", limit: limit, cost: 1, at: clock.now()).remaining == 2)

        // The key's arrival time is its expiry: a purge after it deletes the row, so even a request at the earlier
        // time then starts from a full burst.
        _ = try await store.purgeExpired(at: clock.now().addingTimeInterval(3600))
        #expect(try await store.acquire("k", limit: limit, cost: 1, at: clock.now()).remaining == 2)
    }

    @Test func aHugeCostIsAnInvalidArgumentNotATrap() async throws {
        let store = try TestDatabase.store(poolSize: 1)
        let error = await #expect(throws: SessionStoreError.self) {
            try await store.acquire("k", limit: RateLimit(limit: 1, period: 3600), cost: .max, at: Date())
        }
        #expect(error?.code == .invalidArgument)
    }

    // MARK: - Failures

    @Test func failuresCountWithinTheWindowAndRestartAfterIt() async throws {
        let store = try TestDatabase.store(poolSize: 1)
        let clock = ManualClock()
        let start = clock.now()
        #expect(try await store.failures("ada", at: start, window: 60) == nil)
        #expect(try await store.recordFailure("ada", at: start, window: 60) == FailureRecord(count: 1, lastFailureAt: start))
        let second = start.addingTimeInterval(10.25)
        #expect(try await store.recordFailure("ada", at: second, window: 60) == FailureRecord(count: 2, lastFailureAt: second))
        #expect(try await store.failures("ada", at: start.addingTimeInterval(69), window: 60)
            == FailureRecord(count: 2, lastFailureAt: second))
        // The record expires `window` after the last failure.
        let expiry = second.addingTimeInterval(60)
        #expect(try await store.failures("ada", at: expiry, window: 60) == nil)
        #expect(try await store.recordFailure("ada", at: expiry, window: 60) == FailureRecord(count: 1, lastFailureAt: expiry))
        #expect(try await store.failures("grace", at: expiry, window: 60) == nil)

        try await store.clearFailures("ada")
        #expect(try await store.failures("ada", at: expiry, window: 60) == nil)
    }

    @Test func concurrentFailuresAreAllCounted() async throws {
        let store = try TestDatabase.store()
        let now = ManualClock().now()
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<100 { group.addTask { try await store.recordFailure("ada", at: now, window: 900).count } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(Set(counts) == Set(1...100))
    }
}
