/// A Redis reply, copied out of hiredis's `redisReply` (which parses RESP) into Swift values, so that no C
/// memory outlives the call that received it.
enum RedisValue: Sendable, Hashable {
    /// A bulk string (binary-safe).
    case bulk([UInt8])
    /// An integer reply.
    case integer(Int64)
    /// A nil bulk string or nil array.
    case null
    /// An array of replies.
    case array([RedisValue])
    /// A status reply (`+OK`).
    case status(String)
    /// An error reply (`-ERR …`); the text is the server's.
    case error(String)

    /// The bulk string's bytes.
    var bytes: [UInt8]? {
        if case .bulk(let bytes) = self { return bytes }
        return nil
    }

    /// The bulk string as UTF-8 text (`nil` if not a bulk string or not valid UTF-8).
    var text: String? {
        guard case .bulk(let bytes) = self else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The array's elements.
    var elements: [RedisValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The integer.
    var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}

/// One command's arguments as Redis receives them: binary-safe byte strings. Commands are never assembled from
/// a format string.
struct RedisCommand: Sendable {
    var arguments: [[UInt8]]

    init(_ name: String, _ arguments: [[UInt8]] = []) {
        self.arguments = [Array(name.utf8)] + arguments
    }

    init(_ name: String, _ arguments: String...) {
        self.init(name, arguments.map { Array($0.utf8) })
    }
}
