import Foundation
public import SmartAuthCore
import SmartAuthCrypto
public import SmartAuthJWT
import Synchronization

/// `smart-auth bench store`: the engine's store-bound operations against a real store, with latency
/// percentiles, and how fast a revocation reaches a second engine in cached mode.
public enum StoreBenchmark {
    /// One figure.
    public struct Result: Sendable {
        /// `authenticate-stateful`, `authenticate-cached` or `refresh`.
        public let name: String
        /// Operations per second.
        public let opsPerSecond: Double
        /// Median latency, milliseconds.
        public let p50: Double
        /// 99th-percentile latency, milliseconds.
        public let p99: Double
        /// CPU this process used per operation, microseconds (every thread: the engine, the store's client, and
        /// for an embedded store the store itself).
        public let cpuMicroseconds: Double?
    }

    /// Runs authenticate (stateful, cached) and refresh with `concurrency` tasks for `seconds` each.
    public static func run(
        store: any AuthStore, algorithm: SignatureAlgorithm = .eddsa, seconds: Double, concurrency: Int,
        progress: @Sendable (Result) -> Void
    ) async throws {
        let ring = try KeyRing.generate(algorithm: algorithm, now: Date())
        let secret = try SecretBytes(randomCount: 32)
        let stateful = try EngineBenchmark.makeEngine(ring: ring, secret: secret, mode: .stateful, store: store)
        let cached = try EngineBenchmark.makeEngine(ring: ring, secret: secret, mode: .cached(ttl: 30), store: store)
        let client = ClientInfo(ipAddress: "203.0.113.7", userAgent: "bench")
        // Users of this run only, so that the cleanup below cannot touch another run's sessions.
        let tag = UUID().uuidString.prefix(8).lowercased()
        let users = (0..<200).map { UserID("bench-\(tag)-\($0)") }
        let refreshUsers = (0..<concurrency).map { UserID("refresh-\(tag)-\($0)") }
        do {
            var tokens: [String] = []
            for user in users {
                tokens.append(try await stateful.login(userID: user, client: client).accessToken)
            }
            let shared = tokens
            for (name, engine) in [("authenticate-stateful", stateful), ("authenticate-cached", cached)] {
                progress(try await timed(name, seconds, concurrency) { worker, iteration in
                    _ = try await engine.authenticate(bearer: shared[(worker * 7919 + iteration) % shared.count])
                })
            }
            let chains = Mutex<[Int: String]>([:])
            progress(try await timed("refresh", seconds, concurrency) { worker, _ in
                let current = chains.withLock { $0[worker] }
                let token: String
                if let current {
                    token = current
                } else {
                    token = try await stateful.login(userID: refreshUsers[worker], client: client).refreshToken
                }
                let next = try await stateful.refresh(token, client: client)
                chains.withLock { $0[worker] = next.refreshToken }
            })
        } catch {
            await removeSessions(of: users + refreshUsers, from: store)
            throw error
        }
        await removeSessions(of: users + refreshUsers, from: store)
    }

    /// Deletes the sessions the bench created.
    static func removeSessions(of users: [UserID], from store: any AuthStore) async {
        for user in users {
            do {
                _ = try await store.revokeAll(of: user, except: nil, at: Date())
            } catch {
                // Cleanup only: say so, the figures already printed stand.
                FileHandle.standardError.write(Data("warning: could not remove the bench's sessions: \(error)\n".utf8))
            }
        }
    }

    /// Milliseconds from a logout on one engine until a second engine in cached mode (sharing `store`, which
    /// broadcasts revocations) refuses the session, over `trials` trials: (p50, p99).
    public static func revocationPropagation(store: any AuthStore, trials: Int = 50) async throws -> (p50: Double, p99: Double) {
        let ring = try KeyRing.generate(algorithm: .eddsa, now: Date())
        let secret = try SecretBytes(randomCount: 32)
        let nodeA = try EngineBenchmark.makeEngine(ring: ring, secret: secret, mode: .cached(ttl: 30), store: store)
        let nodeB = try EngineBenchmark.makeEngine(ring: ring, secret: secret, mode: .cached(ttl: 30), store: store)
        try await Task.sleep(for: .milliseconds(200))  // let B's subscription connect
        let clock = ContinuousClock()
        var delays: [Double] = []
        for trial in 0..<trials {
            let pair = try await nodeA.login(userID: UserID("propagation-\(trial)"), client: ClientInfo())
            _ = try await nodeB.authenticate(bearer: pair.accessToken)  // B caches the session
            let start = clock.now
            try await nodeA.logout(session: pair.session.id)
            while true {
                do {
                    _ = try await nodeB.authenticate(bearer: pair.accessToken)
                } catch {
                    break
                }
                if clock.now - start > .seconds(31) { throw BenchmarkError("the revocation never reached the second node") }
                try await Task.sleep(for: .microseconds(200))
            }
            delays.append(milliseconds(clock.now - start))
        }
        delays.sort()
        return (percentile(delays, 0.5), percentile(delays, 0.99))
    }

    static func timed(
        _ name: String, _ seconds: Double, _ concurrency: Int, _ body: @escaping @Sendable (Int, Int) async throws -> Void
    ) async throws -> Result {
        let latencies = Mutex<[Double]>([])
        let clock = ContinuousClock()
        let cpuBefore = CPUTime.process
        let start = clock.now
        let deadline = start.advanced(by: .milliseconds(Int(seconds * 1000)))
        try await withThrowingTaskGroup(of: [Double].self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var local: [Double] = []
                    var iteration = 0
                    while clock.now < deadline {
                        let begin = clock.now
                        try await body(worker, iteration)
                        local.append(milliseconds(clock.now - begin))
                        iteration += 1
                    }
                    return local
                }
            }
            for try await local in group { latencies.withLock { $0 += local } }
        }
        let elapsed = (clock.now - start).seconds
        let cpu = CPUTime.process - cpuBefore
        let sorted = latencies.withLock { $0 }.sorted()
        return Result(
            name: name, opsPerSecond: Double(sorted.count) / elapsed, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99),
            cpuMicroseconds: CPUTime.microsecondsPerOperation(cpu, operations: Double(sorted.count)))
    }

    static func milliseconds(_ duration: Duration) -> Double { duration.seconds * 1000 }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction))]
    }
}
