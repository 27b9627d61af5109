import Foundation
import SmartAuthCore
import SmartAuthJWT

/// Converting between the store's values and its rows (text-format cells).
enum Row {
    // MARK: - Dates

    /// A date as stored: seconds since 2001-01-01, the `Double` inside `Date`, so it round-trips exactly.
    static func date(_ date: Date) -> Parameter { .double(date.timeIntervalSinceReferenceDate) }

    static func date(_ cell: [UInt8]?) throws(SessionStoreError) -> Date {
        Date(timeIntervalSinceReferenceDate: try double(cell))
    }

    static func double(_ cell: [UInt8]?) throws(SessionStoreError) -> Double {
        guard let text = cell?.asText, let value = Double(text) else { throw corrupt("a number") }
        return value
    }

    static func int(_ cell: [UInt8]?) throws(SessionStoreError) -> Int64 {
        guard let text = cell?.asText, let value = Int64(text) else { throw corrupt("an integer") }
        return value
    }

    static func bool(_ cell: [UInt8]?) throws(SessionStoreError) -> Bool {
        switch cell?.asText {
        case "t": return true
        case "f": return false
        default: throw corrupt("a Boolean")
        }
    }

    static func text(_ cell: [UInt8]?) throws(SessionStoreError) -> String {
        guard let cell else { throw corrupt("a text value") }
        return cell.asText
    }

    // MARK: - JSON

    /// Roles as a JSON array of strings.
    static func roles(_ roles: [String]) -> Parameter {
        .text(JSONWriter.string(of: .array(roles.map { .string($0) })))
    }

    static func roles(_ cell: [UInt8]?) throws(SessionStoreError) -> [String] {
        guard let cell, let array = try? JSONParser().parse(cell).arrayValue else { throw corrupt("roles") }
        var roles: [String] = []
        for element in array {
            guard let role = element.stringValue else { throw corrupt("roles") }
            roles.append(role)
        }
        return roles
    }

    static func claims(_ claims: JSONObject) -> Parameter { .text(JSONWriter.string(of: .object(claims))) }

    static func claims(_ cell: [UInt8]?) throws(SessionStoreError) -> JSONObject {
        guard let cell, let object = try? JSONParser().parse(cell).objectValue else { throw corrupt("claims") }
        return object
    }

    // MARK: - Sessions

    /// Parameters `$1`…`$14` of ``Statements/insertSession``.
    static func parameters(of session: Session) -> [Parameter] {
        [
            .text(session.id.rawValue), .text(session.userID.rawValue), date(session.createdAt),
            date(session.lastSeenAt), date(session.idleExpiresAt), date(session.absoluteExpiresAt),
            .text(String(session.generation)), date(session.rotatedAt), .optional(session.client.ipAddress),
            .optional(session.client.userAgent), .optional(session.client.deviceName), roles(session.roles),
            claims(session.claims), .int(Int64(session.authenticationLevel)),
        ]
    }

    /// A session from the store's column order.
    static func session(_ cells: [[UInt8]?]) throws(SessionStoreError) -> Session {
        guard cells.count >= 14 else { throw corrupt("a session row") }
        guard let generationText = cells[6]?.asText, let generation = UInt64(generationText) else {
            throw corrupt("a generation")
        }
        let level = try int(cells[13])
        guard let authenticationLevel = Int(exactly: level) else { throw corrupt("an authentication level") }
        return Session(
            id: SessionID(try text(cells[0])), userID: UserID(try text(cells[1])), createdAt: try date(cells[2]),
            lastSeenAt: try date(cells[3]), idleExpiresAt: try date(cells[4]), absoluteExpiresAt: try date(cells[5]),
            generation: generation, rotatedAt: try date(cells[7]),
            client: ClientInfo(ipAddress: cells[8]?.asText, userAgent: cells[9]?.asText, deviceName: cells[10]?.asText),
            roles: try roles(cells[11]), claims: try claims(cells[12]), authenticationLevel: authenticationLevel)
    }

    static func sessions(_ result: QueryResult) throws(SessionStoreError) -> [Session] {
        var sessions: [Session] = []
        sessions.reserveCapacity(result.rows.count)
        for row in result.rows { sessions.append(try session(row)) }
        return sessions
    }

    // MARK: - Users

    /// Parameters `$1`…`$7` of ``Statements/insertUser`` and ``Statements/updateUser``.
    static func parameters(of user: UserRecord) -> [Parameter] {
        [
            .text(user.id.rawValue), .text(user.email), .text(user.passwordHash), roles(user.roles),
            .bool(user.disabled), date(user.createdAt), .int(Int64(user.credentialVersion)),
        ]
    }

    static func user(_ cells: [[UInt8]?]) throws(SessionStoreError) -> UserRecord {
        guard cells.count >= 7 else { throw corrupt("a user row") }
        guard let credentialVersion = Int(exactly: try int(cells[6])) else { throw corrupt("a credential version") }
        return UserRecord(
            id: UserID(try text(cells[0])), email: try text(cells[1]), passwordHash: try text(cells[2]),
            roles: try roles(cells[3]), disabled: try bool(cells[4]), createdAt: try date(cells[5]),
            credentialVersion: credentialVersion)
    }

    // MARK: - Ordering

    /// Newest first by `createdAt`, then by identifier in byte order (as `ORDER BY created_at DESC, id` with the
    /// column's `"C"` collation).
    static func newestFirst(_ lhs: Session, _ rhs: Session) -> Bool {
        if lhs.createdAt != rhs.createdAt { return lhs.createdAt > rhs.createdAt }
        return lhs.id.rawValue.utf8.lexicographicallyPrecedes(rhs.id.rawValue.utf8)
    }

    private static func corrupt(_ what: String) -> SessionStoreError {
        SessionStoreError(.corrupt, "the store holds \(what) that cannot be read")
    }
}
