public import Foundation
public import SmartAuthCore

/// An ``AuthStore`` in Redis: sessions, users, rate-limit counters and shared values, plus a
/// ``RevocationFeed`` over Redis pub/sub. Any number of processes can share one Redis server through it.
///
/// ```swift
/// let store = try RedisStore(url: "redis://:secret@127.0.0.1:6379/0",
///                            configuration: .init(keyPrefix: "myapp:auth:", poolSize: 8))
/// ```
///
/// ### Atomicity
/// Every operation that touches more than one key, or reads and then writes, is one Lua script that Redis runs
/// atomically (`EVALSHA`, loaded on each connection): creating a session (its hash, its entry in the user's index
/// and both TTLs), rotating, touching, revoking, revoking all of a user's sessions, updating roles, GCRA, failure
/// records, and compare-and-set of shared values. Reading one session is a single `HGETALL`.
///
/// ### Keys
/// With the prefix `P`: `Ps:<session id>` (hash), `Pus:<user id>` (set of the user's session identifiers),
/// `Pu:<user id>` (user hash), `Pe:<email>` (→ user id), `Prl:<key>` (GCRA theoretical arrival time),
/// `Pf:<key>` (failure record), `Pkv:<key>` (shared value), and the channel `Prevocations`.
///
/// ### Expiry
/// The store trusts the `now` it is given for every decision (is a session live, is the grace window open), and
/// keeps expiry timestamps in the session hash. Redis's own TTLs only reclaim memory: a session key expires the
/// remaining lifetime after it was written (its earlier expiry minus `now`, or minus `createdAt` on create) plus
/// one second, set in the same script that writes it, relative (`PEXPIRE`) so that a caller whose clock differs
/// from the server's never loses a live session early. A user's index set lives as long as the furthest of its
/// sessions (each write extends it, never shortens it), and readers drop index entries whose session is gone, so
/// the index never loses a live session and never keeps a dead one for long. Users and shared values do not
/// expire; counters expire at their theoretical arrival time, failure records `window` after the last failure
/// (each plus the same one-second margin).
///
/// ### Failures
/// Connections are made on first use, one per pool slot, each confined to its own serial queue so that blocking
/// hiredis calls never run on Swift's cooperative pool. A connection that fails (I/O error, timeout, server
/// restart) is dropped and made again by the next operation on that slot. Every operation either answers or throws
/// ``SessionStoreError/Code/unavailable`` within ``Configuration/commandTimeout``, never a guess.
///
/// - Important: The store is meant for a standalone Redis server (or a primary with replicas), not Redis Cluster:
///   its scripts touch keys they compute (a session's user index), which Cluster does not allow across slots.
///   Shared values may hold private keys; protect the server with a password or ACL and a private network.
public final class RedisStore: AuthStore, RevocationFeed {
    /// The longest identifier, key or email the store accepts, in UTF-8 bytes: 1,024.
    public static let maximumNameLength = 1024
    /// Milliseconds added to every session TTL, so that a session is never physically gone before it is
    /// logically expired.
    static let expiryMargin = 1000

    let pool: RedisPool
    let keys: RedisKeys
    let subscriber: RevocationSubscriber

    /// A store for the Redis server at `url`. Does not connect: the first operation does, and every operation
    /// reconnects if it has to.
    ///
    /// - Parameters:
    ///   - url: `redis://[[user]:password@]host[:port][/db]`; the password (percent-encoded) is sent with `AUTH`,
    ///     the database selected with `SELECT`. Port 6379 and database 0 by default.
    ///   - configuration: Key prefix, pool size and timeouts.
    /// - Throws: ``SessionStoreError`` `.invalidArgument` for a URL or configuration it cannot use.
    public init(url: String, configuration: Configuration = .init()) throws(SessionStoreError) {
        let endpoint = try RedisEndpoint(url: url)
        let timeouts = try configuration.validated()
        let settings = ConnectionSettings(
            endpoint: endpoint, connectTimeout: timeouts.connect, commandTimeout: timeouts.command)
        pool = RedisPool(settings: settings, size: configuration.poolSize)
        keys = RedisKeys(prefix: configuration.keyPrefix)
        subscriber = RevocationSubscriber(settings: settings, channel: keys.channel)
    }

    deinit { subscriber.stop() }

    /// Checks that the server answers.
    ///
    /// - Throws: ``SessionStoreError`` `.unavailable` if it does not within the command timeout.
    public func ping() async throws(SessionStoreError) {
        let reply = try await pool.command(RedisCommand("PING"))
        guard case .status("PONG") = reply else {
            throw SessionStoreError(.unavailable, "Redis answered PING unexpectedly")
        }
    }

    // MARK: - SessionStore

    /// Stores a new session, its entry in the user's index and both TTLs, in one script.
    ///
    /// - Throws: ``SessionStoreError`` `.duplicate` if a session with this identifier is stored (even an expired
    ///   one Redis has not removed yet), `.invalidArgument` for an identifier longer than
    ///   ``maximumNameLength`` or a time that is not finite, `.unavailable`.
    public func create(_ session: Session) async throws(SessionStoreError) {
        try Self.validate(session.id.rawValue, session.userID.rawValue)
        try RedisCodec.validate(
            session.createdAt, session.lastSeenAt, session.idleExpiresAt, session.absoluteExpiresAt, session.rotatedAt)
        let arguments: [[UInt8]] =
            [
                Array(session.id.rawValue.utf8), Array(String(Self.expiryMargin).utf8),
                RedisCodec.bytes(session.createdAt), RedisCodec.bytes(session.idleExpiresAt),
                RedisCodec.bytes(session.absoluteExpiresAt),
            ] + RedisCodec.fields(of: session)
        let reply = try await pool.run(
            .create, keys: [keys.session(session.id), keys.userIndex(session.userID)], arguments: arguments)
        guard reply.integer == 1 else {
            if reply.integer == 0 {
                throw SessionStoreError(.duplicate, "a session with this identifier already exists")
            }
            throw RedisCodec.corrupt("an answer")
        }
    }

    /// The live session with identifier `id` at `now`, or `nil` if it is unknown, revoked or expired.
    public func session(_ id: SessionID, at now: Date) async throws(SessionStoreError) -> Session? {
        guard Self.fits(id.rawValue) else { return nil }
        let reply = try await pool.command(RedisCommand("HGETALL", [keys.session(id)]))
        if reply.elements?.isEmpty == true { return nil }
        let session = try RedisCodec.session(id: id, from: reply)
        return session.isExpired(at: now) ? nil : session
    }

    /// The refresh compare-and-swap, in one script; see ``RotationOutcome``.
    ///
    /// A successful rotation sets the generation to the next one, `rotatedAt` and `lastSeenAt` to `now`, the idle
    /// expiry to `now + idleTimeout` capped at the absolute expiry, and the client to the request's; it extends the
    /// session's TTL (and its user index's) to match. A session at generation `UInt64.max` cannot rotate: its
    /// current token is ``RotationOutcome/invalid``. A replay deletes the session and publishes a revocation
    /// notice in the same script.
    public func rotate(_ request: RotationRequest) async throws(SessionStoreError) -> RotationOutcome {
        guard Self.fits(request.sessionID.rawValue) else { return .invalid }
        guard request.graceWindow.isFinite, request.idleTimeout.isFinite else {
            throw SessionStoreError(.invalidArgument, "the grace window and idle timeout must be finite")
        }
        let idleCandidate = request.now.addingTimeInterval(request.idleTimeout)
        try RedisCodec.validate(request.now, idleCandidate)
        let presented = request.presentedGeneration
        let arguments: [[UInt8]] = [
            Array(String(presented).utf8),
            presented == .max ? [] : Array(String(presented + 1).utf8),
            RedisCodec.bytes(request.now), RedisCodec.bytes(idleCandidate),
            Array("\(request.graceWindow)".utf8),
            RedisCodec.optional(request.client.ipAddress), RedisCodec.optional(request.client.userAgent),
            RedisCodec.optional(request.client.deviceName),
            keys.prefix, Array(request.sessionID.rawValue.utf8), Array(String(Self.expiryMargin).utf8),
        ]
        let reply = try await pool.run(.rotate, keys: [keys.session(request.sessionID)], arguments: arguments)
        guard let parts = reply.elements, let kind = parts.first?.text else { throw RedisCodec.corrupt("an answer") }
        switch (kind, parts.count) {
        case ("invalid", 1):
            return .invalid
        case ("rotated", 3):
            let session = try RedisCodec.session(id: request.sessionID, from: parts[1])
            guard let previous = parts[2].elements, previous.count == 3 else { throw RedisCodec.corrupt("an answer") }
            let client = ClientInfo(
                ipAddress: previous[0].text, userAgent: previous[1].text, deviceName: previous[2].text)
            return .rotated(session, previousClient: client)
        case ("grace", 2):
            return .grace(try RedisCodec.session(id: request.sessionID, from: parts[1]))
        case ("reused", 2):
            return .reused(try RedisCodec.session(id: request.sessionID, from: parts[1]))
        default:
            throw RedisCodec.corrupt("an answer")
        }
    }

    /// Records use of a live session: sets `lastSeenAt` to `now` and, when given, the client. Neither the idle
    /// expiry nor the TTL moves.
    ///
    /// - Returns: The updated session, or `nil` if it is not live.
    public func touch(_ id: SessionID, at now: Date, client: ClientInfo?) async throws(SessionStoreError) -> Session? {
        guard Self.fits(id.rawValue) else { return nil }
        try RedisCodec.validate(now)
        var arguments: [[UInt8]] = [RedisCodec.bytes(now), Array((client == nil ? "0" : "1").utf8)]
        arguments += [
            RedisCodec.optional(client?.ipAddress), RedisCodec.optional(client?.userAgent),
            RedisCodec.optional(client?.deviceName),
        ]
        let reply = try await pool.run(.touch, keys: [keys.session(id)], arguments: arguments)
        if reply == .null { return nil }
        return try RedisCodec.session(id: id, from: reply)
    }

    /// Ends one session, and publishes a revocation notice if it was live.
    ///
    /// - Returns: The session as it was, or `nil` if it was not live (an expired one is deleted all the same).
    public func revoke(_ id: SessionID, at now: Date) async throws(SessionStoreError) -> Session? {
        guard Self.fits(id.rawValue) else { return nil }
        try RedisCodec.validate(now)
        let reply = try await pool.run(
            .revoke, keys: [keys.session(id)],
            arguments: [RedisCodec.bytes(now), keys.prefix, Array(id.rawValue.utf8)])
        if reply == .null { return nil }
        return try RedisCodec.session(id: id, from: reply)
    }

    /// Ends every live session of `user` except `keeping`, in one script (so a concurrent ``create(_:)`` for the
    /// user lands wholly before or after it), and publishes one revocation notice naming them (with the user when
    /// nothing was kept).
    ///
    /// - Returns: The sessions that were live and are now ended, newest first. Expired sessions of the user are
    ///   deleted too but not returned.
    public func revokeAll(
        of user: UserID, except keeping: SessionID?, at now: Date
    ) async throws(SessionStoreError) -> [Session] {
        guard Self.fits(user.rawValue) else { return [] }
        try RedisCodec.validate(now)
        let reply = try await pool.run(
            .revokeAll, keys: [keys.userIndex(user)],
            arguments: [
                RedisCodec.bytes(now), keys.prefix, Array(user.rawValue.utf8), RedisCodec.optional(keeping?.rawValue),
            ])
        return try RedisCodec.sessions(from: reply)
    }

    /// The live sessions of `user` at `now`, newest first: by descending `createdAt`, then by identifier in
    /// ascending byte order. Drops index entries whose session is gone.
    public func sessions(of user: UserID, at now: Date) async throws(SessionStoreError) -> [Session] {
        guard Self.fits(user.rawValue) else { return [] }
        try RedisCodec.validate(now)
        let reply = try await pool.run(
            .sessionsOfUser, keys: [keys.userIndex(user)],
            arguments: [RedisCodec.bytes(now), keys.prefix, Array(user.rawValue.utf8)])
        return try RedisCodec.sessions(from: reply)
    }

    /// Sets the roles of every live session of `user`, in one script.
    ///
    /// - Returns: How many sessions were updated.
    public func updateRoles(of user: UserID, to roles: [String], at now: Date) async throws(SessionStoreError) -> Int {
        guard Self.fits(user.rawValue) else { return 0 }
        try RedisCodec.validate(now)
        let reply = try await pool.run(
            .updateRoles, keys: [keys.userIndex(user)],
            arguments: [RedisCodec.bytes(now), keys.prefix, Array(user.rawValue.utf8), RedisCodec.rolesJSON(roles)])
        guard let count = reply.integer else { throw RedisCodec.corrupt("an answer") }
        return Int(count)
    }

    /// Deletes every session that has expired by `now`, then every index entry that names a session that is gone.
    ///
    /// Redis removes sessions by their TTL on its own, so in production this mostly tidies index entries. It walks
    /// the prefix's keys with `SCAN` (in batches of up to 1,000, each checked and deleted by one script), so it is
    /// not one atomic step, but each session it deletes was expired when deleted.
    ///
    /// - Returns: How many sessions this call deleted (Redis's TTLs may have removed others before).
    public func purgeExpired(at now: Date) async throws(SessionStoreError) -> Int {
        try RedisCodec.validate(now)
        var deleted = 0
        try await scan(pattern: keys.pattern("s:"), type: "hash") { batch throws(SessionStoreError) in
            let reply = try await pool.run(
                .purgeSessions, keys: batch, arguments: [RedisCodec.bytes(now), keys.prefix])
            deleted += Int(reply.integer ?? 0)
        }
        try await scan(pattern: keys.pattern("us:"), type: "set") { batch throws(SessionStoreError) in
            _ = try await pool.run(.purgeIndexes, keys: batch, arguments: [keys.prefix])
        }
        return deleted
    }

    /// Calls `body` with each batch of keys that `SCAN` finds.
    private func scan(
        pattern: [UInt8], type: String, _ body: ([[UInt8]]) async throws(SessionStoreError) -> Void
    ) async throws(SessionStoreError) {
        var cursor = Array("0".utf8)
        repeat {
            let reply = try await pool.command(
                RedisCommand(
                    "SCAN",
                    [
                        cursor, Array("MATCH".utf8), pattern, Array("COUNT".utf8), Array("1000".utf8),
                        Array("TYPE".utf8), Array(type.utf8),
                    ]))
            guard let parts = reply.elements, parts.count == 2, let next = parts[0].bytes, let found = parts[1].elements
            else { throw RedisCodec.corrupt("a SCAN answer") }
            let batch = found.compactMap(\.bytes)
            if !batch.isEmpty { try await body(batch) }
            cursor = next
        } while cursor != Array("0".utf8)
    }

    // MARK: - Limits

    /// Whether a name is short enough to be a key.
    static func fits(_ name: String) -> Bool { name.utf8.count <= maximumNameLength }

    static func validate(_ names: String...) throws(SessionStoreError) {
        for name in names where !fits(name) {
            throw SessionStoreError(.invalidArgument, "an identifier is longer than \(maximumNameLength) bytes")
        }
    }
}

/// The store's key names; see ``RedisStore``'s discussion.
struct RedisKeys: Sendable {
    let prefix: [UInt8]

    init(prefix: String) { self.prefix = Array(prefix.utf8) }

    private func key(_ namespace: String, _ name: String) -> [UInt8] {
        prefix + Array(namespace.utf8) + Array(name.utf8)
    }

    func session(_ id: SessionID) -> [UInt8] { key("s:", id.rawValue) }
    func userIndex(_ user: UserID) -> [UInt8] { key("us:", user.rawValue) }
    func user(_ id: UserID) -> [UInt8] { key("u:", id.rawValue) }
    func email(_ email: String) -> [UInt8] { key("e:", email) }
    func rateLimit(_ name: String) -> [UInt8] { key("rl:", name) }
    func failures(_ name: String) -> [UInt8] { key("f:", name) }
    func value(_ name: String) -> [UInt8] { key("kv:", name) }
    var channel: [UInt8] { prefix + Array("revocations".utf8) }

    /// A `SCAN MATCH` pattern for every key in `namespace`, with the prefix's glob characters escaped.
    func pattern(_ namespace: String) -> [UInt8] {
        var pattern: [UInt8] = []
        for byte in prefix {
            if byte == UInt8(ascii: "*") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "[")
                || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "\\")
            {
                pattern.append(UInt8(ascii: "\\"))
            }
            pattern.append(byte)
        }
        return pattern + Array(namespace.utf8) + [UInt8(ascii: "*")]
    }
}
