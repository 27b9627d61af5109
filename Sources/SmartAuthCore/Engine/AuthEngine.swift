import Foundation
public import SmartAuthJWT
import SmartAuthCrypto
import Synchronization

/// SmartAuth's session engine: JWT access tokens backed by stateful sessions with rotating refresh tokens.
///
/// - ``login(userID:roles:claims:client:authenticationLevel:)`` creates a session and returns a token pair;
/// - ``authenticate(bearer:)`` turns an access token into a ``Principal`` (checking the session as
///   ``AuthConfiguration/sessionCheck`` says);
/// - ``refresh(_:client:)`` rotates the refresh token with replay detection;
/// - ``logout(session:)``, ``logoutOthers(user:keeping:)``, ``logoutAll(user:reason:)``,
///   ``revoke(_:by:)`` end sessions at once; ``sessions(of:current:)`` lists them.
///
/// An engine is `Sendable`; share one per process. Every method is safe to call concurrently; the atomicity
/// of refresh rotation comes from the store (see ``RotationOutcome``).
public final class AuthEngine: Sendable {
    /// The configuration the engine was made with (its key ring may since have rotated: see ``keyRing``).
    public let configuration: AuthConfiguration
    /// The session store.
    public let store: any SessionStore
    /// Security events: subscribe for audit, metrics or alerting.
    public let events: EventBus

    private let plugins: PluginChain
    private let refreshTokens: RefreshTokenCodec
    private let cache: SessionCache?
    private let keys: Mutex<Keys>
    /// In cached mode over a ``RevocationFeed`` store: the task that drops cached sessions other nodes revoke.
    private let revocationListener: Task<Void, Never>?

    /// The signing state, replaced as a whole when keys rotate so that requests read a consistent snapshot.
    private struct Keys: Sendable {
        var ring: KeyRing
        var signer: JWTSigner
        var verifier: JWTVerifier
    }

    /// Makes an engine.
    /// - Throws: ``AuthError/Code/configuration`` for an invalid configuration or plugin set.
    public init(configuration: AuthConfiguration, store: any SessionStore) throws(AuthError) {
        try configuration.validate()
        self.configuration = configuration
        self.store = store
        self.events = EventBus()
        self.plugins = try PluginChain(configuration.plugins)
        self.refreshTokens = try RefreshTokenCodec(secret: configuration.refreshTokenSecret)
        if case .cached(let ttl) = configuration.sessionCheck.kind {
            cache = SessionCache(ttl: ttl)
        } else {
            cache = nil
        }
        self.keys = Mutex(try Self.makeKeys(configuration.keyRing, configuration))
        if let cache, let feed = store as? any RevocationFeed {
            let clock = configuration.clock
            revocationListener = Task.detached {
                for await notice in feed.revocationNotices() {
                    for id in notice.sessionIDs { cache.remove(id) }
                    if let user = notice.userID { cache.invalidate(user: user, now: clock.now()) }
                }
            }
        } else {
            revocationListener = nil
        }
        let plugins = self.plugins
        if !plugins.plugins.isEmpty { events.addHook { plugins.observe($0) } }
    }

    deinit {
        revocationListener?.cancel()
    }

    private static func makeKeys(_ ring: KeyRing, _ configuration: AuthConfiguration) throws(AuthError) -> Keys {
        let active = ring.activeKey
        let signer: JWTSigner
        do {
            signer = try JWTSigner(key: active.jwk, algorithm: active.algorithm)
        } catch {
            throw AuthError(.configuration, "the active key cannot sign", underlying: error)
        }
        let validation = ClaimsValidation(
            issuer: configuration.issuer, audience: configuration.audience, leeway: configuration.leeway,
            requiredType: "at+jwt", requiredClaims: ["exp", "sub", "sid"])
        let verifier = JWTVerifier(
            keys: ring.verificationKeys, algorithms: ring.verificationAlgorithms, validation: validation)
        return Keys(ring: ring, signer: signer, verifier: verifier)
    }

    private var now: Date { configuration.clock.now() }

    // MARK: - Keys

    /// The current key ring.
    public var keyRing: KeyRing { keys.withLock { $0.ring } }

    /// The public keys that verify access tokens, for `/.well-known/jwks.json` (never symmetric keys).
    public var publicKeySet: JWKSet { keys.withLock { $0.ring.publicKeySet } }

    /// Rotates the signing key: `newKey` (default: a fresh key for the active algorithm) signs from now on;
    /// the previous key keeps verifying until every token it signed has expired, then retires.
    /// - Throws: ``AuthError/Code/configuration`` if the new key is unusable.
    public func rotateSigningKey(to newKey: JWK? = nil, algorithm: SignatureAlgorithm? = nil) throws(AuthError) {
        let now = self.now
        let overlap = configuration.accessTokenLifetime + configuration.leeway
        let current = keys.withLock { $0.ring }
        let algorithm = algorithm ?? newKey?.algorithm ?? current.activeKey.algorithm
        let key: JWK
        if let newKey { key = newKey } else { key = try KeyRing.newKey(algorithm) }
        var ring = current
        ring.retireExpired(at: now)
        try ring.rotate(to: key, algorithm: algorithm, now: now, overlap: overlap)
        let updated = try Self.makeKeys(ring, configuration)
        keys.withLock { $0 = updated }
    }

    /// Retires verify-only keys whose overlap has ended. Call it periodically (the server does).
    public func retireExpiredKeys() throws(AuthError) {
        var ring = keys.withLock { $0.ring }
        guard ring.retireExpired(at: now) else { return }
        let updated = try Self.makeKeys(ring, configuration)
        keys.withLock { $0 = updated }
    }

    // MARK: - Login

    /// Logs a user in: runs the plugins' veto and enrichment, creates a session, returns its first tokens.
    ///
    /// The caller has already checked the user's credentials (the server does this with its user records).
    /// - Parameters:
    ///   - userID: who logs in.
    ///   - roles: roles carried in the session and its access tokens.
    ///   - claims: extra claims for every access token of the session.
    ///   - client: the client's address, user agent and device name.
    ///   - authenticationLevel: how strongly the user authenticated (the `aal` claim).
    /// - Throws: ``AuthError`` `.loginVetoed`, `.storeUnavailable`, `.internalFailure`.
    public func login(
        userID: UserID, roles: [String] = [], claims: JSONObject = JSONObject(), client: ClientInfo,
        authenticationLevel: Int = 1
    ) async throws(AuthError) -> TokenPair {
        let now = self.now
        let context = LoginContext(
            userID: userID, roles: roles, client: client, authenticationLevel: authenticationLevel, time: now)
        var sessionClaims = claims
        if !plugins.plugins.isEmpty {
            do {
                try await plugins.authorizeLogin(context)
            } catch {
                events.publish(
                    AuthEvent(kind: .loginFailed, time: now, userID: userID, client: client, reason: "vetoed"))
                throw error
            }
            sessionClaims = try await plugins.enrichClaims(claims, for: context)
        }
        let session = Session(
            id: try newSessionID(), userID: userID, createdAt: now, lastSeenAt: now,
            idleExpiresAt: min(
                now.addingTimeInterval(configuration.refreshIdleTimeout),
                now.addingTimeInterval(configuration.refreshAbsoluteLifetime)),
            absoluteExpiresAt: now.addingTimeInterval(configuration.refreshAbsoluteLifetime), generation: 0,
            rotatedAt: now, client: client, roles: roles, claims: sessionClaims, authenticationLevel: authenticationLevel)
        do {
            try await store.create(session)
        } catch {
            throw AuthError.store(error)
        }
        events.publish(AuthEvent(kind: .sessionCreated, time: now, userID: userID, sessionID: session.id, client: client))
        return try tokens(for: session, now: now)
    }

    private func newSessionID() throws(AuthError) -> SessionID {
        do {
            return SessionID(Base64URL.encode(try configuration.random.bytes(count: 16)))
        } catch {
            throw AuthError(.internalFailure, "the random source failed", underlying: error)
        }
    }

    /// An access token for `session` at `now`, and the refresh token of its current generation.
    private func tokens(for session: Session, now: Date) throws(AuthError) -> TokenPair {
        let lifetime = configuration.accessTokenLifetime
        // Whole seconds: NumericDate values every client library reads.
        let issuedAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let expiresAt = issuedAt.addingTimeInterval(lifetime.rounded(.down))
        var additional = JSONObject()
        additional["sid"] = .string(session.id.rawValue)
        additional["roles"] = .array(session.roles.map(JSONValue.string))
        additional["aal"] = .number(JSONNumber(session.authenticationLevel))
        for member in session.claims where additional[member.name] == nil && !JWTClaims.reservedNames.contains(member.name) {
            additional[member.name] = member.value
        }
        let jwtID: String
        do {
            jwtID = Base64URL.encode(try configuration.random.bytes(count: 16))
        } catch {
            throw AuthError(.internalFailure, "the random source failed", underlying: error)
        }
        let claims = JWTClaims(
            issuer: configuration.issuer, subject: session.userID.rawValue, audience: [configuration.audience],
            expiresAt: expiresAt, issuedAt: issuedAt, jwtID: jwtID, additional: additional)
        let signer = keys.withLock { $0.signer }
        let accessToken: String
        do {
            accessToken = try signer.sign(claims, type: "at+jwt")
        } catch {
            throw AuthError(.internalFailure, "signing the access token failed", underlying: error)
        }
        guard let refreshToken = refreshTokens.token(session: session.id, generation: session.generation) else {
            throw AuthError(.internalFailure, "session id is not a SmartAuth session id")
        }
        return TokenPair(
            accessToken: accessToken, refreshToken: refreshToken, accessTokenExpiresAt: expiresAt,
            expiresIn: Int(lifetime), session: session)
    }

    // MARK: - Authenticate

    /// Verifies an access token and checks its session.
    /// - Parameter bearer: the token (without the `Bearer ` prefix).
    /// - Throws: ``AuthError`` `.invalidToken` (with the `JWTError` as `underlying`), `.sessionRevoked`,
    ///   `.storeUnavailable` (stateful and cached modes fail closed when the store is down).
    public func authenticate(bearer: String) async throws(AuthError) -> Principal {
        switch try beginAuthentication(bearer: bearer) {
        case .authenticated(let principal): return principal
        case .needsSessionLookup(let pending): return try await completeAuthentication(pending)
        }
    }

    /// The first half of ``authenticate(bearer:)``, everything that needs no waiting: the token's signature and
    /// claims, and the session check when memory can answer it (`stateless` mode; `cached` mode with a fresh
    /// entry). Never blocks, so an event-loop thread may call it; when the store must be asked, pass the result
    /// to ``completeAuthentication(_:)`` (the token is not verified twice).
    /// - Throws: ``AuthError`` `.invalidToken`, `.sessionRevoked` (a cached entry of another user's session).
    public func beginAuthentication(bearer: String) throws(AuthError) -> AuthenticationStep {
        let now = self.now
        let token = try verifiedAccessToken(bearer, now: now)
        if let principal = try principalWithoutStore(token, now: now) { return .authenticated(principal) }
        return .needsSessionLookup(PendingSessionCheck(token: token, now: now))
    }

    /// The second half of ``authenticate(bearer:)``: the session lookup in the store.
    /// - Throws: ``AuthError`` `.sessionRevoked`, `.storeUnavailable` (fails closed when the store is down).
    public func completeAuthentication(_ pending: PendingSessionCheck) async throws(AuthError) -> Principal {
        let token = pending.token
        let now = pending.now
        let session = try await liveSession(token.sessionID, now: now)
        guard let session, session.userID == token.userID else {
            throw AuthError(.sessionRevoked, "the session has ended")
        }
        guard case .cached = configuration.sessionCheck.kind else {
            // Stateful: the session's roles are current (a role change applies at once).
            return token.principal(roles: session.roles, now: now)
        }
        cache?.store(
            token.sessionID,
            SessionCache.Entry(
                userID: token.userID, roles: session.roles, sessionExpiresAt: session.expiresAt, fetchedAt: now))
        // Cached: the token's roles, whether the entry was fresh or just fetched.
        return token.principal(roles: token.roles, now: now)
    }

    /// Where ``beginAuthentication(bearer:)`` got to.
    public enum AuthenticationStep: Sendable {
        /// Done: the token is valid and the session live.
        case authenticated(Principal)
        /// The token is valid; its session must be looked up in the store: ``completeAuthentication(_:)``.
        case needsSessionLookup(PendingSessionCheck)
    }

    /// A verified access token whose session is still to be checked in the store.
    public struct PendingSessionCheck: Sendable {
        fileprivate let token: AccessToken
        fileprivate let now: Date
    }

    /// What authentication needs from a verified access token.
    fileprivate struct AccessToken: Sendable {
        let claims: JWTClaims
        let userID: UserID
        let sessionID: SessionID
        let roles: [String]
        let level: Int

        func principal(roles: [String], now: Date) -> Principal {
            Principal(
                userID: userID, sessionID: sessionID, roles: roles, authenticationLevel: level, claims: claims,
                expiresAt: claims.expiresAt ?? now)
        }
    }

    private func verifiedAccessToken(_ bearer: String, now: Date) throws(AuthError) -> AccessToken {
        let verifier = keys.withLock { $0.verifier }
        let verified: VerifiedJWT
        do {
            verified = try verifier.verify(bearer, now: now)
        } catch {
            throw AuthError(.invalidToken, "the access token is not valid: \(error.code.name)", underlying: error)
        }
        let claims = verified.claims
        guard let subject = claims.subject, case .string(let sid)? = claims.additional["sid"] else {
            throw AuthError(.invalidToken, "the access token has no sub or sid")
        }
        return AccessToken(
            claims: claims, userID: UserID(subject), sessionID: SessionID(sid),
            roles: Self.stringArray(claims.additional["roles"]),
            level: claims.additional["aal"]?.numberValue?.int64Value.map { Int($0) } ?? 1)
    }

    /// The principal if the session check needs no store round trip, nil if it does.
    private func principalWithoutStore(_ token: AccessToken, now: Date) throws(AuthError) -> Principal? {
        switch configuration.sessionCheck.kind {
        case .stateless:
            return token.principal(roles: token.roles, now: now)
        case .stateful:
            return nil
        case .cached:
            guard let entry = cache?.entry(token.sessionID, now: now) else { return nil }
            guard entry.userID == token.userID else { throw AuthError(.sessionRevoked, "the session has ended") }
            return token.principal(roles: token.roles, now: now)
        }
    }

    private func liveSession(_ id: SessionID, now: Date) async throws(AuthError) -> Session? {
        do {
            return try await store.session(id, at: now)
        } catch {
            throw AuthError.store(error)
        }
    }

    private static func stringArray(_ value: JSONValue?) -> [String] {
        guard case .array(let elements)? = value else { return [] }
        return elements.compactMap(\.stringValue)
    }

    // MARK: - Refresh

    /// Exchanges a refresh token for a new token pair, rotating it.
    ///
    /// - The current token rotates exactly once, however many requests race with it.
    /// - The token just before it, within ``AuthConfiguration/refreshGraceWindow`` of the rotation, gets the
    ///   same successor (and a fresh access token): two tabs refreshing at once both stay logged in.
    /// - Any older token, or the previous one after the window, is a replay: the session (or, by policy, every
    ///   session of the user) is revoked and ``AuthEvent/Kind/refreshTokenReused`` is emitted.
    /// - Unknown, forged, malformed, expired or revoked tokens fail without touching any session.
    /// - Throws: ``AuthError`` `.invalidRefreshToken`, `.refreshTokenReused`, `.storeUnavailable`.
    public func refresh(_ refreshToken: String, client: ClientInfo) async throws(AuthError) -> TokenPair {
        let now = self.now
        guard let (sessionID, generation) = refreshTokens.read(refreshToken) else {
            throw AuthError(.invalidRefreshToken, "the refresh token is not valid")
        }
        let request = RotationRequest(
            sessionID: sessionID, presentedGeneration: generation, now: now,
            graceWindow: configuration.refreshGraceWindow, idleTimeout: configuration.refreshIdleTimeout,
            client: client)
        let outcome: RotationOutcome
        do {
            outcome = try await store.rotate(request)
        } catch {
            throw AuthError.store(error)
        }
        switch outcome {
        case .rotated(let session, let previousClient):
            events.publish(
                AuthEvent(
                    kind: .sessionRefreshed, time: now, userID: session.userID, sessionID: session.id, client: client,
                    generation: session.generation))
            if previousClient.ipAddress != client.ipAddress || previousClient.userAgent != client.userAgent {
                events.publish(
                    AuthEvent(
                        kind: .clientChanged, time: now, userID: session.userID, sessionID: session.id, client: client,
                        previousClient: previousClient))
            }
            return try tokens(for: session, now: now)
        case .grace(let session):
            return try tokens(for: session, now: now)
        case .reused(let session):
            cache?.remove(session.id)
            events.publish(
                AuthEvent(
                    kind: .refreshTokenReused, time: now, userID: session.userID, sessionID: session.id, client: client,
                    generation: generation))
            events.publish(
                AuthEvent(
                    kind: .sessionRevoked, time: now, userID: session.userID, sessionID: session.id,
                    client: session.client, reason: RevocationReason.refreshTokenReused.name))
            if configuration.reusePolicy.revokesAllSessions {
                _ = try await revokeAll(of: session.userID, except: nil, reason: .refreshTokenReused, now: now)
            }
            throw AuthError(.refreshTokenReused, "the refresh token was already used; the session has been revoked")
        case .invalid:
            throw AuthError(.invalidRefreshToken, "the refresh token is not valid")
        }
    }

    /// The live session a genuine refresh token belongs to, or `nil` (for RFC 7009 revocation).
    /// - Throws: ``AuthError/Code/storeUnavailable``.
    public func sessionOfRefreshToken(_ refreshToken: String) async throws(AuthError) -> SessionID? {
        guard let (id, _) = refreshTokens.read(refreshToken) else { return nil }
        return try await liveSession(id, now: now)?.id
    }

    /// Replaces the key ring (for example with one another node or the CLI rotated in the shared store).
    /// - Throws: ``AuthError/Code/configuration`` if the ring cannot sign.
    public func useKeyRing(_ ring: KeyRing) throws(AuthError) {
        let updated = try Self.makeKeys(ring, configuration)
        keys.withLock { $0 = updated }
    }

    // MARK: - Logout and sessions

    /// Ends one session at once.
    /// - Returns: whether a live session was ended.
    /// - Throws: ``AuthError`` `.storeUnavailable`.
    @discardableResult
    public func logout(session id: SessionID, reason: RevocationReason = .logout) async throws(AuthError) -> Bool {
        let now = self.now
        cache?.remove(id)
        let revoked: Session?
        do {
            revoked = try await store.revoke(id, at: now)
        } catch {
            throw AuthError.store(error)
        }
        guard let revoked else { return false }
        events.publish(
            AuthEvent(
                kind: .sessionRevoked, time: now, userID: revoked.userID, sessionID: id, client: revoked.client,
                reason: reason.name))
        return true
    }

    /// Ends every session of `user` except `keeping` ("log out other devices").
    /// - Returns: how many sessions were ended.
    @discardableResult
    public func logoutOthers(user: UserID, keeping: SessionID) async throws(AuthError) -> Int {
        try await revokeAll(of: user, except: keeping, reason: .logoutOthers, now: now)
    }

    /// Ends every session of `user` ("log out every device"; also after a password change).
    /// - Returns: how many sessions were ended.
    @discardableResult
    public func logoutAll(user: UserID, reason: RevocationReason = .logoutAll) async throws(AuthError) -> Int {
        try await revokeAll(of: user, except: nil, reason: reason, now: now)
    }

    private func revokeAll(
        of user: UserID, except keeping: SessionID?, reason: RevocationReason, now: Date
    ) async throws(AuthError) -> Int {
        let revoked: [Session]
        do {
            revoked = try await store.revokeAll(of: user, except: keeping, at: now)
        } catch {
            throw AuthError.store(error)
        }
        for session in revoked {
            cache?.remove(session.id)
            events.publish(
                AuthEvent(
                    kind: .sessionRevoked, time: now, userID: user, sessionID: session.id, client: session.client,
                    reason: reason.name))
        }
        return revoked.count
    }

    /// Ends a session on behalf of `user`, who must own it.
    /// - Throws: ``AuthError`` `.notFound` when there is no such live session, `.forbidden` when it belongs to
    ///   someone else (checked before anything is changed), `.storeUnavailable`.
    public func revoke(_ id: SessionID, by user: UserID) async throws(AuthError) {
        let session = try await liveSession(id, now: now)
        guard let session else { throw AuthError(.notFound, "no such session") }
        guard session.userID == user else { throw AuthError(.forbidden, "the session belongs to another user") }
        try await logout(session: id)
    }

    /// The live sessions of `user`, newest first, with device labels and the current one marked.
    public func sessions(of user: UserID, current: SessionID? = nil) async throws(AuthError) -> [SessionInfo] {
        let sessions: [Session]
        do {
            sessions = try await store.sessions(of: user, at: now)
        } catch {
            throw AuthError.store(error)
        }
        return sessions.map { SessionInfo(session: $0, deviceLabel: $0.client.deviceLabel, isCurrent: $0.id == current) }
    }

    // MARK: - Cluster hooks

    /// Drops this process's cached state for a session (call it when another node announces a revocation).
    public func invalidateCachedSession(_ id: SessionID) { cache?.remove(id) }

    /// Drops this process's cached state for every session of `user`.
    public func invalidateCachedSessions(of user: UserID) { cache?.invalidate(user: user, now: now) }
}

extension JWTClaims {
    /// Claims a session's extra claims can never set: the registered ones and SmartAuth's own.
    static let reservedNames: Set<String> = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid", "roles", "aal"]
}
