public import Foundation

/// Everything the standalone server keeps, in this process's memory: an ``AuthStore`` made of a
/// ``MemorySessionStore``, a ``MemoryUserStore``, a ``MemoryRateLimitStore`` and a ``MemoryKeyValueStore``.
///
/// Each requirement is forwarded to the part that owns it, with that part's guarantees (see each type). The
/// parts share no state and no lock, so no operation on one waits for another.
///
/// - Important: Nothing survives the process: a restart logs every user out, forgets every account and
///   generates a new key ring. Use it for tests, development and demonstrations, or for a single process
///   whose users and keys are provisioned at start.
public final class MemoryAuthStore: AuthStore {
    /// The sessions.
    public let sessions: MemorySessionStore
    /// The user accounts.
    public let users: MemoryUserStore
    /// The rate-limit counters and failure records.
    public let rateLimits: MemoryRateLimitStore
    /// The shared named values (key ring, secrets).
    public let values: MemoryKeyValueStore

    /// A store made of the given parts, each empty and with its default settings unless given.
    ///
    /// - Parameters:
    ///   - sessions: The session store; by default `MemorySessionStore()`.
    ///   - users: The user store; by default `MemoryUserStore()`.
    ///   - rateLimits: The rate-limit store; by default `MemoryRateLimitStore()`.
    ///   - values: The key-value store; by default `MemoryKeyValueStore()`.
    public init(
        sessions: MemorySessionStore = MemorySessionStore(), users: MemoryUserStore = MemoryUserStore(),
        rateLimits: MemoryRateLimitStore = MemoryRateLimitStore(), values: MemoryKeyValueStore = MemoryKeyValueStore()
    ) {
        self.sessions = sessions
        self.users = users
        self.rateLimits = rateLimits
        self.values = values
    }

    // MARK: - SessionStore

    /// Stores a new session; see ``MemorySessionStore/create(_:)``.
    /// - Throws: ``SessionStoreError`` `.duplicate` if the identifier exists.
    public func create(_ session: Session) async throws(SessionStoreError) {
        try await sessions.create(session)
    }

    /// The live session with this identifier at `now`, or `nil`; see ``MemorySessionStore/session(_:at:)``.
    public func session(_ id: SessionID, at now: Date) async throws(SessionStoreError) -> Session? {
        try await sessions.session(id, at: now)
    }

    /// The refresh compare-and-swap; see ``MemorySessionStore/rotate(_:)`` and ``RotationOutcome``.
    public func rotate(_ request: RotationRequest) async throws(SessionStoreError) -> RotationOutcome {
        try await sessions.rotate(request)
    }

    /// Records use of a live session; see ``MemorySessionStore/touch(_:at:client:)``.
    /// - Returns: The updated session, or `nil` if it is not live.
    public func touch(_ id: SessionID, at now: Date, client: ClientInfo?) async throws(SessionStoreError) -> Session? {
        try await sessions.touch(id, at: now, client: client)
    }

    /// Ends one session; see ``MemorySessionStore/revoke(_:at:)``.
    /// - Returns: The session as it was, or `nil` if it was not live.
    public func revoke(_ id: SessionID, at now: Date) async throws(SessionStoreError) -> Session? {
        try await sessions.revoke(id, at: now)
    }

    /// Ends every live session of `user` except `keeping`; see ``MemorySessionStore/revokeAll(of:except:at:)``.
    /// - Returns: The sessions that were ended.
    public func revokeAll(
        of user: UserID, except keeping: SessionID?, at now: Date
    ) async throws(SessionStoreError) -> [Session] {
        try await sessions.revokeAll(of: user, except: keeping, at: now)
    }

    /// The live sessions of `user`, newest first; see ``MemorySessionStore/sessions(of:at:)``.
    public func sessions(of user: UserID, at now: Date) async throws(SessionStoreError) -> [Session] {
        try await sessions.sessions(of: user, at: now)
    }

    /// Sets the roles of every live session of `user`; see ``MemorySessionStore/updateRoles(of:to:at:)``.
    /// - Returns: How many sessions were updated.
    public func updateRoles(of user: UserID, to roles: [String], at now: Date) async throws(SessionStoreError) -> Int {
        try await sessions.updateRoles(of: user, to: roles, at: now)
    }

    /// Deletes every session expired by `now`; see ``MemorySessionStore/purgeExpired(at:)``. Rate-limit entries
    /// are not touched: ``MemoryRateLimitStore`` expires them on its own (or through
    /// ``MemoryRateLimitStore/purgeExpired(at:)`` on ``rateLimits``).
    /// - Returns: How many sessions were deleted.
    public func purgeExpired(at now: Date) async throws(SessionStoreError) -> Int {
        try await sessions.purgeExpired(at: now)
    }

    // MARK: - UserStore

    /// Stores a new user; see ``MemoryUserStore/createUser(_:)``.
    /// - Throws: ``SessionStoreError`` `.duplicate` if the id or the email is taken.
    public func createUser(_ user: UserRecord) async throws(SessionStoreError) {
        try await users.createUser(user)
    }

    /// The user with this id, or `nil`.
    public func user(id: UserID) async throws(SessionStoreError) -> UserRecord? {
        try await users.user(id: id)
    }

    /// The user with this (normalised) email, or `nil`.
    public func user(email: String) async throws(SessionStoreError) -> UserRecord? {
        try await users.user(email: email)
    }

    /// Replaces the stored user with the same id; see ``MemoryUserStore/updateUser(_:)``.
    /// - Returns: `false` if there is no such user.
    /// - Throws: ``SessionStoreError`` `.duplicate` if the new email belongs to another user.
    public func updateUser(_ user: UserRecord) async throws(SessionStoreError) -> Bool {
        try await users.updateUser(user)
    }

    // MARK: - RateLimitStore

    /// Counts `cost` requests against `key`, if allowed; see ``MemoryRateLimitStore/acquire(_:limit:cost:at:)``.
    /// - Throws: ``SessionStoreError`` `.invalidArgument` for arguments out of range.
    public func acquire(
        _ key: String, limit: RateLimit, cost: Int, at now: Date
    ) async throws(SessionStoreError) -> RateLimitDecision {
        try await rateLimits.acquire(key, limit: limit, cost: cost, at: now)
    }

    /// Forgets `key`'s rate-limit state; see ``MemoryRateLimitStore/resetRateLimit(_:)``.
    public func resetRateLimit(_ key: String) async throws(SessionStoreError) {
        try await rateLimits.resetRateLimit(key)
    }

    /// Records a failure for `key`; see ``MemoryRateLimitStore/recordFailure(_:at:window:)``.
    /// - Returns: The record after this failure.
    public func recordFailure(
        _ key: String, at now: Date, window: TimeInterval
    ) async throws(SessionStoreError) -> FailureRecord {
        try await rateLimits.recordFailure(key, at: now, window: window)
    }

    /// The failures recorded for `key` within `window` seconds of `now`, or `nil`; see
    /// ``MemoryRateLimitStore/failures(_:at:window:)``.
    public func failures(
        _ key: String, at now: Date, window: TimeInterval
    ) async throws(SessionStoreError) -> FailureRecord? {
        try await rateLimits.failures(key, at: now, window: window)
    }

    /// Forgets `key`'s failures; see ``MemoryRateLimitStore/clearFailures(_:)``.
    public func clearFailures(_ key: String) async throws(SessionStoreError) {
        try await rateLimits.clearFailures(key)
    }

    // MARK: - KeyValueStore

    /// The value stored under `key`, or `nil`.
    public func value(for key: String) async throws(SessionStoreError) -> [UInt8]? {
        try await values.value(for: key)
    }

    /// Atomically sets `key` to `value` if its current value is `expected`; see
    /// ``MemoryKeyValueStore/setValue(_:for:ifCurrentValueIs:)``.
    /// - Returns: Whether the value was set.
    public func setValue(
        _ value: [UInt8], for key: String, ifCurrentValueIs expected: [UInt8]?
    ) async throws(SessionStoreError) -> Bool {
        try await values.setValue(value, for: key, ifCurrentValueIs: expected)
    }
}
