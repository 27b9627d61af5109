public import Foundation
public import SmartAuthCore
import SmartAuthCrypto
import SmartAuthHTTP
import SmartAuthJWT

/// The standalone auth server: a store, the engine, accounts, rate limits and the REST API, served over HTTP.
///
/// ```swift
/// let server = try await AuthServer.make(configuration: ServerConfiguration())
/// try server.start()
/// await HTTPServer.waitForTerminationSignal()
/// await server.shutdown()
/// ```
public final class AuthServer: Sendable {
    /// The resolved configuration.
    public let configuration: ServerConfiguration
    /// The store every request goes to.
    public let store: any AuthStore
    /// The session engine.
    public let engine: AuthEngine
    /// The accounts.
    public let accounts: Accounts
    /// The REST API (also callable in-process).
    public let api: AuthAPI
    /// The HTTP transport.
    public let http: HTTPServer
    private let maintenance: Task<Void, Never>
    private let accessLog: LogQueue?

    /// Opens the store, loads (or, on first start, creates and saves) the signing keys and the refresh-token
    /// secret, and builds everything. Does not listen yet: see ``start()``.
    /// - Parameter log: where access-log and status lines go (standard error by default).
    public static func make(
        configuration: ServerConfiguration, log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    ) async throws(AuthError) -> AuthServer {
        let store = try StoreURL.open(configuration.storeURL)
        let clock = SystemClock()
        let (ring, created) = try await SharedKeys.loadOrCreateKeyRing(in: store, algorithm: configuration.algorithm, now: clock.now())
        if created { log("generated a new \(ring.activeKey.algorithm) signing key \(ring.activeKey.keyID) and saved it in the store") }
        let secret = try await SharedKeys.loadOrCreateRefreshSecret(in: store)
        var engineConfiguration = AuthConfiguration(
            issuer: configuration.effectiveIssuer, audience: configuration.effectiveAudience, keyRing: ring,
            refreshTokenSecret: secret)
        engineConfiguration.accessTokenLifetime = configuration.accessTokenLifetime
        engineConfiguration.refreshGraceWindow = configuration.refreshGraceWindow
        engineConfiguration.sessionCheck = configuration.sessionCheck
        let engine = try AuthEngine(configuration: engineConfiguration, store: store)
        let hasher: PasswordHasher
        do {
            hasher = try PasswordHasher()
        } catch {
            throw AuthError(.configuration, "the password hasher cannot start", underlying: error)
        }
        let accounts = Accounts(
            users: store, engine: engine, hasher: hasher, bruteForce: BruteForceProtector(store: store, clock: clock))
        var apiConfiguration = APIConfiguration(baseURL: configuration.effectiveIssuer)
        if let key = configuration.introspectionKey { apiConfiguration.introspectionKey = SecretBytes(Array(key.utf8)) }
        apiConfiguration.trustedProxies = configuration.trustedProxies
        if let origins = configuration.cookieOrigins {
            var cookie = APIConfiguration.RefreshCookie(allowedOrigins: origins)
            cookie.secure = configuration.tlsCertificatePath != nil || configuration.effectiveIssuer.hasPrefix("https:")
            apiConfiguration.refreshCookie = cookie
        }
        if let path = configuration.policyPath { apiConfiguration.policy = try Policy(contentsOfFile: path) }
        if !configuration.rateLimits {
            apiConfiguration.tokenRateLimit = nil
            apiConfiguration.signupRateLimit = nil
            apiConfiguration.apiRateLimit = nil
        }
        // Request rate limits live where every node sees them: in the shared store (Redis, PostgreSQL) when
        // nodes share one, in this process's memory on a single node (SQLite, memory). A per-request GCRA
        // write into SQLite would cost a durable commit (an fsync) on every API call and protect nothing more.
        // Brute-force records (failed passwords) stay in the store either way.
        let limiterStore: any RateLimitStore =
            StoreURL.isShared(configuration.storeURL) ? store : MemoryRateLimitStore()
        // Access-log lines are written by a thread of their own: a slow log never holds up a request.
        let accessLog = configuration.accessLog ? LogQueue(sink: log) : nil
        var accessLogSink: (@Sendable (String) -> Void)?
        if let accessLog { accessLogSink = { line in accessLog.append(line) } }
        let api = AuthAPI(
            engine: engine, accounts: accounts, limiter: RateLimiter(store: limiterStore, clock: clock),
            configuration: apiConfiguration, log: accessLogSink)
        return AuthServer(
            configuration: configuration, store: store, engine: engine, accounts: accounts, api: api, accessLog: accessLog)
    }

    private init(
        configuration: ServerConfiguration, store: any AuthStore, engine: AuthEngine, accounts: Accounts, api: AuthAPI,
        accessLog: LogQueue?
    ) {
        self.accessLog = accessLog
        self.configuration = configuration
        self.store = store
        self.engine = engine
        self.accounts = accounts
        self.api = api
        var http = HTTPServer.Configuration()
        http.host = configuration.host
        http.port = configuration.port
        http.tlsCertificatePath = configuration.tlsCertificatePath
        http.tlsKeyPath = configuration.tlsKeyPath
        self.http = HTTPServer(
            configuration: http, immediateHandler: { request in api.respondWithoutWaiting(request) },
            handler: { request in await api.handle(request) })
        // Once a minute: pick up key rotations made by other nodes or the CLI, retire expired keys, purge.
        self.maintenance = Task.detached { [engine, store] in
            while true {
                do {
                    try await Task.sleep(for: .seconds(60))
                } catch {
                    break  // cancelled: the server is shutting down
                }
                // Each step is retried on the next round if the store is briefly unavailable.
                do {
                    if let ring = try await SharedKeys.loadKeyRing(from: store) { try engine.useKeyRing(ring) }
                    try engine.retireExpiredKeys()
                    _ = try await store.purgeExpired(at: engine.configuration.clock.now())
                } catch {
                    continue
                }
            }
        }
    }

    deinit {
        // A server dropped without shutdown() still writes its last log lines and ends the log's thread.
        accessLog?.close()
    }

    /// Starts listening.
    /// - Throws: ``AuthError/Code/configuration`` when the address cannot be bound or TLS cannot start.
    public func start() throws(AuthError) {
        do {
            try http.start()
        } catch {
            throw AuthError(.configuration, "cannot listen on \(configuration.hostForURL):\(configuration.port): \(error)", underlying: error)
        }
    }

    /// The port the server listens on (useful with port 0).
    public var port: Int { http.port }

    /// Stops accepting connections, lets requests in flight finish (up to `gracePeriod` seconds), and stops.
    public func shutdown(gracePeriod: TimeInterval = 10) async {
        maintenance.cancel()
        await http.shutdown(gracePeriod: gracePeriod)
        // The last requests' lines are written before shutdown returns.
        accessLog?.close()
    }
}
