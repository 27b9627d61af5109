public import Foundation
public import SmartAuthCore

/// ``SessionStore``: each operation is one statement, or one read-decide-write step, inside a `BEGIN IMMEDIATE`
/// transaction on the writer connection (at a savepoint of its own when writes are committed together); reads are
/// single `SELECT`s on a reader connection.
extension SQLiteStore {
    private static let insertSession =
        "INSERT INTO sessions (\(SessionRow.columns)) "
        + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
    private static let selectLiveSession =
        "SELECT \(SessionRow.columns) FROM sessions WHERE id = ?1 AND expires_at > ?2"

    /// Stores a new session.
    ///
    /// - Parameter session: The session; its identifier must not be in the store yet.
    /// - Throws: ``SessionStoreError`` `.duplicate` if a session with this identifier is stored (even an expired one
    ///   not purged yet); `.invalidArgument` if a time is not finite; `.unavailable`.
    public func create(_ session: Session) async throws(SessionStoreError) {
        let values = SessionRow.values(of: session)
        try await write(at: session.createdAt) { connection throws(SessionStoreError) in
            do throws(SessionStoreError) {
                try connection.execute(Self.insertSession, values)
            } catch  where error.code == .duplicate {
                throw SessionStoreError(.duplicate, "a session with this identifier already exists", underlying: error)
            }
        }
    }

    /// The live session with identifier `id` at `now`, or `nil` if it is unknown, revoked or expired.
    ///
    /// - Parameters:
    ///   - id: The session's identifier.
    ///   - now: The time of the request.
    /// - Returns: The session, or `nil`.
    /// - Throws: ``SessionStoreError`` `.unavailable`, `.corrupt`.
    public func session(_ id: SessionID, at now: Date) async throws(SessionStoreError) -> Session? {
        try await reader().run { connection throws(SessionStoreError) in
            try connection.queryFirst(Self.selectLiveSession, [.text(id.rawValue), .time(now)], row: SessionRow.decode)
        }
    }

    /// The refresh compare-and-swap: reads the session, decides by ``RotationOutcome``'s rules and writes the
    /// result, inside a `BEGIN IMMEDIATE` transaction, so concurrent refreshes of one token (from any number of tasks
    /// or processes) see each other's effects in order.
    ///
    /// A successful rotation sets the generation to the next one, `rotatedAt` and `lastSeenAt` to the request's
    /// time, the idle expiry to `now + idleTimeout` capped at the absolute expiry, and the client to the request's.
    /// A session whose generation has reached `UInt64.max` cannot rotate any more: its current token is
    /// ``RotationOutcome/invalid``.
    ///
    /// - Parameter request: The session, the presented generation, the time and the windows.
    /// - Returns: ``RotationOutcome/rotated(_:previousClient:)``, ``RotationOutcome/grace(_:)``,
    ///   ``RotationOutcome/reused(_:)`` (the session is then deleted) or ``RotationOutcome/invalid``.
    /// - Throws: ``SessionStoreError`` `.unavailable`, `.corrupt`.
    public func rotate(_ request: RotationRequest) async throws(SessionStoreError) -> RotationOutcome {
        try await write(at: request.now) { connection throws(SessionStoreError) -> RotationOutcome in
            let now = request.now
            let id = SQLiteValue.text(request.sessionID.rawValue)
            guard
                let session = try connection.queryFirst(
                    Self.selectLiveSession, [id, .time(now)], row: SessionRow.decode)
            else { return .invalid }
            let presented = request.presentedGeneration
            if presented == session.generation {
                guard session.generation < UInt64.max else { return .invalid }
                var rotated = session
                rotated.generation += 1
                rotated.rotatedAt = now
                rotated.lastSeenAt = now
                rotated.idleExpiresAt = min(now.addingTimeInterval(request.idleTimeout), session.absoluteExpiresAt)
                rotated.client = request.client
                try connection.execute(
                    """
                    UPDATE sessions SET generation = ?2, rotated_at = ?3, last_seen_at = ?3, idle_expires_at = ?4,
                        ip_address = ?5, user_agent = ?6, device_name = ?7
                    WHERE id = ?1
                    """,
                    [
                        id, .integer(Int64(bitPattern: rotated.generation)), .time(now), .time(rotated.idleExpiresAt),
                        .optionalText(request.client.ipAddress), .optionalText(request.client.userAgent),
                        .optionalText(request.client.deviceName),
                    ])
                return .rotated(rotated, previousClient: session.client)
            }
            if presented > session.generation { return .invalid }
            if presented == session.generation - 1, request.graceWindow > 0,
                now.timeIntervalSince(session.rotatedAt) < request.graceWindow
            {
                return .grace(session)
            }
            // An older generation, or the previous one outside the window: a replay ends the session.
            try connection.execute("DELETE FROM sessions WHERE id = ?1", [id])
            return .reused(session)
        }
    }

    /// Records use of a live session: sets `lastSeenAt` to `now` and, when given, the client. One `UPDATE …
    /// RETURNING`.
    ///
    /// - Parameters:
    ///   - id: The session's identifier.
    ///   - now: The time of the use.
    ///   - client: The client now using the session, or `nil` to leave it as it is.
    /// - Returns: The updated session, or `nil` if it is not live.
    /// - Throws: ``SessionStoreError`` `.unavailable`, `.corrupt`.
    public func touch(_ id: SessionID, at now: Date, client: ClientInfo?) async throws(SessionStoreError) -> Session? {
        try await write(at: now) { connection throws(SessionStoreError) -> Session? in
            let key = SQLiteValue.text(id.rawValue)
            guard let client else {
                return try connection.queryFirst(
                    """
                    UPDATE sessions SET last_seen_at = ?2
                    WHERE id = ?1 AND expires_at > ?2 RETURNING \(SessionRow.columns)
                    """,
                    [key, .time(now)], row: SessionRow.decode)
            }
            return try connection.queryFirst(
                """
                UPDATE sessions SET last_seen_at = ?2, ip_address = ?3, user_agent = ?4, device_name = ?5
                WHERE id = ?1 AND expires_at > ?2 RETURNING \(SessionRow.columns)
                """,
                [
                    key, .time(now), .optionalText(client.ipAddress), .optionalText(client.userAgent),
                    .optionalText(client.deviceName),
                ],
                row: SessionRow.decode)
        }
    }

    /// Ends one session: one `DELETE … RETURNING`.
    ///
    /// - Parameters:
    ///   - id: The session's identifier.
    ///   - now: The time of the revocation.
    /// - Returns: The session as it was, or `nil` if it was not live (an expired one is deleted all the same).
    /// - Throws: ``SessionStoreError`` `.unavailable`, `.corrupt`.
    public func revoke(_ id: SessionID, at now: Date) async throws(SessionStoreError) -> Session? {
        try await write(at: now) { connection throws(SessionStoreError) -> Session? in
            let deleted = try connection.queryFirst(
                "DELETE FROM sessions WHERE id = ?1 RETURNING \(SessionRow.columns)", [.text(id.rawValue)],
                row: SessionRow.decode)
            guard let deleted, !deleted.isExpired(at: now) else { return nil }
            return deleted
        }
    }

    /// Ends every live session of `user`, except `keeping` if given: one `DELETE … RETURNING`, so a concurrent
    /// ``create(_:)`` for the user lands entirely before (and is revoked) or after (and survives), and each session
    /// revoked by several concurrent callers is returned to exactly one of them.
    ///
    /// - Parameters:
    ///   - user: Whose sessions to end.
    ///   - keeping: A session of `user` to leave alone (usually the caller's own), or `nil`.
    ///   - now: The time of the revocation.
    /// - Returns: The sessions that were ended, as they were, newest first. Expired sessions of the user are
    ///   deleted too but not returned.
    /// - Throws: ``SessionStoreError`` `.unavailable`, `.corrupt`.
    public func revokeAll(
        of user: UserID, except keeping: SessionID?, at now: Date
    ) async throws(SessionStoreError) -> [Session] {
        try await write(at: now) { connection throws(SessionStoreError) -> [Session] in
            let deleted = try connection.query(
                "DELETE FROM sessions WHERE user_id = ?1 AND (?2 IS NULL OR id <> ?2) RETURNING \(SessionRow.columns)",
                [.text(user.rawValue), .optionalText(keeping?.rawValue)], row: SessionRow.decode)
            return deleted.filter { !$0.isExpired(at: now) }.sorted(by: SessionRow.newestFirst)
        }
    }

    /// The live sessions of `user` at `now`, newest first: by descending `createdAt`, then by identifier in
    /// ascending byte order. One `SELECT` over the `(user_id, created_at DESC, id)` index.
    ///
    /// - Parameters:
    ///   - user: Whose sessions to list.
    ///   - now: The time of the request.
    /// - Returns: The sessions; empty if the user has none.
    /// - Throws: ``SessionStoreError`` `.unavailable`, `.corrupt`.
    public func sessions(of user: UserID, at now: Date) async throws(SessionStoreError) -> [Session] {
        try await reader().run { connection throws(SessionStoreError) -> [Session] in
            try connection.query(
                """
                SELECT \(SessionRow.columns) FROM sessions
                WHERE user_id = ?1 AND expires_at > ?2 ORDER BY created_at DESC, id
                """,
                [.text(user.rawValue), .time(now)], row: SessionRow.decode)
        }
    }

    /// Sets the roles of every live session of `user`: one `UPDATE`.
    ///
    /// - Returns: How many sessions were updated.
    /// - Throws: ``SessionStoreError`` `.unavailable`.
    public func updateRoles(of user: UserID, to roles: [String], at now: Date) async throws(SessionStoreError) -> Int {
        let encoded = JSONCoding.string(of: roles)
        return try await write(at: now) { connection throws(SessionStoreError) -> Int in
            try connection.execute(
                "UPDATE sessions SET roles = ?2 WHERE user_id = ?1 AND expires_at > ?3",
                [.text(user.rawValue), .text(encoded), .time(now)])
        }
    }

    /// Deletes every session that has expired by `now` — and expired rate-limit states and failure records — in
    /// one transaction. The user index is an SQL index and never names a deleted session.
    ///
    /// - Parameter now: The time of the purge.
    /// - Returns: How many sessions were deleted by this call (the automatic purge may have deleted others
    ///   before).
    /// - Throws: ``SessionStoreError`` `.unavailable`.
    public func purgeExpired(at now: Date) async throws(SessionStoreError) -> Int {
        try await write(at: nil) { connection throws(SessionStoreError) -> Int in
            try Self.sweep(connection, at: now, limit: nil)
        }
    }
}
