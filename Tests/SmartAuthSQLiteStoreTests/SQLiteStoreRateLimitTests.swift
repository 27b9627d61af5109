import Foundation
import SmartAuthCore
import SmartAuthTesting
import Testing

@testable import SmartAuthSQLiteStore

/// ``RateLimitStore`` on SQLite: GCRA decisions identical to ``GCRA/evaluate(storedTAT:now:limit:cost:)``, atomic per
/// key, expiring; failure records with their window.
@Suite struct SQLiteStoreRateLimitTests {
    static let start = Date(timeIntervalSince1970: 1_893_456_000)

    /// A sequence of requests against one limit: offsets from ``start`` in seconds, and costs.
    struct Sequence: Sendable, CustomTestStringConvertible {
        let name: String
        let limit: RateLimit
        let requests: [(offset: TimeInterval, cost: Int)]
        var testDescription: String { name }
    }

    static let sequences: [Sequence] = [
        Sequence(
            name: "burst of 7 against 5/s, then recovery", limit: RateLimit(limit: 5, period: 1),
            requests: (0..<7).map { _ in (0, 1) } + [(0.2, 1), (0.25, 1), (0.4, 1), (0.6, 2), (1.5, 1), (3, 1)]),
        Sequence(
            name: "costs above one and zero", limit: RateLimit(limit: 10, period: 60),
            requests: [(0, 4), (0, 4), (0, 4), (1, 0), (6, 1), (12, 3), (30, 10), (90, 10), (90, 1)]),
        Sequence(
            name: "fractional times, 3 per 0.5 s", limit: RateLimit(limit: 3, period: 0.5),
            requests: [(0.000_001, 1), (0.1, 1), (0.1, 1), (0.1, 1), (0.266_667, 1), (0.333_333, 1), (0.999_999, 2)]),
        Sequence(
            name: "period not divisible by limit", limit: RateLimit(limit: 7, period: 1),
            requests: (0..<10).map { (Double($0) * 0.05, 1) }),
        Sequence(
            name: "cost larger than the limit", limit: RateLimit(limit: 2, period: 10),
            requests: [(0, 3), (0, 2), (5, 1), (10, 1)]),
    ]

    @Test(arguments: sequences)
    func decisionsEqualTheReferenceGCRA(_ sequence: Sequence) async throws {
        try await withStore(configuration: .init(synchronous: .normal)) { store, _ async throws in
            var referenceTAT: Int64?
            for (index, request) in sequence.requests.enumerated() {
                let now = Self.start.addingTimeInterval(request.offset)
                let (expected, newTAT) = GCRA.evaluate(
                    storedTAT: referenceTAT, now: GCRA.microseconds(now), limit: sequence.limit, cost: request.cost)
                if let newTAT { referenceTAT = newTAT }
                let decision = try await store.acquire("k", limit: sequence.limit, cost: request.cost, at: now)
                #expect(decision == expected, "request \(index) at +\(request.offset)s cost \(request.cost)")
            }
        }
    }

    @Test func concurrentAcquiresAllowExactlyTheLimit() async throws {
        try await withStore(configuration: .init(synchronous: .normal)) { store, _ async throws in
            let limit = RateLimit(limit: 25, period: 60)
            let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<300 {
                    group.addTask {
                        try await store.acquire("login:ada", limit: limit, cost: 1, at: Self.start).allowed
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(allowed == 25)
            let after = try await store.acquire("login:ada", limit: limit, cost: 1, at: Self.start)
            #expect(!after.allowed && after.remaining == 0)
        }
    }

    @Test func concurrentAcquiresThroughTwoStoresOnOneFileAllowExactlyTheLimit() async throws {
        // Two stores on one file stand in for two processes: each has its own writer connection.
        try await withStore(configuration: .init(synchronous: .normal)) { first, path async throws in
            let second = try SQLiteStore(path: path, configuration: .init(synchronous: .normal))
            let limit = RateLimit(limit: 40, period: 60)
            let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<200 {
                    let store = index % 2 == 0 ? first : second
                    group.addTask {
                        try await store.acquire("ip:192.0.2.1", limit: limit, cost: 1, at: Self.start).allowed
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            await second.close()
            #expect(allowed == 40)
        }
    }

    @Test func keysAreIndependentAndResetForgetsOne() async throws {
        try await withStore { store, _ async throws in
            let limit = RateLimit(limit: 1, period: 60)
            #expect(try await store.acquire("a", limit: limit, cost: 1, at: Self.start).allowed)
            #expect(try await store.acquire("a", limit: limit, cost: 1, at: Self.start).allowed == false)
            #expect(try await store.acquire("b", limit: limit, cost: 1, at: Self.start).allowed)
            try await store.resetRateLimit("a")
            #expect(try await store.acquire("a", limit: limit, cost: 1, at: Self.start).allowed)
            #expect(try await store.acquire("b", limit: limit, cost: 1, at: Self.start).allowed == false)
        }
    }

    @Test func expiredStatesAreDeleted() async throws {
        try await withStore(configuration: .init(synchronous: .normal)) { store, _ async throws in
            let limit = RateLimit(limit: 10, period: 10)
            for index in 0..<20 { _ = try await store.acquire("key-\(index)", limit: limit, cost: 1, at: Self.start) }
            #expect(try await store.rowCount("rate_limits") == 20)
            // Each state's tat is start + 1 s: alive just before, dead from then on.
            _ = try await store.purgeExpired(at: Self.start.addingTimeInterval(0.5))
            #expect(try await store.rowCount("rate_limits") == 20)
            _ = try await store.purgeExpired(at: Self.start.addingTimeInterval(1))
            #expect(try await store.rowCount("rate_limits") == 0)
        }
    }

    @Test func aFloodOfKeysStaysBoundedWithoutPurge() async throws {
        try await withStore(configuration: .init(synchronous: .normal)) { store, _ async throws in
            let limit = RateLimit(limit: 1, period: 1)
            // 2,000 one-off keys, one per 10 ms of simulated time: each state lives 1 s, so ~100 are alive at once.
            for index in 0..<2_000 {
                let now = Self.start.addingTimeInterval(Double(index) * 0.01)
                _ = try await store.acquire("flood-\(index)", limit: limit, cost: 1, at: now)
            }
            #expect(try await store.rowCount("rate_limits") < 400)
        }
    }

    struct InvalidLimit: Sendable, CustomTestStringConvertible {
        let name: String
        let limit: RateLimit
        let cost: Int
        var testDescription: String { name }
    }

    static let invalidLimits: [InvalidLimit] = [
        InvalidLimit(name: "zero limit", limit: RateLimit(limit: 0, period: 1), cost: 1),
        InvalidLimit(name: "zero period", limit: RateLimit(limit: 1, period: 0), cost: 1),
        InvalidLimit(name: "NaN period", limit: RateLimit(limit: 1, period: .nan), cost: 1),
        InvalidLimit(name: "infinite period", limit: RateLimit(limit: 1, period: .infinity), cost: 1),
        InvalidLimit(name: "enormous period", limit: RateLimit(limit: 1, period: 1e300), cost: 1),
        InvalidLimit(name: "negative cost", limit: RateLimit(limit: 1, period: 1), cost: -1),
        InvalidLimit(name: "enormous cost", limit: RateLimit(limit: 1, period: 1), cost: .max),
    ]

    @Test(arguments: invalidLimits)
    func limitsThatWouldOverflowAreInvalidArguments(_ testCase: InvalidLimit) async throws {
        try await withStore { store, _ async throws in
            let error = await #expect(throws: SessionStoreError.self) {
                try await store.acquire("k", limit: testCase.limit, cost: testCase.cost, at: Self.start)
            }
            #expect(error?.code == .invalidArgument)
        }
    }

    // MARK: - Failures

    @Test func failuresCountUpWithinTheWindowAndRestartAfterIt() async throws {
        try await withStore { store, _ async throws in
            let window: TimeInterval = 900
            #expect(try await store.failures("ada", at: Self.start, window: window) == nil)
            for (step, offset) in [0.0, 10, 20.5].enumerated() {
                let now = Self.start.addingTimeInterval(offset)
                #expect(
                    try await store.recordFailure("ada", at: now, window: window)
                        == FailureRecord(count: step + 1, lastFailureAt: now))
            }
            let last = Self.start.addingTimeInterval(20.5)
            #expect(
                try await store.failures("ada", at: last.addingTimeInterval(899.999), window: window)
                    == FailureRecord(count: 3, lastFailureAt: last))
            // The record is gone `window` seconds after the last failure, and the count restarts.
            let end = last.addingTimeInterval(window)
            #expect(try await store.failures("ada", at: end, window: window) == nil)
            #expect(
                try await store.recordFailure("ada", at: end, window: window)
                    == FailureRecord(count: 1, lastFailureAt: end))
            #expect(try await store.failures("grace", at: end, window: window) == nil)
        }
    }

    @Test func clearFailuresForgetsTheKeyOnly() async throws {
        try await withStore { store, _ async throws in
            _ = try await store.recordFailure("ada", at: Self.start, window: 60)
            _ = try await store.recordFailure("grace", at: Self.start, window: 60)
            try await store.clearFailures("ada")
            #expect(try await store.failures("ada", at: Self.start, window: 60) == nil)
            #expect(try await store.failures("grace", at: Self.start, window: 60)?.count == 1)
            #expect(try await store.recordFailure("ada", at: Self.start, window: 60).count == 1)
        }
    }

    @Test func concurrentFailuresAreEachCountedOnce() async throws {
        try await withStore(configuration: .init(synchronous: .normal)) { store, _ async throws in
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<200 {
                    group.addTask { try await store.recordFailure("ada", at: Self.start, window: 60).count }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(counts.sorted() == Array(1...200))
            #expect(try await store.failures("ada", at: Self.start, window: 60)?.count == 200)
        }
    }

    @Test func expiredFailureRecordsAreDeleted() async throws {
        try await withStore { store, _ async throws in
            _ = try await store.recordFailure("ada", at: Self.start, window: 60)
            _ = try await store.purgeExpired(at: Self.start.addingTimeInterval(59))
            #expect(try await store.rowCount("failures") == 1)
            _ = try await store.purgeExpired(at: Self.start.addingTimeInterval(60))
            #expect(try await store.rowCount("failures") == 0)
        }
    }

    @Test(arguments: [-1, Double.nan, Double.infinity])
    func invalidWindowIsRejected(_ window: Double) async throws {
        try await withStore { store, _ async throws in
            let error = await #expect(throws: SessionStoreError.self) {
                try await store.recordFailure("ada", at: Self.start, window: window)
            }
            #expect(error?.code == .invalidArgument)
        }
    }
}
