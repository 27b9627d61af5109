public import Foundation
public import SmartAuthCore

/// An ``AuthStore`` in PostgreSQL: sessions, users, rate-limit counters and shared values, shared by every
/// process that connects to the same database and schema, with revocations broadcast through `LISTEN/NOTIFY`
/// (``RevocationFeed``).
///
/// The store opens up to ``Configuration/poolSize`` connections on demand, each owned by a thread of its own, so
/// libpq's blocking calls never run on Swift's cooperative threads. On first use it creates its schema and
/// tables (versioned migrations, safe when several processes start at once).
///
/// Every operation is atomic: one SQL statement, or one transaction holding a row lock (``rotate(_:)``,
/// ``revokeAll(of:except:at:)``). Statements are prepared once per connection and always take their values as
/// bound parameters.
///
/// The store fails closed: when PostgreSQL is down, the connection drops or an answer does not come in time,
/// operations throw ``SessionStoreError`` with code ``SessionStoreError/Code/unavailable`` within
/// ``Configuration/connectTimeout``, ``Configuration/statementTimeout`` and ``Configuration/poolTimeout``, and
/// the store reconnects by itself when the server is back.
///
/// - Important: Expired rows are deleted by ``purgeExpired(at:)`` (sessions, rate-limit keys and failure records
///   alike); call it periodically, for example every minute.
public final class PostgresStore: AuthStore, RevocationFeed {
    /// Session and user identifiers longer than this many UTF-8 bytes are refused by ``create(_:)`` and
    /// ``createUser(_:)``, so that a revocation notice always fits PostgreSQL's notification size.
    public static let maximumIdentifierLength = 1024

    let pool: ConnectionPool
    private let listener: RevocationListener
    let settings: ConnectionSettings

    /// A store for the database at `url`. Does not connect: the first operation does (see ``migrate()`` to
    /// connect and create the schema at startup).
    ///
    /// - Parameters:
    ///   - url: A `postgres://` or `postgresql://` URL as libpq reads it, e.g.
    ///     `postgresql://user:password@db.internal:5432/app?sslmode=verify-full`. The store's own
    ///     `connect_timeout` and `options` replace any in the URL.
    ///   - configuration: Schema, pool size and timeouts.
    /// - Throws: ``SessionStoreError`` with code ``SessionStoreError/Code/invalidArgument`` if the URL cannot be
    ///   parsed or a setting is out of range.
    public init(url: String, configuration: Configuration = .init()) throws(SessionStoreError) {
        settings = try ConnectionSettings(url: url, configuration: configuration)
        pool = ConnectionPool(settings: settings)
        listener = RevocationListener(settings: settings)
    }

    deinit {
        listener.stop()
        if settings.dropsSchemaOnDeinit && pool.hasConnected {
            let settings = settings
            pool.submitIgnoringResult { connection, _ throws(SessionStoreError) in
                try Migrations.dropSchema(on: connection, settings: settings)
            }
        }
        pool.shutDown()
    }

    /// Connects and brings the schema up to date now, instead of on the first operation.
    /// - Throws: ``SessionStoreError`` `.unavailable` if PostgreSQL cannot be reached; `.corrupt` if the schema is
    ///   newer than this library.
    public func migrate() async throws(SessionStoreError) {
        try await pool.run { _, _ throws(SessionStoreError) in }
    }

    // MARK: - SessionStore

    /// Stores a new session.
    ///
    /// - Throws: ``SessionStoreError`` `.duplicate` if a session with this identifier exists (even an expired one
    ///   not purged yet); `.invalidArgument` if an identifier is longer than ``maximumIdentifierLength`` bytes or
    ///   a text contains a NUL character; `.unavailable`.
    public func create(_ session: Session) async throws(SessionStoreError) {
        guard session.id.rawValue.utf8.count <= Self.maximumIdentifierLength,
            session.userID.rawValue.utf8.count <= Self.maximumIdentifierLength
        else { throw SessionStoreError(.invalidArgument, "the session or user identifier is too long") }
        let parameters = Row.parameters(of: session)
        _ = try await pool.run { connection, deadline throws(SessionStoreError) in
            try connection.execute(Statements.insertSession, parameters, deadline: deadline)
        }
    }

    /// The live session with identifier `id` at `now`, or `nil`.
    public func session(_ id: SessionID, at now: Date) async throws(SessionStoreError) -> Session? {
        guard Self.isStorable(id.rawValue) else { return nil }
        return try await pool.execute(Statements.selectSession, [.text(id.rawValue), Row.date(now)]) {
            result throws(SessionStoreError) in try result.rows.first.map(Row.session)
        }
    }

    /// The refresh compare-and-swap (see ``RotationOutcome``). The common case, the current token, is one
    /// `UPDATE … RETURNING` (``Statements/rotateCurrentSession``). Otherwise, in one transaction: the live session
    /// is read with `SELECT … FOR UPDATE`, the outcome decided, and the row updated or deleted before the lock is
    /// released, so concurrent refreshes of one session are serialised.
    ///
    /// A replay deletes the session and announces it on the revocation channel in the same transaction.
    public func rotate(_ request: RotationRequest) async throws(SessionStoreError) -> RotationOutcome {
        guard Self.isStorable(request.sessionID.rawValue) else { return .invalid }
        // The common case — the current token — in one round trip.
        let parameters: [Parameter] = [
            .text(request.sessionID.rawValue), .text(String(request.presentedGeneration)), Row.date(request.now),
            .double(request.idleTimeout), .optional(request.client.ipAddress), .optional(request.client.userAgent),
            .optional(request.client.deviceName),
        ]
        let rotated = try await pool.execute(Statements.rotateCurrentSession, parameters) {
            result throws(SessionStoreError) -> RotationOutcome? in
            guard let row = result.rows.first, row.count >= 17 else { return nil }
            let previous = ClientInfo(ipAddress: row[14]?.asText, userAgent: row[15]?.asText, deviceName: row[16]?.asText)
            return .rotated(try Row.session(row), previousClient: previous)
        }
        if let rotated { return rotated }
        let channel = settings.channel.name
        return try await pool.run { connection, deadline throws(SessionStoreError) in
            try connection.transaction(deadline: deadline) { () throws(SessionStoreError) -> RotationOutcome in
                let id = request.sessionID.rawValue
                let locked = try connection.execute(
                    Statements.lockSession, [.text(id), Row.date(request.now)], deadline: deadline)
                guard let row = locked.rows.first else { return .invalid }
                let current = try Row.session(row)
                switch RotationStep(current, request) {
                case .invalid:
                    return .invalid
                case .grace:
                    return .grace(current)
                case .rotate:
                    var next = current
                    next.generation += 1
                    next.rotatedAt = request.now
                    next.lastSeenAt = request.now
                    next.idleExpiresAt = min(request.now.addingTimeInterval(request.idleTimeout), current.absoluteExpiresAt)
                    next.client = request.client
                    _ = try connection.execute(
                        Statements.rotateSession,
                        [
                            .text(id), .text(String(next.generation)), Row.date(request.now),
                            Row.date(next.idleExpiresAt), .optional(next.client.ipAddress),
                            .optional(next.client.userAgent), .optional(next.client.deviceName),
                        ], deadline: deadline)
                    return .rotated(next, previousClient: current.client)
                case .reuse:
                    _ = try connection.execute(
                        Statements.deleteReplayedSession,
                        [.text(id), .text(channel), .text(NoticePayload.encode([id], userID: nil))], deadline: deadline)
                    return .reused(current)
                }
            }
        }
    }

    /// Records use of a live session: sets `lastSeenAt` to `now` and, when given, the client. One `UPDATE …
    /// RETURNING`.
    /// - Returns: The updated session, or `nil` if it is not live.
    public func touch(_ id: SessionID, at now: Date, client: ClientInfo?) async throws(SessionStoreError) -> Session? {
        guard Self.isStorable(id.rawValue) else { return nil }
        let parameters: [Parameter] = [
            .text(id.rawValue), Row.date(now), Row.date(now), .bool(client != nil), .optional(client?.ipAddress),
            .optional(client?.userAgent), .optional(client?.deviceName),
        ]
        return try await pool.execute(Statements.touchSession, parameters) { result throws(SessionStoreError) in
            try result.rows.first.map(Row.session)
        }
    }

    /// Ends one session with one `DELETE … RETURNING` that also announces it (`pg_notify`).
    /// - Returns: The session as it was, or `nil` if it was not live (an expired one is deleted all the same).
    public func revoke(_ id: SessionID, at now: Date) async throws(SessionStoreError) -> Session? {
        guard Self.isStorable(id.rawValue) else { return nil }
        let parameters: [Parameter] = [
            .text(id.rawValue), .text(settings.channel.name), .text(NoticePayload.encode([id.rawValue], userID: nil)),
        ]
        let session = try await pool.run { connection, deadline throws(SessionStoreError) in
            let result = try connection.execute(Statements.revokeSession, parameters, deadline: deadline)
            return try result.rows.first.map(Row.session)
        }
        guard let session, !session.isExpired(at: now) else { return nil }
        return session
    }

    /// Ends every session of `user` except `keeping`, in one transaction: the rows are locked in identifier order
    /// and deleted by one `DELETE … RETURNING`, and the revocation is announced before the commit. A session that
    /// several callers revoke at once is returned to exactly one of them; a session created concurrently is either
    /// deleted or survives whole.
    ///
    /// - Returns: The sessions that were live, as they were, newest first. Expired sessions of the user are deleted
    ///   too but not returned.
    public func revokeAll(
        of user: UserID, except keeping: SessionID?, at now: Date
    ) async throws(SessionStoreError) -> [Session] {
        guard Self.isStorable(user.rawValue) else { return [] }
        let kept: Parameter = keeping.map { Self.isStorable($0.rawValue) ? .text($0.rawValue) : .null } ?? .null
        let channel = settings.channel.name
        let ended = try await pool.run { connection, deadline throws(SessionStoreError) in
            try connection.transaction(deadline: deadline) { () throws(SessionStoreError) -> [Session] in
                let result = try connection.execute(
                    Statements.revokeAllSessions, [.text(user.rawValue), kept], deadline: deadline)
                let sessions = try Row.sessions(result)
                let payloads = NoticePayload.chunks(
                    sessionIDs: sessions.map(\.id.rawValue), userID: keeping == nil ? user.rawValue : nil)
                for payload in payloads {
                    _ = try connection.execute(Statements.notify, [.text(channel), .text(payload)], deadline: deadline)
                }
                return sessions
            }
        }
        return ended.filter { !$0.isExpired(at: now) }.sorted(by: Row.newestFirst)
    }

    /// The live sessions of `user` at `now`, newest first: by descending `createdAt`, then by identifier in byte
    /// order. Served by the index on `(user_id, created_at DESC, id)`.
    public func sessions(of user: UserID, at now: Date) async throws(SessionStoreError) -> [Session] {
        guard Self.isStorable(user.rawValue) else { return [] }
        return try await pool.run { connection, deadline throws(SessionStoreError) in
            let result = try connection.execute(
                Statements.sessionsOfUser, [.text(user.rawValue), Row.date(now)], deadline: deadline)
            return try Row.sessions(result)
        }
    }

    /// Sets the roles of every live session of `user`, in one `UPDATE`.
    /// - Returns: How many sessions were updated.
    public func updateRoles(of user: UserID, to roles: [String], at now: Date) async throws(SessionStoreError) -> Int {
        guard Self.isStorable(user.rawValue) else { return 0 }
        let parameters = [.text(user.rawValue), Row.date(now), Row.roles(roles)]
        return try await pool.run { connection, deadline throws(SessionStoreError) in
            try connection.execute(Statements.updateRoles, parameters, deadline: deadline).affectedRows
        }
    }

    /// Deletes every session that has expired by `now`, and also the rate-limit keys and failure records that have
    /// expired (PostgreSQL has no TTL of its own).
    /// - Returns: How many sessions were deleted.
    public func purgeExpired(at now: Date) async throws(SessionStoreError) -> Int {
        let date = Row.date(now)
        let microseconds = Parameter.int(GCRA.microseconds(now))
        return try await pool.run { connection, deadline throws(SessionStoreError) in
            let sessions = try connection.execute(Statements.purgeSessions, [date], deadline: deadline).affectedRows
            _ = try connection.execute(Statements.purgeRateLimits, [microseconds], deadline: deadline)
            _ = try connection.execute(Statements.purgeFailures, [date], deadline: deadline)
            return sessions
        }
    }

    // MARK: - RevocationFeed

    /// Notices of revocations made through any ``PostgresStore`` on the same database and schema, from the moment
    /// the store's listening connection is in place: ``revoke(_:at:)``, ``revokeAll(of:except:at:)`` (with
    /// ``RevocationNotice/userID`` set when no session was kept) and replays detected by ``rotate(_:)``.
    ///
    /// One `LISTEN` connection, on a thread of its own, serves every stream of this store; it is opened with the
    /// first stream and closed when the last one ends, and re-established when it breaks. Notices sent while it is
    /// reconnecting are lost (an engine's cache ttl bounds the effect).
    public func revocationNotices() -> AsyncStream<RevocationNotice> {
        listener.subscribe()
    }

    /// Whether the revocation listener is connected and listening (tests wait for it).
    package var isListeningForRevocations: Bool { listener.isListening }

    // MARK: - Internals

    /// Text that can be stored: PostgreSQL text cannot hold NUL, so an identifier with one names nothing.
    static func isStorable(_ text: String) -> Bool { !text.utf8.contains(0) }
}

/// What ``PostgresStore/rotate(_:)`` does with a live session, by the rules of ``RotationOutcome``: the same
/// decision as ``MemorySessionStore``.
enum RotationStep: Equatable {
    case rotate, grace, reuse, invalid

    init(_ session: Session, _ request: RotationRequest) {
        let presented = request.presentedGeneration
        let generation = session.generation
        if presented == generation {
            self = generation < UInt64.max ? .rotate : .invalid
        } else if presented > generation {
            self = .invalid
        } else if presented == generation - 1, request.graceWindow > 0,
            request.now.timeIntervalSince(session.rotatedAt) < request.graceWindow
        {
            self = .grace
        } else {
            self = .reuse
        }
    }
}
