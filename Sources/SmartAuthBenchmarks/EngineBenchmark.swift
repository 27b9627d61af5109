import Foundation
import SmartAuthCore
import SmartAuthCrypto
public import SmartAuthJWT
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `smart-auth bench engine`: the engine's operations with the in-memory store, single task and all cores,
/// next to JWT verification alone for the same token, plus resident memory per session at 1,000,000 sessions.
public enum EngineBenchmark {
    /// One measured figure.
    public struct Result: Sendable {
        /// `verify`, `login`, `authenticate-stateless`, `authenticate-stateful`, `authenticate-cached`, `refresh`.
        public let name: String
        /// Concurrent workers (1, or one per core… times two to keep cores busy across suspensions).
        public let threads: Int
        /// Operations per second.
        public let opsPerSecond: Double

        /// One JSON object on one line.
        public var json: String {
            JSONWriter.string(of: .object([
                "bench": .string(name), "threads": .number(JSONNumber(threads)),
                "ops_per_sec": .number(JSONNumber(Int64(opsPerSecond.rounded()))),
            ]))
        }
    }

    /// Measures every operation at 1 and at `concurrency` workers, `seconds` per figure.
    public static func run(
        algorithm: SignatureAlgorithm, seconds: Double, concurrency: Int, progress: @Sendable (Result) -> Void
    ) async throws {
        let store = MemorySessionStore()
        let ring = try KeyRing.generate(algorithm: algorithm, now: Date())
        let secret = try SecretBytes(randomCount: 32)
        let engines = try [SessionCheckMode.stateless, .stateful, .cached(ttl: 30)].map { mode in
            try makeEngine(ring: ring, secret: secret, mode: mode, store: store)
        }
        let (stateless, stateful, cached) = (engines[0], engines[1], engines[2])
        let client = ClientInfo(ipAddress: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0")

        // A pool of sessions to authenticate against, as a server would see.
        var tokens: [String] = []
        for index in 0..<1_000 {
            tokens.append(try await stateful.login(userID: UserID("user-\(index)"), roles: ["user", "editor"], client: client).accessToken)
        }
        let verifier = JWTVerifier(
            keys: JWKSet(keys: stateful.keyRing.keys.map { $0.jwk.publicKey ?? $0.jwk }), algorithms: [algorithm],
            validation: ClaimsValidation(issuer: "https://auth.example.com", audience: "api", leeway: 5, requiredType: "at+jwt"))
        let sharedTokens = tokens

        for threads in [1, concurrency] {
            progress(Result(name: "verify", threads: threads, opsPerSecond: try await measure(seconds, threads) { i in
                _ = try verifier.verify(sharedTokens[i % sharedTokens.count], now: Date())
            }))
            progress(Result(name: "login", threads: threads, opsPerSecond: try await measure(seconds, threads) { i in
                _ = try await stateful.login(userID: UserID("bench-\(i % 10_000)"), roles: ["user"], client: client)
            }))
            for (name, engine) in [("authenticate-stateless", stateless), ("authenticate-stateful", stateful), ("authenticate-cached", cached)] {
                progress(Result(name: name, threads: threads, opsPerSecond: try await measure(seconds, threads) { i in
                    _ = try await engine.authenticate(bearer: sharedTokens[i % sharedTokens.count])
                }))
            }
            // Refresh: each worker rotates its own session's token chain.
            let chains = Mutex<[Int: String]>([:])
            progress(Result(name: "refresh", threads: threads, opsPerSecond: try await measure(seconds, threads) { _ in
            } worker: { workerID, _ in
                let current = chains.withLock { $0[workerID] }
                let token: String
                if let current {
                    token = current
                } else {
                    token = try await stateful.login(userID: UserID("refresh-\(workerID)"), client: client).refreshToken
                }
                let next = try await stateful.refresh(token, client: client)
                chains.withLock { $0[workerID] = next.refreshToken }
            }))
        }
    }

    /// Resident bytes per session with `count` sessions in the memory store.
    public static func memoryPerSession(count: Int = 1_000_000) async throws -> Double {
        let store = MemorySessionStore()
        let agents = [
            "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        ]
        let now = Date()
        let random = SystemRandomSource()
        let before = residentBytes()
        for index in 0..<count {
            let id = SessionID(Base64URL.encode(try random.bytes(count: 16)))
            let session = Session(
                id: id, userID: UserID("user-\(index / 3)"), createdAt: now, lastSeenAt: now,
                idleExpiresAt: now.addingTimeInterval(7 * 86_400), absoluteExpiresAt: now.addingTimeInterval(30 * 86_400),
                rotatedAt: now,
                client: ClientInfo(ipAddress: "10.\(index >> 16 & 255).\(index >> 8 & 255).\(index & 255)", userAgent: agents[index % agents.count]),
                roles: ["user"])
            try await store.create(session)
        }
        let after = residentBytes()
        return Double(after - before) / Double(count)
    }

    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func makeEngine(ring: KeyRing, secret: SecretBytes, mode: SessionCheckMode, store: any SessionStore) throws -> AuthEngine {
        var configuration = AuthConfiguration(
            issuer: "https://auth.example.com", audience: "api", keyRing: ring, refreshTokenSecret: secret)
        configuration.sessionCheck = mode
        return try AuthEngine(configuration: configuration, store: store)
    }

    /// Runs `threads` workers for `seconds`, each calling `body` with a global operation counter value.
    static func measure(
        _ seconds: Double, _ threads: Int, _ body: @escaping @Sendable (Int) async throws -> Void,
        worker: (@Sendable (Int, Int) async throws -> Void)? = nil
    ) async throws -> Double {
        let counter = Counter()
        let clock = ContinuousClock()
        // Warm-up.
        for i in 0..<100 {
            if let worker { try await worker(-1 - i % 4, i) } else { try await body(i) }
        }
        let start = clock.now
        let deadline = start.advanced(by: .milliseconds(Int(seconds * 1000)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for workerID in 0..<threads {
                group.addTask {
                    var iteration = 0
                    while clock.now < deadline {
                        for _ in 0..<16 {
                            let n = counter.value.add(1, ordering: .relaxed).newValue
                            if let worker { try await worker(workerID, iteration) } else { try await body(n) }
                            iteration += 1
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = (clock.now - start).seconds
        return Double(counter.value.load(ordering: .relaxed)) / elapsed
    }
}

/// An atomic counter that tasks can share (`Atomic` itself cannot be captured: it is not copyable).
private final class Counter: Sendable {
    let value = Atomic<Int>(0)
}
