import Foundation
import SmartAuthCore
import SmartAuthJWT

/// How values are written into Redis hashes and read back.
///
/// A session is a hash with short field names: `u` user, `c` createdAt, `l` lastSeenAt, `i` idleExpiresAt,
/// `a` absoluteExpiresAt, `g` generation (decimal), `r` rotatedAt, `ip`/`ua`/`dn` the client's parts (absent when
/// `nil`), `ro` roles (JSON array), `cl` claims (JSON object), `al` authentication level. A user is a hash with
/// `e` email, `h` password hash, `ro` roles, `d` disabled (`0`/`1`), `c` createdAt, `v` credential version.
///
/// Times are seconds since the reference date (`Date.timeIntervalSinceReferenceDate`, the value a `Date` holds)
/// written as Swift's shortest round-tripping text, so every `Date` reads back `==` to the one written; converting
/// through seconds since 1970 would round some fractional times.
enum RedisCodec {
    static func text(_ date: Date) -> String { "\(date.timeIntervalSinceReferenceDate)" }

    static func bytes(_ date: Date) -> [UInt8] { Array(text(date).utf8) }

    static func date(_ text: String?) -> Date? {
        guard let text, let seconds = Double(text), seconds.isFinite else { return nil }
        return Date(timeIntervalSinceReferenceDate: seconds)
    }

    /// An optional text as a script argument: `0` for `nil`, else `1` followed by the text.
    static func optional(_ text: String?) -> [UInt8] {
        guard let text else { return [UInt8(ascii: "0")] }
        return [UInt8(ascii: "1")] + Array(text.utf8)
    }

    static func rolesJSON(_ roles: [String]) -> [UInt8] { JSONWriter.bytes(of: .array(roles.map { .string($0) })) }

    /// Claims and roles are read with generous limits: they were written by this store, not by an attacker, but a
    /// store must not trap on whatever it finds.
    private static let parser = JSONParser(limits: .init(maximumDepth: 256, maximumByteCount: 64 << 20))

    static func roles(_ bytes: [UInt8]?) -> [String]? {
        guard let bytes, let array = try? parser.parse(bytes).arrayValue else { return nil }
        var roles: [String] = []
        roles.reserveCapacity(array.count)
        for element in array {
            guard let role = element.stringValue else { return nil }
            roles.append(role)
        }
        return roles
    }

    static func claims(_ bytes: [UInt8]?) -> JSONObject? {
        guard let bytes else { return nil }
        return try? parser.parse(bytes).objectValue
    }

    /// Checks that a time can be stored: finite.
    static func validate(_ dates: Date...) throws(SessionStoreError) {
        for date in dates where !date.timeIntervalSinceReferenceDate.isFinite {
            throw SessionStoreError(.invalidArgument, "a time is not finite")
        }
    }

    // MARK: - Sessions

    /// The hash's field/value pairs for `session`, flat.
    static func fields(of session: Session) -> [[UInt8]] {
        var fields: [[UInt8]] = [
            Array("u".utf8), Array(session.userID.rawValue.utf8),
            Array("c".utf8), bytes(session.createdAt),
            Array("l".utf8), bytes(session.lastSeenAt),
            Array("i".utf8), bytes(session.idleExpiresAt),
            Array("a".utf8), bytes(session.absoluteExpiresAt),
            Array("g".utf8), Array(String(session.generation).utf8),
            Array("r".utf8), bytes(session.rotatedAt),
            Array("ro".utf8), rolesJSON(session.roles),
            Array("cl".utf8), JSONWriter.bytes(of: .object(session.claims)),
            Array("al".utf8), Array(String(session.authenticationLevel).utf8),
        ]
        for (name, value) in [
            ("ip", session.client.ipAddress), ("ua", session.client.userAgent),
            ("dn", session.client.deviceName),
        ] {
            if let value { fields += [Array(name.utf8), Array(value.utf8)] }
        }
        return fields
    }

    /// The field → bytes map of a flat `HGETALL` reply.
    static func map(_ reply: RedisValue) throws(SessionStoreError) -> [String: [UInt8]] {
        guard let flat = reply.elements, flat.count % 2 == 0 else { throw corrupt("a hash") }
        var map: [String: [UInt8]] = [:]
        map.reserveCapacity(flat.count / 2)
        var index = 0
        while index < flat.count {
            guard let name = flat[index].text, let value = flat[index + 1].bytes else { throw corrupt("a hash") }
            map[name] = value
            index += 2
        }
        return map
    }

    /// A session from its hash (an `HGETALL` reply).
    static func session(id: SessionID, from reply: RedisValue) throws(SessionStoreError) -> Session {
        let fields = try map(reply)
        func string(_ name: String) -> String? { fields[name].flatMap { String(validating: $0, as: UTF8.self) } }
        guard let user = string("u"), let createdAt = date(string("c")), let lastSeenAt = date(string("l")),
            let idleExpiresAt = date(string("i")), let absoluteExpiresAt = date(string("a")),
            let generation = string("g").flatMap({ UInt64($0) }), let rotatedAt = date(string("r")),
            let roles = roles(fields["ro"]), let claims = claims(fields["cl"]),
            let level = string("al").flatMap({ Int($0) })
        else { throw corrupt("a session") }
        return Session(
            id: id, userID: UserID(user), createdAt: createdAt, lastSeenAt: lastSeenAt, idleExpiresAt: idleExpiresAt,
            absoluteExpiresAt: absoluteExpiresAt, generation: generation, rotatedAt: rotatedAt,
            client: ClientInfo(ipAddress: string("ip"), userAgent: string("ua"), deviceName: string("dn")),
            roles: roles, claims: claims, authenticationLevel: level
        )
    }

    /// Sessions from a script's list of `{id, hash}` pairs, newest first (by `createdAt` descending, then by
    /// identifier ascending in byte order).
    static func sessions(from reply: RedisValue) throws(SessionStoreError) -> [Session] {
        guard let pairs = reply.elements else { throw corrupt("a list of sessions") }
        var sessions: [Session] = []
        sessions.reserveCapacity(pairs.count)
        for pair in pairs {
            guard let parts = pair.elements, parts.count == 2, let id = parts[0].text else {
                throw corrupt("a list of sessions")
            }
            sessions.append(try session(id: SessionID(id), from: parts[1]))
        }
        return sessions.sorted(by: newestFirst)
    }

    static func newestFirst(_ lhs: Session, _ rhs: Session) -> Bool {
        if lhs.createdAt != rhs.createdAt { return lhs.createdAt > rhs.createdAt }
        return lhs.id.rawValue.utf8.lexicographicallyPrecedes(rhs.id.rawValue.utf8)
    }

    // MARK: - Users

    static func fields(of user: UserRecord) -> [[UInt8]] {
        [
            Array("e".utf8), Array(user.email.utf8),
            Array("h".utf8), Array(user.passwordHash.utf8),
            Array("ro".utf8), rolesJSON(user.roles),
            Array("d".utf8), Array((user.disabled ? "1" : "0").utf8),
            Array("c".utf8), bytes(user.createdAt),
            Array("v".utf8), Array(String(user.credentialVersion).utf8),
        ]
    }

    static func user(id: UserID, from reply: RedisValue) throws(SessionStoreError) -> UserRecord {
        let fields = try map(reply)
        func string(_ name: String) -> String? { fields[name].flatMap { String(validating: $0, as: UTF8.self) } }
        guard let email = string("e"), let hash = string("h"), let roles = roles(fields["ro"]),
            let disabled = string("d"), disabled == "0" || disabled == "1", let createdAt = date(string("c")),
            let version = string("v").flatMap({ Int($0) })
        else { throw corrupt("a user") }
        return UserRecord(
            id: id, email: email, passwordHash: hash, roles: roles, disabled: disabled == "1", createdAt: createdAt,
            credentialVersion: version)
    }

    static func corrupt(_ what: String) -> SessionStoreError {
        SessionStoreError(.corrupt, "Redis returned \(what) that the store cannot read")
    }
}
