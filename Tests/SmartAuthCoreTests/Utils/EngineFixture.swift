import Foundation
import SmartAuthCore
import SmartAuthCrypto
import SmartAuthJWT
import SmartAuthTesting
import Synchronization

/// An engine over a fresh memory store with a manual clock, and a record of every event it publishes.
struct EngineFixture {
    let clock = ManualClock()
    let store: any SessionStore
    let engine: AuthEngine
    let recorder = EventRecorder()

    static let laptop = ClientInfo(
        ipAddress: "203.0.113.7",
        userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0")
    static let phone = ClientInfo(
        ipAddress: "198.51.100.20",
        userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")

    init(
        store: (any SessionStore)? = nil, algorithm: SignatureAlgorithm = .eddsa,
        configure: (inout AuthConfiguration) -> Void = { _ in }
    ) throws {
        let store = store ?? MemorySessionStore()
        var configuration = AuthConfiguration(
            issuer: "https://auth.example.com", audience: "api",
            keyRing: try KeyRing.generate(algorithm: algorithm, now: clock.now()),
            refreshTokenSecret: try SecretBytes(randomCount: 32))
        configuration.clock = clock
        configure(&configuration)
        self.store = store
        self.engine = try AuthEngine(configuration: configuration, store: store)
        let recorder = self.recorder
        engine.events.addHook { recorder.record($0) }
    }

    func login(_ user: UserID = "user-1", client: ClientInfo = laptop, roles: [String] = ["user"]) async throws -> TokenPair {
        try await engine.login(userID: user, roles: roles, client: client)
    }
}

/// Collects events from a synchronous hook.
final class EventRecorder: Sendable {
    private let events = Mutex<[AuthEvent]>([])
    func record(_ event: AuthEvent) { events.withLock { $0.append(event) } }
    var all: [AuthEvent] { events.withLock { $0 } }
    func count(_ kind: AuthEvent.Kind) -> Int { all.filter { $0.kind == kind }.count }
    func reset() { events.withLock { $0.removeAll() } }
}

/// A store that is down: every operation throws `store_unavailable`, as a real store does when its server is
/// unreachable. Fault injection for the engine's fail-closed paths; real stores are tested against real servers.
struct UnavailableStore: SessionStore {
    func create(_ session: Session) async throws(SessionStoreError) { throw .unavailable("down") }
    func session(_ id: SessionID, at now: Date) async throws(SessionStoreError) -> Session? { throw .unavailable("down") }
    func rotate(_ request: RotationRequest) async throws(SessionStoreError) -> RotationOutcome { throw .unavailable("down") }
    func touch(_ id: SessionID, at now: Date, client: ClientInfo?) async throws(SessionStoreError) -> Session? {
        throw .unavailable("down")
    }
    func revoke(_ id: SessionID, at now: Date) async throws(SessionStoreError) -> Session? { throw .unavailable("down") }
    func revokeAll(of user: UserID, except keeping: SessionID?, at now: Date) async throws(SessionStoreError) -> [Session] {
        throw .unavailable("down")
    }
    func sessions(of user: UserID, at now: Date) async throws(SessionStoreError) -> [Session] { throw .unavailable("down") }
    func updateRoles(of user: UserID, to roles: [String], at now: Date) async throws(SessionStoreError) -> Int {
        throw .unavailable("down")
    }
    func purgeExpired(at now: Date) async throws(SessionStoreError) -> Int { throw .unavailable("down") }
}

/// The `code` of the `AuthError` an async call throws, or `nil` if it succeeds.
func authErrorCode<T>(_ body: () async throws -> T) async -> AuthError.Code? {
    do {
        _ = try await body()
        return nil
    } catch let error as AuthError {
        return error.code
    } catch {
        return nil
    }
}
