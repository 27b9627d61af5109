import SmartAuthCore

/// A prepared statement: constant SQL text (a `StaticString`, so no input can ever become SQL) with numbered
/// parameters `$1`, `$2`, … bound at execution.
struct Statement: Sendable {
    /// The statement's name on each connection that prepared it.
    let name: StaticString
    /// The SQL text, with `$n` placeholders.
    let sql: StaticString
    /// How many parameters it binds.
    let parameterCount: Int
}

/// One bound parameter value.
enum Parameter: Sendable {
    /// SQL `NULL`.
    case null
    /// A value in PostgreSQL's text format (numbers, Booleans and text).
    case text(String)
    /// A value in binary format (`bytea`).
    case binary([UInt8])

    static func optional(_ text: String?) -> Parameter { text.map { .text($0) } ?? .null }
    static func bool(_ flag: Bool) -> Parameter { .text(flag ? "true" : "false") }
    static func int(_ value: Int64) -> Parameter { .text(String(value)) }
    /// A `float8`. Swift's description of a `Double` is the shortest text that reads back as the same `Double`,
    /// and PostgreSQL reads it exactly.
    static func double(_ value: Double) -> Parameter { .text("\(value)") }
}

/// Rows copied out of a libpq result: each cell as its raw bytes (text format unless binary was asked), `nil`
/// for SQL `NULL`.
struct QueryResult: Sendable {
    var rows: [[[UInt8]?]]
    /// The number of rows the command affected (`PQcmdTuples`).
    var affectedRows: Int
}

/// A schema or channel name that passed ``Identifier/validate(_:)``: lower-case ASCII letters, digits and
/// underscores, starting with a letter or underscore. SQL cannot bind identifiers, so the few statements that
/// need one (creating and dropping the schema, `LISTEN`) put it in the text, double-quoted.
struct Identifier: Sendable, Hashable {
    let name: String

    /// - Returns: the identifier, or `nil` if `name` is not 1…`maximumLength` characters of `[a-z0-9_]` starting
    ///   with a letter or an underscore.
    static func validate(_ name: String, maximumLength: Int = 63) -> Identifier? {
        let bytes = Array(name.utf8)
        guard (1...maximumLength).contains(bytes.count) else { return nil }
        for (offset, byte) in bytes.enumerated() {
            let letter = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || byte == UInt8(ascii: "_")
            let digit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            guard letter || (digit && offset > 0) else { return nil }
        }
        return Identifier(name: name)
    }

    /// The identifier double-quoted for SQL text.
    var quoted: String { "\"\(name)\"" }
}

/// SQL text run once without preparing it (migrations, `LISTEN`), made of constant parts and validated
/// identifiers only.
struct OneOffSQL: Sendable {
    let text: String

    /// Constant text.
    init(_ constant: StaticString) { text = "\(constant)" }

    /// `prefix`, the quoted identifier, then `suffix`.
    init(_ prefix: StaticString, _ identifier: Identifier, _ suffix: StaticString = "") {
        text = "\(prefix)\(identifier.quoted)\(suffix)"
    }
}

/// What PostgreSQL or libpq said, for logs: the SQLSTATE (when the server sent one) and the message. Carried
/// in ``SessionStoreError/underlying``, never in a message shown to users.
struct PostgresError: Error, Sendable, CustomStringConvertible {
    let sqlState: String?
    let message: String

    var description: String {
        let trimmed = message.trimmingSuffix { $0 == "\n" || $0 == " " }
        return sqlState.map { "PostgreSQL \($0): \(trimmed)" } ?? "libpq: \(trimmed)"
    }

    /// Deadlocks and serialization failures: the transaction was rolled back and can run again.
    var isRetryable: Bool { sqlState == "40P01" || sqlState == "40001" }

    /// The store error for this failure, by SQLSTATE class.
    var storeError: SessionStoreError {
        guard let sqlState else { return .unavailable("PostgreSQL failed", underlying: self) }
        switch sqlState {
        case "23505":
            return SessionStoreError(.duplicate, "the value already exists", underlying: self)
        case "40P01", "40001":
            return .unavailable("PostgreSQL aborted a conflicting transaction", underlying: self)
        case "57014":
            return .unavailable("PostgreSQL cancelled a statement that ran too long", underlying: self)
        case "22001", "22003", "22P02", "22021", "54000":
            return SessionStoreError(.invalidArgument, "the value cannot be stored", underlying: self)
        default:
            break
        }
        switch sqlState.prefix(2) {
        case "08", "53", "57", "58":  // connection, resources, operator intervention, system error
            return .unavailable("PostgreSQL is unavailable", underlying: self)
        case "22", "23":  // data exception, integrity constraint
            return SessionStoreError(.invalidArgument, "the value cannot be stored", underlying: self)
        case "42", "3F":  // a missing table or schema: the store's schema is not what this library expects
            return SessionStoreError(.corrupt, "the database schema is not as expected", underlying: self)
        default:
            return .unavailable("PostgreSQL failed", underlying: self)
        }
    }
}

extension String {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[..<end]
    }
}
