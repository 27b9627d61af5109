public import Foundation

/// A security-relevant thing that happened, as published on the ``EventBus`` and given to plugins.
///
/// One flat record for every kind, so that subscribers and audit logs handle new kinds without code changes.
/// Events never carry tokens, passwords or keys.
public struct AuthEvent: Hashable, Sendable {
    /// What kind of event this is. An open set.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        /// The stable camelCase name, as written in audit logs.
        public let name: String
        /// A kind with this name (for application-defined events).
        public init(_ name: String) { self.name = name }

        /// A user logged in and a session was created.
        public static let sessionCreated = Kind("sessionCreated")
        /// A refresh token was rotated (not emitted for a grace-window duplicate).
        public static let sessionRefreshed = Kind("sessionRefreshed")
        /// A session ended early; ``AuthEvent/reason`` says why.
        public static let sessionRevoked = Kind("sessionRevoked")
        /// A refresh token was replayed; ``AuthEvent/generation`` is the presented generation.
        public static let refreshTokenReused = Kind("refreshTokenReused")
        /// A login attempt failed (wrong credentials, vetoed, rate limited); ``AuthEvent/reason`` says why.
        public static let loginFailed = Kind("loginFailed")
        /// A session's client changed on refresh (new IP address or user agent).
        public static let clientChanged = Kind("clientChanged")

        public var description: String { name }
    }

    /// What happened.
    public var kind: Kind
    /// When it happened (the engine's clock).
    public var time: Date
    /// The user concerned, if known.
    public var userID: UserID?
    /// The session concerned, if any.
    public var sessionID: SessionID?
    /// The client that caused it, if known.
    public var client: ClientInfo?
    /// For ``Kind/clientChanged``: the client before.
    public var previousClient: ClientInfo?
    /// A short machine-readable reason (a ``RevocationReason`` name, or why a login failed).
    public var reason: String?
    /// The refresh generation concerned (the new one for a refresh, the presented one for a reuse).
    public var generation: UInt64?

    /// An event; only `kind` and `time` are required.
    public init(
        kind: Kind, time: Date, userID: UserID? = nil, sessionID: SessionID? = nil, client: ClientInfo? = nil,
        previousClient: ClientInfo? = nil, reason: String? = nil, generation: UInt64? = nil
    ) {
        self.kind = kind
        self.time = time
        self.userID = userID
        self.sessionID = sessionID
        self.client = client
        self.previousClient = previousClient
        self.reason = reason
        self.generation = generation
    }
}
