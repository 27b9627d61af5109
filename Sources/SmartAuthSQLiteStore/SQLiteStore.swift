import Foundation
public import SmartAuthCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An ``AuthStore`` in one SQLite database file: SmartAuth's embedded default for a single server.
///
/// It keeps sessions, users, rate-limit counters and shared values (the signing key ring) in one file, in WAL mode,
/// with a schema that migrates forward on open.
///
/// ```swift
/// let store = try SQLiteStore(url: "sqlite:/var/lib/smartauth/smartauth.db")
/// ```
///
/// ## Connections and threads
///
/// One writer connection performs every change inside a `BEGIN IMMEDIATE` transaction: a refresh is one
/// read-decide-write step under SQLite's write lock, so it is atomic between the tasks of this process and between
/// processes that share the file. Changes that wait for the writer together share one transaction, each at a
/// savepoint of its own (group commit): one `fsync` for the lot, the same outcome as committing them one by one in
/// order, a failing change undone alone, and no caller answered before the commit. A small pool of reader
/// connections (``Configuration/readerCount``) answers the reads in parallel, which WAL mode allows next to the
/// writer. Each connection is owned by its own serial Dispatch queue; SQLite's blocking calls run there, never
/// on Swift's cooperative thread pool, and `async` callers wait on continuations.
///
/// ## Failures
///
/// The store fails closed: a file that cannot be opened or written, a disk error, or a lock held by another
/// process past ``Configuration/busyTimeout`` throws ``SessionStoreError/Code/unavailable``; a file that is
/// corrupt, is not a SmartAuth database, or has a newer schema throws ``SessionStoreError/Code/corrupt``.
///
/// ## Expiry
///
/// Reads never return an expired session or counter. Expired rows are deleted by ``purgeExpired(at:)`` and, unless
/// ``Configuration/automaticPurge`` is off, a few at a time by the writes themselves, so the file does not grow
/// without bound when nothing calls `purgeExpired`.
///
/// - Important: The file holds private key material (through ``KeyValueStore``) and session data. A new file is
///   created with mode `0600`; keep it, its `-wal` and `-shm` companions (which SQLite gives the same mode), and
///   its directory out of reach of other users.
/// - Important: The store trusts the `now` it is given; an operation may delete any row that has expired at its
///   `now`.
public final class SQLiteStore: AuthStore {
    let writer: ConnectionWorker
    /// Every write goes through it: one transaction (one `fsync`) for the writes that wait together.
    let commits: GroupCommit
    private let readers: [ConnectionWorker]
    private let nextReader = Atomic<Int>(0)
    private let writesSinceSweep = Atomic<Int>(0)
    let configuration: Configuration
    /// The database's path (`:memory:` for an in-memory database).
    public let path: String

    /// Opens the database at `path`, creating it (with mode `0600`) and its schema if needed.
    ///
    /// `":memory:"` opens a private in-memory database, served by one connection (readers would each see a
    /// database of their own) and gone when the store is.
    ///
    /// Opening runs on the calling thread and may block on the file system or on another process's lock; call it at
    /// start-up, not from a request.
    ///
    /// - Parameters:
    ///   - path: A file path, relative to the working directory or absolute, or `":memory:"`.
    ///   - configuration: Timeouts, connections and durability; see ``Configuration``.
    /// - Throws: ``SessionStoreError`` — `.invalidArgument` for an empty path or an invalid configuration;
    ///   `.unavailable` if the file cannot be created or opened (its directory does not exist, permission is
    ///   denied, it is a directory) or the database stays locked past the busy timeout; `.corrupt` if the file is
    ///   not a database, is another application's database, or has a newer schema than this version knows.
    public init(path: String, configuration: Configuration = Configuration()) throws(SessionStoreError) {
        try configuration.validate()
        guard !path.isEmpty, !path.utf8.contains(0) else {
            throw SessionStoreError(.invalidArgument, "the SQLite database path is empty or contains a NUL byte")
        }
        let inMemory = path == ":memory:"
        if !inMemory { try Self.createFileIfNeeded(at: path) }

        let writerConnection = try SQLiteConnection(
            path: path, create: inMemory, busyTimeout: configuration.busyTimeout)
        if !inMemory {
            let mode = try writerConnection.queryFirst("PRAGMA journal_mode = WAL") { $0.text(0) }
            guard mode??.lowercased() == "wal" else {
                throw SessionStoreError.unavailable("the SQLite database at \(path) cannot use WAL mode")
            }
        }
        try writerConnection.executeScript(configuration.synchronous.pragma)
        try Schema.migrate(writerConnection)

        var readers: [ConnectionWorker] = []
        for index in 0..<(inMemory ? 0 : configuration.readerCount) {
            let connection = try SQLiteConnection(path: path, create: false, busyTimeout: configuration.busyTimeout)
            // Readers only read: a bug that sent a write to one fails instead of racing the writer.
            try connection.executeScript("PRAGMA query_only = ON")
            readers.append(ConnectionWorker(connection, label: "SmartAuthSQLiteStore.reader.\(index)"))
        }
        let writer = ConnectionWorker(writerConnection, label: "SmartAuthSQLiteStore.writer")
        self.writer = writer
        self.commits = GroupCommit(worker: writer) { connection, now throws(SessionStoreError) in
            try Self.sweep(connection, at: now, limit: Self.sweepBatch)
        }
        self.readers = readers
        self.configuration = configuration
        self.path = path
    }

    /// Opens the database a `sqlite:` URL names; see ``init(path:configuration:)``.
    ///
    /// Accepted forms: `sqlite:PATH` with a relative or absolute path (`sqlite:./smartauth.db`,
    /// `sqlite:/var/lib/smartauth/smartauth.db`), `sqlite:///ABSOLUTE/PATH`, and `sqlite::memory:` for an in-memory
    /// database. The path is taken literally (no percent-decoding); query parameters are not accepted — use
    /// ``Configuration``.
    ///
    /// - Throws: `.invalidArgument` for a URL of another form; otherwise as ``init(path:configuration:)``.
    public convenience init(url: String, configuration: Configuration = Configuration()) throws(SessionStoreError) {
        try self.init(path: Self.path(fromURL: url), configuration: configuration)
    }

    /// The database path a `sqlite:` URL names (`":memory:"` for `sqlite::memory:`).
    static func path(fromURL url: String) throws(SessionStoreError) -> String {
        let scheme = "sqlite:"
        guard url.count > scheme.count, url.prefix(scheme.count).lowercased() == scheme else {
            throw SessionStoreError(.invalidArgument, "a SQLite store URL starts with sqlite: followed by a path")
        }
        var path = String(url.dropFirst(scheme.count))
        if path.hasPrefix("//") {
            // sqlite:///absolute/path: an empty authority. Any host is refused: SQLite is a local file.
            path.removeFirst(2)
            guard path.hasPrefix("/") else {
                throw SessionStoreError(
                    .invalidArgument,
                    "a SQLite store URL names a local file: sqlite:/absolute/path or sqlite:relative/path")
            }
        }
        guard !path.contains("?") else {
            throw SessionStoreError(
                .invalidArgument, "a SQLite store URL takes no query parameters; use SQLiteStore.Configuration")
        }
        return path
    }

    /// Creates the database file with mode `0600` unless it exists, so that SQLite (which would create it with the
    /// process's default mode) opens a file no other user can read.
    private static func createFileIfNeeded(at path: String) throws(SessionStoreError) {
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(0o600))
        if descriptor >= 0 {
            closeDescriptor(descriptor)
            return
        }
        let code = errno
        if code == EEXIST { return }
        let reason: String
        switch code {
        case ENOENT, ENOTDIR: reason = "its directory does not exist"
        case EACCES, EPERM: reason = "permission denied"
        case EROFS: reason = "the file system is read-only"
        case EISDIR: reason = "it is a directory"
        default: reason = "the file cannot be created"
        }
        let cause = SQLiteError.cannotOpen(String(cString: strerror(code)), operation: "creating \(path)")
        throw SessionStoreError.unavailable("cannot open the SQLite database at \(path): \(reason)", underlying: cause)
    }

    /// Closes every connection, after the operations already queued on it. Operations afterwards throw
    /// ``SessionStoreError/Code/unavailable``. Calling it again does nothing.
    ///
    /// Closing the last connection to a file checkpoints its write-ahead log into the file. A store that is not
    /// closed closes its connections when it is deinitialised.
    public func close() async {
        await writer.close()
        for reader in readers { await reader.close() }
    }

    // MARK: - Internal plumbing

    /// A connection for a read: a reader from the pool in turn, or the writer if there are none.
    func reader() -> ConnectionWorker {
        guard !readers.isEmpty else { return writer }
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        return readers[Int(UInt(bitPattern: index) % UInt(readers.count))]
    }

    /// Runs `body` on the writer connection inside a write transaction — shared with the other writes waiting
    /// at that moment, each at a savepoint of its own (``GroupCommit``) — and returns once it has committed. When
    /// due, the transaction also runs a step of the automatic purge at `now`.
    @discardableResult
    func write<Result: Sendable>(
        at now: Date?, _ body: @escaping @Sendable (SQLiteConnection) throws(SessionStoreError) -> Result
    ) async throws(SessionStoreError) -> Result {
        let sweepAt = now.flatMap { now in sweepIsDue() ? now : nil }
        return try await commits.write(housekeepingAt: sweepAt, body)
    }

    /// How many timed writes between two steps of the automatic purge.
    static let sweepInterval = 64
    /// How many expired rows of each table one step deletes at most.
    static let sweepBatch = 128

    private func sweepIsDue() -> Bool {
        guard configuration.automaticPurge else { return false }
        return writesSinceSweep.wrappingAdd(1, ordering: .relaxed).newValue % Self.sweepInterval == 0
    }

    /// Deletes up to `limit` expired rows from each table (`nil`: all of them).
    /// - Returns: how many sessions were deleted.
    @discardableResult
    static func sweep(_ connection: SQLiteConnection, at now: Date, limit: Int?) throws(SessionStoreError) -> Int {
        let time = SQLiteValue.double(now.timeIntervalSinceReferenceDate)
        let micros = SQLiteValue.integer(GCRA.microseconds(now))
        guard let limit else {
            let sessions = try connection.execute("DELETE FROM sessions WHERE expires_at <= ?1", [time])
            try connection.execute("DELETE FROM rate_limits WHERE tat <= ?1", [micros])
            try connection.execute("DELETE FROM failures WHERE expires_at <= ?1", [time])
            return sessions
        }
        let count = SQLiteValue.integer(Int64(limit))
        let sessions = try connection.execute(
            "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at <= ?1 LIMIT ?2)", [time, count])
        try connection.execute(
            "DELETE FROM rate_limits WHERE key IN (SELECT key FROM rate_limits WHERE tat <= ?1 LIMIT ?2)",
            [micros, count])
        try connection.execute(
            "DELETE FROM failures WHERE key IN (SELECT key FROM failures WHERE expires_at <= ?1 LIMIT ?2)",
            [time, count])
        return sessions
    }
}

/// Closes a file descriptor (the global `close`, which `SQLiteStore.close()` hides inside the class).
private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}
