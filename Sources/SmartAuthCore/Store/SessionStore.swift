public import Foundation

/// Where sessions live. Every operation is atomic on its own, including under many concurrent callers and
/// across processes sharing one store; none needs a lock held across calls.
///
/// Revoked and expired sessions are gone: `session(_:)`, `rotate` and `sessions(of:)` never return them.
/// Stores fail closed: when they cannot answer they throw ``SessionStoreError/Code/unavailable``, never a
/// guess.
public protocol SessionStore: Sendable {
    /// Stores a new session.
    /// - Throws: ``SessionStoreError`` `.duplicate` if the identifier exists, `.unavailable`.
    func create(_ session: Session) async throws(SessionStoreError)

    /// The live session with this identifier at `now`, or `nil` (unknown, revoked or expired).
    func session(_ id: SessionID, at now: Date) async throws(SessionStoreError) -> Session?

    /// The refresh compare-and-swap; see ``RotationOutcome`` for its exact rules.
    func rotate(_ request: RotationRequest) async throws(SessionStoreError) -> RotationOutcome

    /// Records use of a live session: sets `lastSeenAt` to `now` and, when given, the client.
    /// - Returns: the updated session, or `nil` if it is not live.
    func touch(_ id: SessionID, at now: Date, client: ClientInfo?) async throws(SessionStoreError) -> Session?

    /// Ends one session.
    /// - Returns: the session as it was, or `nil` if it was not live.
    func revoke(_ id: SessionID, at now: Date) async throws(SessionStoreError) -> Session?

    /// Ends every live session of `user`, except `keeping` if given.
    /// - Returns: the sessions that were ended.
    func revokeAll(of user: UserID, except keeping: SessionID?, at now: Date) async throws(SessionStoreError) -> [Session]

    /// The live sessions of `user`, newest first.
    func sessions(of user: UserID, at now: Date) async throws(SessionStoreError) -> [Session]

    /// Sets the roles of every live session of `user` (so a role change applies at once in stateful mode).
    /// - Returns: how many sessions were updated.
    func updateRoles(of user: UserID, to roles: [String], at now: Date) async throws(SessionStoreError) -> Int

    /// Deletes every session that has expired by `now`, and index entries that point at nothing.
    /// - Returns: how many sessions were deleted.
    func purgeExpired(at now: Date) async throws(SessionStoreError) -> Int
}
