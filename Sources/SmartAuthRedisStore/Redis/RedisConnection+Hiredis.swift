internal import CSmartAuthRedis
import Foundation
import SmartAuthCore

/// Where and how to connect: parsed from the store's URL and configuration.
struct RedisEndpoint: Sendable, Hashable {
    var host: String
    var port: Int
    var database: Int
    var username: String?
    var password: [UInt8]?
}

/// One hiredis connection: the only owner of a `redisContext`, freed in `deinit`.
///
/// A connection is used by one thread at a time (its pool worker's serial queue, or the subscriber's thread);
/// that confinement, not a lock, is what makes the `@unchecked Sendable` below safe: the class is only ever
/// handed from the thread that made it to the one queue or thread that uses it.
final class RedisConnection: @unchecked Sendable {
    private let pointer: UnsafeMutablePointer<redisContext>
    /// The socket timeout currently set, in milliseconds.
    private var timeoutMilliseconds: Int
    /// Set after an I/O or protocol error: hiredis's context is unusable from then on.
    private(set) var isBroken = false

    /// Takes ownership of a connected context.
    private init(takingOwnershipOf pointer: UnsafeMutablePointer<redisContext>, timeoutMilliseconds: Int) {
        self.pointer = pointer
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    deinit { redisFree(pointer) }

    /// Connects, sets the socket timeouts, turns TCP keep-alive on, authenticates and selects the database.
    ///
    /// - Throws: `.unavailable` if the server cannot be reached or refuses the credentials or database.
    static func connect(
        to endpoint: RedisEndpoint, connectTimeout: Int, commandTimeout: Int
    ) throws(SessionStoreError) -> RedisConnection {
        guard let raw = smartauth_redis_connect(endpoint.host, Int32(clamping: endpoint.port), connectTimeout) else {
            throw .unavailable("could not allocate a Redis connection")
        }
        if smartauth_redis_error(raw) != 0 {
            let detail = String(cString: smartauth_redis_error_text(raw))
            redisFree(raw)
            throw .unavailable(
                "cannot connect to Redis at \(endpoint.host):\(endpoint.port)", underlying: RedisFailure(detail))
        }
        // From here on `connection` owns the context and frees it on every failing path.
        let connection = RedisConnection(takingOwnershipOf: raw, timeoutMilliseconds: commandTimeout)
        guard smartauth_redis_set_timeout(raw, commandTimeout) == REDIS_OK else {
            throw connection.ioFailure("cannot set the Redis socket timeout")
        }
        _ = redisEnableKeepAlive(raw)
        if let password = endpoint.password {
            var arguments: [[UInt8]] = []
            if let username = endpoint.username { arguments.append(Array(username.utf8)) }
            arguments.append(password)
            let reply = try connection.command(RedisCommand("AUTH", arguments))
            if case .error(let text) = reply {
                throw .unavailable("Redis refused the credentials", underlying: RedisFailure(text))
            }
        }
        if endpoint.database != 0 {
            let reply = try connection.command(RedisCommand("SELECT", String(endpoint.database)))
            if case .error(let text) = reply {
                throw .unavailable(
                    "Redis refused to select database \(endpoint.database)", underlying: RedisFailure(text))
            }
        }
        return connection
    }

    /// Sets the socket's read and write timeout, unless it is within a few milliseconds of the current one.
    func setTimeout(milliseconds: Int) throws(SessionStoreError) {
        let wanted = max(1, milliseconds)
        guard abs(wanted - timeoutMilliseconds) > 5 else { return }
        guard smartauth_redis_set_timeout(pointer, wanted) == REDIS_OK else {
            throw ioFailure("cannot set the Redis socket timeout")
        }
        timeoutMilliseconds = wanted
    }

    /// Whether the server closed this idle connection (it restarted, or dropped an idle client): checked before
    /// each use so that a restart costs a reconnection rather than a failed operation.
    var isStale: Bool { isBroken || smartauth_redis_is_stale(pointer) != 0 }

    /// Sends one command and returns its reply (an error reply is a value, not a throw).
    ///
    /// - Throws: `.unavailable` on an I/O error or timeout; the connection is then broken.
    func command(_ command: RedisCommand) throws(SessionStoreError) -> RedisValue {
        guard !isBroken else { throw .unavailable("the Redis connection is broken") }
        let reply = Self.withArgv(command.arguments) { argc, argv, lengths in
            smartauth_redis_command(pointer, argc, argv, lengths)
        }
        guard let reply else { throw ioFailure("Redis did not answer") }
        defer { smartauth_redis_free_reply(reply) }
        return Self.value(of: reply)
    }

    /// Sends several commands in one write and reads their replies in order.
    func pipeline(_ commands: [RedisCommand]) throws(SessionStoreError) -> [RedisValue] {
        guard !isBroken else { throw .unavailable("the Redis connection is broken") }
        for command in commands {
            let status = Self.withArgv(command.arguments) { argc, argv, lengths in
                smartauth_redis_append(pointer, argc, argv, lengths)
            }
            guard status == REDIS_OK else { throw ioFailure("cannot queue a Redis command") }
        }
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            guard let reply = smartauth_redis_next_reply(pointer) else { throw ioFailure("Redis did not answer") }
            replies.append(Self.value(of: reply))
            smartauth_redis_free_reply(reply)
        }
        return replies
    }

    // MARK: - Subscriber support

    /// Queues a command and writes it out without waiting for a reply.
    func send(_ command: RedisCommand) throws(SessionStoreError) {
        guard !isBroken else { throw .unavailable("the Redis connection is broken") }
        let status = Self.withArgv(command.arguments) { argc, argv, lengths in
            smartauth_redis_append(pointer, argc, argv, lengths)
        }
        guard status == REDIS_OK, smartauth_redis_flush(pointer) == REDIS_OK else {
            throw ioFailure("cannot send a Redis command")
        }
    }

    /// The next reply pushed by the server, waiting at most `timeoutMilliseconds`; `nil` on timeout.
    func nextPush(timeoutMilliseconds: Int) throws(SessionStoreError) -> RedisValue? {
        guard !isBroken else { throw .unavailable("the Redis connection is broken") }
        if let buffered = try bufferedReply() { return buffered }
        switch smartauth_redis_read_available(pointer, Int32(clamping: timeoutMilliseconds)) {
        case 0: return nil
        case 1: return try bufferedReply()
        default: throw ioFailure("the Redis subscription connection failed")
        }
    }

    private func bufferedReply() throws(SessionStoreError) -> RedisValue? {
        var reply: UnsafeMutablePointer<redisReply>?
        let status = smartauth_redis_buffered_reply(pointer, &reply)
        guard status >= 0 else { throw ioFailure("Redis sent a malformed reply") }
        guard let reply else { return nil }
        defer { smartauth_redis_free_reply(reply) }
        return Self.value(of: reply)
    }

    // MARK: - Internals

    /// Marks the connection broken and makes the error, with hiredis's text as the underlying cause.
    private func ioFailure(_ message: String) -> SessionStoreError {
        isBroken = true
        let code = smartauth_redis_error(pointer)
        let detail = code == 0 ? "hiredis error" : String(cString: smartauth_redis_error_text(pointer))
        return .unavailable(message, underlying: RedisFailure(detail))
    }

    /// Calls `body` with argv-style pointers into one buffer holding every argument; the pointers do not
    /// outlive the call.
    private static func withArgv<R>(
        _ arguments: [[UInt8]],
        _ body: (Int32, UnsafePointer<UnsafePointer<CChar>>, UnsafePointer<Int>) -> R
    ) -> R {
        var storage: [UInt8] = []
        storage.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
        var offsets: [Int] = []
        var lengths: [Int] = []
        offsets.reserveCapacity(arguments.count)
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            offsets.append(storage.count)
            lengths.append(argument.count)
            storage.append(contentsOf: argument)
        }
        storage.append(0)  // never empty, so the base address exists even if every argument is empty
        return storage.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            let pointers = offsets.map { base + $0 }
            return pointers.withUnsafeBufferPointer { argv in
                lengths.withUnsafeBufferPointer { sizes in
                    body(Int32(arguments.count), argv.baseAddress!, sizes.baseAddress!)
                }
            }
        }
    }

    /// Copies a hiredis reply tree into a ``RedisValue``.
    private static func value(of reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STRING:
            return .bulk(bytes(node.str, node.len))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(node.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisValue] = []
            elements.reserveCapacity(node.elements)
            for index in 0..<node.elements {
                if let element = node.element[index] {
                    elements.append(value(of: element))
                } else {
                    elements.append(.null)
                }
            }
            return .array(elements)
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(node.str, node.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(node.str, node.len), as: UTF8.self))
        default:
            return .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}

/// A failure reported by hiredis or by the Redis server, kept as the `underlying` error of a
/// ``SessionStoreError`` for logs. Its text is the library's or the server's, never a value we sent.
struct RedisFailure: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
