public import Foundation

/// One refresh, as the store's atomic compare-and-swap sees it.
public struct RotationRequest: Hashable, Sendable {
    /// The session the presented refresh token belongs to.
    public var sessionID: SessionID
    /// The generation the presented refresh token carries.
    public var presentedGeneration: UInt64
    /// The time of the request.
    public var now: Date
    /// How long after a rotation the previous token still converges on the same successor. Zero disables it.
    public var graceWindow: TimeInterval
    /// The idle timeout: a successful rotation moves ``Session/idleExpiresAt`` to `now + idleTimeout`
    /// (never past ``Session/absoluteExpiresAt``).
    public var idleTimeout: TimeInterval
    /// The client making the request; a rotation records it as the session's client.
    public var client: ClientInfo

    /// A request with every field given.
    public init(
        sessionID: SessionID, presentedGeneration: UInt64, now: Date, graceWindow: TimeInterval,
        idleTimeout: TimeInterval, client: ClientInfo
    ) {
        self.sessionID = sessionID
        self.presentedGeneration = presentedGeneration
        self.now = now
        self.graceWindow = graceWindow
        self.idleTimeout = idleTimeout
        self.client = client
    }
}

/// What a store's `rotate` did. Every store decides this in one atomic step:
///
/// - the presented generation is the current one → it becomes current + 1, `rotatedAt` = now, the idle expiry
///   moves forward, the client is recorded: ``rotated(_:previousClient:)``;
/// - it is the one just before, and `now - rotatedAt < graceWindow` → nothing changes (the window stays
///   anchored to the rotation): ``grace(_:)``, and the caller answers with the current generation's token;
/// - it is older, or the previous one outside the window → the session is deleted: ``reused(_:)``;
/// - the session does not exist, has expired, or the generation is from the future → nothing changes:
///   ``invalid``.
public enum RotationOutcome: Hashable, Sendable {
    /// Rotated: the session after the rotation, and the client it had before.
    case rotated(Session, previousClient: ClientInfo)
    /// A benign duplicate within the grace window: the session, unchanged.
    case grace(Session)
    /// A replay: the session as it was, now revoked.
    case reused(Session)
    /// No such live session (or an impossible generation): no side effect.
    case invalid
}
