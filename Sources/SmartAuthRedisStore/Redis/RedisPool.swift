import Dispatch
import SmartAuthCore
import Synchronization

/// The SHA1 digests of the scripts as the server reported them on `SCRIPT LOAD` (the same for every server, as
/// they depend only on the source).
final class ScriptCache: Sendable {
    private let digests = Mutex<[String: String]>([:])

    func digest(of script: RedisScript) -> String? { digests.withLock { $0[script.name] } }

    func record(_ digest: String, for script: RedisScript) { digests.withLock { $0[script.name] = digest } }
}

/// Connection settings shared by the pool's workers and the subscriber.
struct ConnectionSettings: Sendable {
    var endpoint: RedisEndpoint
    /// Milliseconds to wait for a TCP connection.
    var connectTimeout: Int
    /// Milliseconds an operation may take from the call to the reply.
    var commandTimeout: Int
}

/// N connections, each confined to its own serial `DispatchQueue`, so that hiredis's blocking calls never run on
/// Swift's cooperative thread pool. Callers are spread over the workers in turn and suspend (without holding a
/// thread) until their worker has run their command.
///
/// A worker makes its connection when it first needs one and drops it after an I/O error or timeout; the next
/// operation on that worker connects again. Before each use it checks (with a zero-timeout `poll`) that the server
/// has not closed the idle connection, so that a server restart costs a reconnection, not a failed operation.
///
/// Every operation has a deadline (``ConnectionSettings/commandTimeout`` from the call): waiting for the worker,
/// connecting and the command itself all count against it, so a caller hears `.unavailable` within that time when
/// the server is down or hangs.
final class RedisPool: Sendable {
    private let workers: [RedisWorker]
    private let nextWorker = Atomic<Int>(0)
    let settings: ConnectionSettings
    let scripts = ScriptCache()

    init(settings: ConnectionSettings, size: Int) {
        self.settings = settings
        let scripts = self.scripts
        workers = (0..<size).map { RedisWorker(index: $0, settings: settings, scripts: scripts) }
    }

    /// Runs `body` with a connected connection on one of the workers.
    func perform<T: Sendable>(
        _ body: @escaping @Sendable (RedisConnection) throws(SessionStoreError) -> T
    ) async throws(SessionStoreError) -> T {
        let deadline = ContinuousClock.now + .milliseconds(settings.commandTimeout)
        let index = nextWorker.wrappingAdd(1, ordering: .relaxed).oldValue
        let worker = workers[Int(UInt(bitPattern: index) % UInt(workers.count))]
        return try await worker.perform(deadline: deadline, body).get()
    }

    /// Sends one command and returns its reply; an error reply is mapped to a ``SessionStoreError``.
    func command(_ command: RedisCommand) async throws(SessionStoreError) -> RedisValue {
        try await perform { connection throws(SessionStoreError) in
            try RedisPool.checked(connection.command(command), context: command.name)
        }
    }

    /// Runs `script` atomically (`EVALSHA`, falling back to `EVAL` on `NOSCRIPT`).
    func run(
        _ script: RedisScript, keys: [[UInt8]], arguments: [[UInt8]]
    ) async throws(SessionStoreError) -> RedisValue {
        let scripts = self.scripts
        return try await perform { connection throws(SessionStoreError) in
            try RedisPool.evaluate(script, keys: keys, arguments: arguments, on: connection, scripts: scripts)
        }
    }

    static func evaluate(
        _ script: RedisScript, keys: [[UInt8]], arguments: [[UInt8]], on connection: RedisConnection,
        scripts: ScriptCache
    ) throws(SessionStoreError) -> RedisValue {
        let tail = [Array(String(keys.count).utf8)] + keys + arguments
        if let digest = scripts.digest(of: script) {
            let reply = try connection.command(RedisCommand("EVALSHA", [Array(digest.utf8)] + tail))
            if case .error(let text) = reply, text.hasPrefix("NOSCRIPT") {
                // The server forgot it (SCRIPT FLUSH): EVAL sends the source and caches it again.
            } else {
                return try checked(reply, context: script.name)
            }
        }
        return try checked(
            connection.command(RedisCommand("EVAL", [Array(script.source.utf8)] + tail)), context: script.name)
    }

    /// Loads every script on a fresh connection, in one pipelined write.
    static func loadScripts(on connection: RedisConnection, into scripts: ScriptCache) throws(SessionStoreError) {
        let replies = try connection.pipeline(RedisScript.all.map { RedisCommand("SCRIPT", "LOAD", $0.source) })
        for (script, reply) in zip(RedisScript.all, replies) {
            guard let digest = try checked(reply, context: "SCRIPT LOAD").text else {
                throw SessionStoreError(.unavailable, "Redis did not load the \(script.name) script")
            }
            scripts.record(digest, for: script)
        }
    }

    /// `reply`, unless it is an error reply, which becomes a ``SessionStoreError``: `.corrupt` when the stored
    /// data is not what the store wrote (wrong type, a script failing on a field), `.unavailable` otherwise
    /// (loading, read-only replica, out of memory, authentication, …). The server's text goes into `underlying`.
    static func checked(_ reply: RedisValue, context: String) throws(SessionStoreError) -> RedisValue {
        guard case .error(let text) = reply else { return reply }
        let code = text.prefix { $0 != " " }
        if code == "WRONGTYPE" || (code == "ERR" && text.contains("script")) {
            throw SessionStoreError(
                .corrupt, "Redis holds data the store cannot use (\(context))", underlying: RedisFailure(text))
        }
        throw SessionStoreError(.unavailable, "Redis refused the \(context) command", underlying: RedisFailure(text))
    }
}

extension RedisCommand {
    /// The command's name, for errors.
    var name: String { String(decoding: arguments.first ?? [], as: UTF8.self) }
}

/// One connection and the serial queue it is confined to.
final class RedisWorker: Sendable {
    private let queue: DispatchQueue
    private let settings: ConnectionSettings
    private let scripts: ScriptCache
    /// Only touched on `queue` (and never locked across I/O); the mutex is uncontended and lets the compiler check
    /// that the connection is not shared.
    private let connection = Mutex<RedisConnection?>(nil)

    init(index: Int, settings: ConnectionSettings, scripts: ScriptCache) {
        self.queue = DispatchQueue(label: "smartauth.redis.connection.\(index)")
        self.settings = settings
        self.scripts = scripts
    }

    func perform<T: Sendable>(
        deadline: ContinuousClock.Instant,
        _ body: @escaping @Sendable (RedisConnection) throws(SessionStoreError) -> T
    ) async -> Result<T, SessionStoreError> {
        await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: self.run(deadline: deadline, body))
            }
        }
    }

    /// On `queue`: connects if needed, runs `body`, and keeps the connection unless it broke.
    ///
    /// The connection is taken out of its mutex for the call and put back afterwards, so no lock is held across
    /// blocking I/O; only this queue ever touches the slot, so nobody sees it empty in between.
    private func run<T: Sendable>(
        deadline: ContinuousClock.Instant, _ body: (RedisConnection) throws(SessionStoreError) -> T
    ) -> Result<T, SessionStoreError> {
        let remaining = Self.milliseconds(deadline - ContinuousClock.now)
        guard remaining > 0 else {
            return .failure(.unavailable("Redis did not answer in time (the operation waited for a connection)"))
        }
        var current = connection.withLock { slot in slot.take() }
        defer { connection.withLock { slot in slot = current } }
        do throws(SessionStoreError) {
            if current?.isStale ?? true {
                current = nil  // frees the old context
                let made = try RedisConnection.connect(
                    to: settings.endpoint, connectTimeout: min(settings.connectTimeout, remaining),
                    commandTimeout: remaining)
                try RedisPool.loadScripts(on: made, into: scripts)
                current = made
            }
            guard let live = current else { throw .unavailable("no Redis connection") }
            try live.setTimeout(milliseconds: Self.milliseconds(deadline - ContinuousClock.now))
            return .success(try body(live))
        } catch {
            if current?.isBroken == true { current = nil }
            return .failure(error)
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
