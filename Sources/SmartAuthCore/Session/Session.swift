public import Foundation
public import SmartAuthJWT

/// One login on one device: the stateful half of SmartAuth.
///
/// A session lives until it is revoked, until its absolute lifetime ends, or until it has not been refreshed
/// for its idle timeout. Its refresh tokens are numbered by ``generation``: each successful refresh moves it
/// on by one, and only the current generation (or, within the grace window, the one before) is accepted.
public struct Session: Hashable, Sendable {
    /// The session's identifier (the access token's `sid`).
    public var id: SessionID
    /// Whose session it is (the access token's `sub`).
    public var userID: UserID
    /// When the user logged in.
    public var createdAt: Date
    /// When the session was last used (login, refresh, or a stateful authentication that touches it).
    public var lastSeenAt: Date
    /// The session ends if it is not refreshed before this time; each refresh moves it forward.
    public var idleExpiresAt: Date
    /// The session ends at this time whatever happens (login time plus the absolute lifetime).
    public var absoluteExpiresAt: Date
    /// The generation of the current refresh token (0 at login).
    public var generation: UInt64
    /// When the current generation was issued (the anchor of the grace window).
    public var rotatedAt: Date
    /// The client at login, updated on refresh.
    public var client: ClientInfo
    /// The user's roles, carried into every access token.
    public var roles: [String]
    /// Extra claims for every access token of the session (fixed at login, enriched by plugins).
    public var claims: JSONObject
    /// How strongly the user authenticated (application-defined; e.g. 1 password, 2 with a second factor).
    public var authenticationLevel: Int

    /// A session with every field given.
    public init(
        id: SessionID, userID: UserID, createdAt: Date, lastSeenAt: Date, idleExpiresAt: Date,
        absoluteExpiresAt: Date, generation: UInt64 = 0, rotatedAt: Date, client: ClientInfo, roles: [String] = [],
        claims: JSONObject = JSONObject(), authenticationLevel: Int = 1
    ) {
        self.id = id
        self.userID = userID
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.idleExpiresAt = idleExpiresAt
        self.absoluteExpiresAt = absoluteExpiresAt
        self.generation = generation
        self.rotatedAt = rotatedAt
        self.client = client
        self.roles = roles
        self.claims = claims
        self.authenticationLevel = authenticationLevel
    }

    /// Whether the session has ended by time at `now` (idle or absolute).
    public func isExpired(at now: Date) -> Bool { now >= idleExpiresAt || now >= absoluteExpiresAt }

    /// When the session ends by time if nothing else happens: the earlier of the two expiries.
    public var expiresAt: Date { min(idleExpiresAt, absoluteExpiresAt) }
}
