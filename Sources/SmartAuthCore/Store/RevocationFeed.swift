/// A revocation that a store announces to every process sharing it.
public struct RevocationNotice: Hashable, Sendable {
    /// The sessions that ended.
    public var sessionIDs: [SessionID]
    /// Set when every session of this user ended (log out everywhere, password change, reuse policy).
    public var userID: UserID?

    /// A notice.
    public init(sessionIDs: [SessionID], userID: UserID? = nil) {
        self.sessionIDs = sessionIDs
        self.userID = userID
    }
}

/// A store that broadcasts revocations (Redis pub/sub, PostgreSQL `LISTEN/NOTIFY`), so that engines in
/// ``SessionCheckMode/cached(ttl:)`` mode on other nodes drop cached sessions at once. A lost message is
/// bounded by the cache's ttl.
public protocol RevocationFeed: Sendable {
    /// Notices of revocations made by any process through this store, from now on. The stream ends when the
    /// subscriber stops iterating; a broken connection is re-established by the store.
    func revocationNotices() -> AsyncStream<RevocationNotice>
}
