public import Foundation
public import SmartAuthCrypto

/// How the engine checks that an access token's session is still alive.
public struct SessionCheckMode: Hashable, Sendable, CustomStringConvertible {
    enum Kind: Hashable, Sendable {
        case stateless
        case stateful
        case cached(TimeInterval)
    }
    let kind: Kind

    /// The JWT alone: fastest; a logout takes effect when the access token expires.
    public static let stateless = SessionCheckMode(kind: .stateless)
    /// The session is looked up on every call: a logout takes effect immediately, everywhere. The default.
    public static let stateful = SessionCheckMode(kind: .stateful)
    /// Session state is cached per process for `ttl` seconds. A logout made through this engine takes effect
    /// on this node at once; on other nodes within `ttl` (at once where the store broadcasts revocations).
    public static func cached(ttl: TimeInterval) -> SessionCheckMode { SessionCheckMode(kind: .cached(ttl)) }

    public var description: String {
        switch kind {
        case .stateless: "stateless"
        case .stateful: "stateful"
        case .cached(let ttl): "cached(\(ttl)s)"
        }
    }
}

/// What happens when a replayed refresh token is detected.
public struct ReusePolicy: Hashable, Sendable, CustomStringConvertible {
    let revokesAllSessions: Bool
    /// Revoke the session the token belongs to (the default).
    public static let revokeSession = ReusePolicy(revokesAllSessions: false)
    /// Revoke every session of the user.
    public static let revokeAllSessions = ReusePolicy(revokesAllSessions: true)
    public var description: String { revokesAllSessions ? "revoke_all_sessions" : "revoke_session" }
}

/// The engine's configuration: documented settings with safe defaults, validated once when the engine is made.
public struct AuthConfiguration: Sendable {
    /// The `iss` of every access token, and the issuer required when verifying them.
    public var issuer: String
    /// The `aud` of every access token, and the audience required when verifying them.
    public var audience: String
    /// The signing keys.
    public var keyRing: KeyRing
    /// The server secret refresh tokens are derived from (at least 32 bytes; keep it as safe as the signing
    /// keys). Changing it invalidates every refresh token.
    public var refreshTokenSecret: SecretBytes
    /// Access-token lifetime in seconds. Default 900 (15 minutes).
    public var accessTokenLifetime: TimeInterval = 15 * 60
    /// A session ends if not refreshed for this many seconds. Default 7 days.
    public var refreshIdleTimeout: TimeInterval = 7 * 24 * 3600
    /// A session ends this many seconds after login, whatever happens. Default 30 days.
    public var refreshAbsoluteLifetime: TimeInterval = 30 * 24 * 3600
    /// How long after a rotation the previous refresh token still gets the same successor (two tabs
    /// refreshing at once). Default 10 seconds; 0 disables it.
    public var refreshGraceWindow: TimeInterval = 10
    /// What a replayed refresh token revokes. Default: its session.
    public var reusePolicy: ReusePolicy = .revokeSession
    /// How `authenticate` checks sessions. Default: stateful.
    public var sessionCheck: SessionCheckMode = .stateful
    /// Allowed clock skew when verifying access tokens, in seconds. Default 5.
    public var leeway: TimeInterval = 5
    /// Plugins, in registration order.
    public var plugins: [any AuthPlugin] = []
    /// The time source. Default: the system clock.
    public var clock: any AuthClock = SystemClock()
    /// The random source for identifiers. Default: OpenSSL's CSPRNG.
    public var random: any RandomSource = SystemRandomSource()

    /// A configuration with the required settings; everything else has its documented default.
    public init(issuer: String, audience: String, keyRing: KeyRing, refreshTokenSecret: SecretBytes) {
        self.issuer = issuer
        self.audience = audience
        self.keyRing = keyRing
        self.refreshTokenSecret = refreshTokenSecret
    }

    /// Checks every setting.
    /// - Throws: ``AuthError/Code/configuration`` naming the first bad setting.
    func validate() throws(AuthError) {
        func require(_ condition: Bool, _ message: String) throws(AuthError) {
            if !condition { throw AuthError(.configuration, message) }
        }
        try require(!issuer.isEmpty, "issuer must not be empty")
        try require(!audience.isEmpty, "audience must not be empty")
        try require(accessTokenLifetime > 0 && accessTokenLifetime.isFinite, "accessTokenLifetime must be positive")
        try require(refreshIdleTimeout > 0 && refreshIdleTimeout.isFinite, "refreshIdleTimeout must be positive")
        try require(
            refreshAbsoluteLifetime >= refreshIdleTimeout && refreshAbsoluteLifetime.isFinite,
            "refreshAbsoluteLifetime must be at least refreshIdleTimeout")
        try require(refreshGraceWindow >= 0 && refreshGraceWindow <= 300, "refreshGraceWindow must be within 0...300 seconds")
        try require(leeway >= 0 && leeway <= 300, "leeway must be within 0...300 seconds")
        if case .cached(let ttl) = sessionCheck.kind {
            try require(ttl > 0 && ttl <= 3600, "the session cache ttl must be within 0...3600 seconds")
        }
        try require(refreshTokenSecret.count >= 32, "refreshTokenSecret must be at least 32 bytes")
    }
}
