import Foundation
import SmartAuthCore
import SmartAuthCrypto
import SmartAuthTesting
import Testing

/// Cluster-wide revocation: two engines ("nodes") in cached mode, each over its own connection pool to one
/// Redis or PostgreSQL server. A logout on node A must be honoured by node B at once (through the store's
/// broadcast), long before B's cache ttl (300 s here) would expire the entry.
@Suite struct ClusterRevocationTests {
    struct Cluster: CustomTestStringConvertible, Sendable {
        let name: String
        let make: @Sendable () throws -> [any AuthStore]
        var testDescription: String { name }
    }

    static let clusters = [
        Cluster(name: "redis") { try ServerStores.redis(count: 2) },
        Cluster(name: "postgres") { try ServerStores.postgres(count: 2) },
    ]

    @Test(arguments: clusters)
    func logoutOnOneNodeReachesTheOther(_ cluster: Cluster) async throws {
        let stores = try cluster.make()
        let ring = try KeyRing.generate(now: Date())
        let secret = try SecretBytes(randomCount: 32)
        func node(_ store: any AuthStore) throws -> AuthEngine {
            var configuration = AuthConfiguration(issuer: "i", audience: "a", keyRing: ring, refreshTokenSecret: secret)
            configuration.sessionCheck = .cached(ttl: 300)
            return try AuthEngine(configuration: configuration, store: store)
        }
        let nodeA = try node(stores[0])
        let nodeB = try node(stores[1])
        var delays: [Double] = []
        for trial in 0..<10 {
            let pair = try await nodeA.login(userID: UserID("cluster-\(trial)"), client: ClientInfo())
            _ = try await nodeB.authenticate(bearer: pair.accessToken)  // B caches the live session
            let start = ContinuousClock.now
            if trial.isMultiple(of: 2) {
                try await nodeA.logout(session: pair.session.id)
            } else {
                try await nodeA.logoutAll(user: pair.session.userID)
            }
            var refused = false
            while ContinuousClock.now - start < .seconds(10) {
                do {
                    _ = try await nodeB.authenticate(bearer: pair.accessToken)
                    try await Task.sleep(for: .milliseconds(1))
                } catch {
                    refused = true
                    break
                }
            }
            let elapsed = ContinuousClock.now - start
            delays.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) * 1e-15)
            #expect(refused, "node B still accepted the session 10 s after the logout on node A")
        }
        delays.sort()
        print("\(cluster.name): revocation propagation p50 \(delays[delays.count / 2]) ms, max \(delays.last ?? 0) ms")
    }
}

/// Rate limits shared by several nodes: two limiters, each over its own connection pool to one server, together
/// allow exactly the limit under real concurrency.
@Suite struct ClusterRateLimitTests {
    @Test(arguments: ClusterRevocationTests.clusters)
    func twoNodesTogetherAllowExactlyTheLimit(_ cluster: ClusterRevocationTests.Cluster) async throws {
        let stores = try cluster.make()
        let clock = ManualClock()
        let limiters = stores.map { RateLimiter(store: $0, clock: clock) }
        let limit = RateLimit(limit: 100, period: 60)
        let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<400 {
                let limiter = limiters[index % limiters.count]
                group.addTask { try await limiter.acquire(.account("shared@example.com"), limit: limit).allowed }
            }
            var count = 0
            for try await result in group where result { count += 1 }
            return count
        }
        #expect(allowed == 100)
    }
}
