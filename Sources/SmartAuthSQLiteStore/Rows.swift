import Foundation
import SmartAuthCore
import SmartAuthJWT

/// How a ``Session`` maps to a row of `sessions`.
enum SessionRow {
    /// The columns, in the order of ``values(of:)`` and of ``decode(_:)``.
    static let columns =
        "id, user_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at, generation, rotated_at, "
        + "ip_address, user_agent, device_name, roles, claims, authentication_level"

    /// The row's values for an `INSERT` of every column in ``columns`` order.
    static func values(of session: Session) -> [SQLiteValue] {
        [
            .text(session.id.rawValue), .text(session.userID.rawValue), .time(session.createdAt),
            .time(session.lastSeenAt), .time(session.idleExpiresAt), .time(session.absoluteExpiresAt),
            .integer(Int64(bitPattern: session.generation)), .time(session.rotatedAt),
            .optionalText(session.client.ipAddress), .optionalText(session.client.userAgent),
            .optionalText(session.client.deviceName), .text(JSONCoding.string(of: session.roles)),
            .text(JSONWriter.string(of: .object(session.claims))), .integer(Int64(session.authenticationLevel)),
        ]
    }

    /// The session in the current row of a statement that selected ``columns``.
    /// - Throws: `.corrupt` if a column does not hold what the schema says.
    static func decode(_ row: SQLiteStatement) throws(SessionStoreError) -> Session {
        guard let id = row.text(0), let user = row.text(1), let createdAt = row.date(2), let lastSeenAt = row.date(3),
            let idleExpiresAt = row.date(4), let absoluteExpiresAt = row.date(5), let generation = row.integer(6),
            let rotatedAt = row.date(7), let roles = row.bytes(11).flatMap(JSONCoding.strings(from:)),
            let claims = row.bytes(12).flatMap(JSONCoding.object(from:)), let level = row.integer(13),
            let authenticationLevel = Int(exactly: level)
        else { throw SessionStoreError.corruptRow("session") }
        let client = ClientInfo(
            ipAddress: try row.optionalText(8), userAgent: try row.optionalText(9), deviceName: try row.optionalText(10)
        )
        return Session(
            id: SessionID(id), userID: UserID(user), createdAt: createdAt, lastSeenAt: lastSeenAt,
            idleExpiresAt: idleExpiresAt, absoluteExpiresAt: absoluteExpiresAt,
            generation: UInt64(bitPattern: generation), rotatedAt: rotatedAt, client: client, roles: roles,
            claims: claims, authenticationLevel: authenticationLevel)
    }

    /// Newest first: by descending creation time, then by identifier in ascending byte order — the order of
    /// `ORDER BY created_at DESC, id` (SQLite compares text byte by byte).
    static func newestFirst(_ lhs: Session, _ rhs: Session) -> Bool {
        if lhs.createdAt != rhs.createdAt { return lhs.createdAt > rhs.createdAt }
        return lhs.id.rawValue.utf8.lexicographicallyPrecedes(rhs.id.rawValue.utf8)
    }
}

/// How a ``UserRecord`` maps to a row of `users`.
enum UserRow {
    static let columns = "id, email, password_hash, roles, disabled, created_at, credential_version"

    static func values(of user: UserRecord) -> [SQLiteValue] {
        [
            .text(user.id.rawValue), .text(user.email), .text(user.passwordHash),
            .text(JSONCoding.string(of: user.roles)), .integer(user.disabled ? 1 : 0), .time(user.createdAt),
            .integer(Int64(user.credentialVersion)),
        ]
    }

    static func decode(_ row: SQLiteStatement) throws(SessionStoreError) -> UserRecord {
        guard let id = row.text(0), let email = row.text(1), let passwordHash = row.text(2),
            let roles = row.bytes(3).flatMap(JSONCoding.strings(from:)), let disabled = row.integer(4),
            disabled == 0 || disabled == 1, let createdAt = row.date(5), let version = row.integer(6),
            let credentialVersion = Int(exactly: version)
        else { throw SessionStoreError.corruptRow("user") }
        return UserRecord(
            id: UserID(id), email: email, passwordHash: passwordHash, roles: roles, disabled: disabled == 1,
            createdAt: createdAt, credentialVersion: credentialVersion)
    }
}

/// JSON text for the columns that hold lists and objects.
enum JSONCoding {
    static func string(of strings: [String]) -> String {
        JSONWriter.string(of: .array(strings.map { .string($0) }))
    }

    static func strings(from bytes: [UInt8]) -> [String]? {
        guard let array = (try? JSONParser().parse(bytes))?.arrayValue else { return nil }
        var strings: [String] = []
        strings.reserveCapacity(array.count)
        for element in array {
            guard let string = element.stringValue else { return nil }
            strings.append(string)
        }
        return strings
    }

    static func object(from bytes: [UInt8]) -> JSONObject? {
        (try? JSONParser().parse(bytes))?.objectValue
    }
}

extension SQLiteValue {
    /// A time as the schema stores it: seconds since the reference date, exactly as `Date` holds it.
    static func time(_ date: Date) -> SQLiteValue { .double(date.timeIntervalSinceReferenceDate) }

    /// Text, or SQL NULL for `nil`.
    static func optionalText(_ text: String?) -> SQLiteValue { text.map { .text($0) } ?? .null }
}

extension SQLiteStatement {
    /// Column `index` as a time stored by ``SQLiteValue/time(_:)``.
    func date(_ index: Int32) -> Date? { double(index).map { Date(timeIntervalSinceReferenceDate: $0) } }

    /// Column `index` as optional text: `nil` for NULL, `.corrupt` for anything but text.
    func optionalText(_ index: Int32) throws(SessionStoreError) -> String? {
        if isNull(index) { return nil }
        guard let text = text(index) else { throw SessionStoreError.corruptRow("text column") }
        return text
    }
}
