import Dispatch
import Foundation
import SmartAuthCore
import Synchronization

/// N worker threads, each owning at most one ``PostgresConnection``, serving a queue of jobs. Blocking libpq
/// calls run only on these threads, never on Swift's cooperative pool (which only ever sends a statement in
/// nonblocking mode, see below); callers wait on a checked continuation.
///
/// - A job goes straight to an idle worker if there is one (the most recently idle first, so light traffic keeps
///   using one connection), else into a FIFO queue that workers drain.
/// - A worker opens its connection lazily, checks an idle connection for staleness before each job (so a server
///   restart costs no failed request), and throws a broken connection away.
/// - After a failed connect, workers without a connection fail jobs at once with `.unavailable` for
///   ``PostgresStore/Configuration/reconnectInterval``, then try again: a down server costs callers no
///   timeout each.
/// - A job that waited longer than ``PostgresStore/Configuration/poolTimeout`` for a worker fails with
///   `.unavailable`; a job's round trips together get ``PostgresStore/Configuration/statementTimeout``.
/// - A single prepared statement (``execute(_:_:decode:)``) skips the worker when one is idle with a ready
///   connection: the calling task borrows that connection, sends the statement without waiting, and the
///   ``CompletionPoller`` reads the answer and returns the connection to its worker.
///
/// A worker's connection is, at any moment, with exactly one owner: its worker thread (running a job), the pool's
/// state (the worker is idle: `parked`), or a borrower and then the poller (a statement in flight).
final class ConnectionPool: Sendable {
    /// The work of one job, run on a worker thread with that worker's connection slot.
    typealias Work = @Sendable (inout PostgresConnection?) -> Void

    private struct Job: Sendable {
        let work: Work
    }

    private struct State: Sendable {
        var queue: [Job] = []
        var head = 0
        var idle: [Int] = []
        var mailbox: [Job?]
        /// The connections of idle workers (and `nil` while one is lent to a statement in flight).
        var parked: [PostgresConnection?]
        var shuttingDown = false
        /// After a failed connect: until when workers without a connection fail jobs at once.
        var downUntil: ContinuousClock.Instant?

        mutating func dequeue() -> Job? {
            guard head < queue.count else { return nil }
            let job = queue[head]
            head += 1
            if head > 1024 && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return job
        }
    }

    private let state: Mutex<State>
    private let wakeups: [DispatchSemaphore]
    private let migrated = Atomic<Bool>(false)
    private let poller: CompletionPoller?
    let settings: ConnectionSettings

    init(settings: ConnectionSettings) {
        self.settings = settings
        let size = settings.poolSize
        state = Mutex(State(mailbox: Array(repeating: nil, count: size), parked: Array(repeating: nil, count: size)))
        wakeups = (0..<size).map { _ in DispatchSemaphore(value: 0) }
        poller = CompletionPoller(slots: size, timeout: settings.statementTimeout)
        for index in 0..<size {
            let thread = Thread { [self] in self.workerLoop(index) }
            thread.name = "SmartAuthPostgresStore worker \(index)"
            thread.start()
        }
    }

    // MARK: - Running work

    /// Runs `body` on a worker with a live, migrated connection, retrying a transaction that PostgreSQL aborted
    /// as a deadlock or serialization failure.
    ///
    /// - Parameter body: The work; it receives the connection and the operation's deadline. It must leave no
    ///   transaction open when it returns or throws (``PostgresConnection/transaction(deadline:_:)`` does that).
    func run<Value: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection, ContinuousClock.Instant) throws(SessionStoreError) -> Value
    ) async throws(SessionStoreError) -> Value {
        let enqueued = ContinuousClock.now
        let result: Result<Value, SessionStoreError> = await withCheckedContinuation { continuation in
            submit { [self] connection in
                continuation.resume(returning: perform(body, on: &connection, enqueued: enqueued))
            }
        }
        return try result.get()
    }

    /// Runs one prepared statement and decodes its result, like ``run(_:)`` with a body that calls
    /// ``PostgresConnection/execute(_:_:binaryResult:deadline:)`` and `decode`, but without a worker thread's
    /// hand-offs when a worker is idle with a live connection that has the statement prepared: the statement is
    /// sent from the calling task, and `decode` runs on the ``CompletionPoller``'s thread (or on the calling task's
    /// when the answer is in before the connection is handed over). Otherwise (no idle
    /// worker, a connection to open or check, a statement to prepare, a deadlock to retry) it goes through
    /// ``run(_:)``.
    func execute<Value: Sendable>(
        _ statement: Statement, _ parameters: [Parameter],
        decode: @escaping @Sendable (QueryResult) throws(SessionStoreError) -> Value
    ) async throws(SessionStoreError) -> Value {
        if let poller, let (worker, connection) = borrow(for: statement) {
            // As `checkOut` does before each job: a connection the server closed while idle is replaced, not used.
            // (A termination notice or EOF would have been an event on its registered socket.)
            if connection.isStale(socketQuiet: poller.isQuiet(slot: worker, connection: connection)) {
                giveBack(worker, connection)
            } else {
                let deadline = ContinuousClock.now.advanced(by: settings.statementTimeout)
                let outcome: Result<Value, SessionStoreError>? = await withCheckedContinuation { continuation in
                    let complete: CompletionPoller.Completion = { [self] connection, result in
                        giveBack(worker, connection.isBroken ? nil : connection)
                        switch result {
                        case .success(let rows):
                            continuation.resume(returning: Result { () throws(SessionStoreError) in try decode(rows) })
                        case .failure(let error) where (error.underlying as? PostgresError)?.isRetryable == true:
                            continuation.resume(returning: nil)  // run again through a worker, which retries
                        case .failure(let error):
                            continuation.resume(returning: .failure(error))
                        }
                    }
                    do throws(SessionStoreError) {
                        let writable = try connection.startPrepared(statement, parameters)
                        poller.watch(connection, slot: worker, writable: writable, deadline: deadline, completion: complete)
                    } catch {
                        complete(connection, .failure(error))
                    }
                }
                if let outcome { return try outcome.get() }
            }
        }
        return try await run { connection, deadline throws(SessionStoreError) in
            try decode(connection.execute(statement, parameters, deadline: deadline))
        }
    }

    /// An idle worker's connection, taken from it, if it is live, migrated and has `statement` prepared.
    private func borrow(for statement: Statement) -> (worker: Int, connection: PostgresConnection)? {
        guard migrated.load(ordering: .acquiring) else { return nil }
        return state.withLock { state -> (Int, PostgresConnection)? in
            guard !state.shuttingDown, let worker = state.idle.last, let connection = state.parked[worker],
                !connection.isBroken, connection.hasPrepared(statement)
            else { return nil }
            state.idle.removeLast()
            state.parked[worker] = nil
            return (worker, connection)
        }
    }

    /// Returns a borrowed connection (`nil` if it broke) to its worker, and the worker to the idle ones, or wakes
    /// it if jobs are waiting or the pool is shutting down.
    private func giveBack(_ worker: Int, _ connection: PostgresConnection?) {
        let wake = state.withLock { state -> Bool in
            state.parked[worker] = connection
            if state.shuttingDown || state.head < state.queue.count { return true }
            state.idle.append(worker)
            return false
        }
        if wake { wakeups[worker].signal() }
    }

    /// Runs `body` like ``run(_:)`` without waiting for it (the store's last words: dropping a test schema).
    func submitIgnoringResult(
        _ body: @escaping @Sendable (PostgresConnection, ContinuousClock.Instant) throws(SessionStoreError) -> Void
    ) {
        let enqueued = ContinuousClock.now
        submit { [self] connection in _ = perform(body, on: &connection, enqueued: enqueued) }
    }

    /// Whether a connection has ever been opened and the schema brought up to date.
    var hasConnected: Bool { migrated.load(ordering: .acquiring) }

    /// Queues `work` for the next free worker.
    func submit(_ work: @escaping Work) {
        let job = Job(work: work)
        let worker = state.withLock { state -> Int? in
            if let worker = state.idle.popLast() {
                state.mailbox[worker] = job
                return worker
            }
            state.queue.append(job)
            return nil
        }
        if let worker { wakeups[worker].signal() }
    }

    /// Lets the workers finish the queued jobs, then close their connections and end.
    func shutDown() {
        let idle = state.withLock { state -> [Int] in
            state.shuttingDown = true
            defer { state.idle.removeAll() }
            return state.idle
        }
        for worker in idle { wakeups[worker].signal() }
        poller?.stop()
    }

    private func perform<Value>(
        _ body: (PostgresConnection, ContinuousClock.Instant) throws(SessionStoreError) -> Value,
        on slot: inout PostgresConnection?, enqueued: ContinuousClock.Instant
    ) -> Result<Value, SessionStoreError> {
        let start = ContinuousClock.now
        guard enqueued.duration(to: start) <= settings.poolTimeout else {
            return .failure(.unavailable("timed out waiting for a PostgreSQL connection"))
        }
        let deadline = start.advanced(by: settings.statementTimeout)
        var attempt = 0
        while true {
            attempt += 1
            do throws(SessionStoreError) {
                let connection = try checkOut(&slot)
                return .success(try body(connection, deadline))
            } catch {
                if slot?.isBroken == true { slot = nil }
                let retryable = (error.underlying as? PostgresError)?.isRetryable == true
                if retryable && attempt < 5 && ContinuousClock.now < deadline { continue }
                return .failure(error)
            }
        }
    }

    /// The worker's connection, (re)opened and migrated if needed.
    private func checkOut(_ slot: inout PostgresConnection?) throws(SessionStoreError) -> PostgresConnection {
        if let connection = slot, !connection.isStale() {
            try ensureMigrated(connection)
            return connection
        }
        slot = nil
        let now = ContinuousClock.now
        if let downUntil = state.withLock({ $0.downUntil }), now < downUntil {
            throw .unavailable("PostgreSQL was unreachable moments ago; not retrying yet")
        }
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(
                parameters: settings.connectionParameters, deadline: now.advanced(by: settings.connectTimeout))
        } catch {
            let retryAt = ContinuousClock.now.advanced(by: settings.reconnectInterval)
            state.withLock { $0.downUntil = retryAt }
            throw error
        }
        state.withLock { $0.downUntil = nil }
        slot = connection
        try ensureMigrated(connection)
        return connection
    }

    private func ensureMigrated(_ connection: PostgresConnection) throws(SessionStoreError) {
        guard !migrated.load(ordering: .acquiring) else { return }
        try Migrations.run(on: connection, settings: settings)
        migrated.store(true, ordering: .releasing)
    }

    // MARK: - Workers

    private func workerLoop(_ index: Int) {
        var connection: PostgresConnection?
        while let job = nextJob(for: index, connection: &connection) {
            job.work(&connection)
            if connection?.isBroken == true { connection = nil }
        }
        connection = nil  // PQfinish
    }

    /// The next job for worker `index`, waiting for one; `nil` once the pool shuts down with nothing queued.
    /// While it waits, its connection is parked in the pool's state, where ``execute(_:_:decode:)`` may borrow
    /// it; it takes the connection back (if any) before returning.
    private func nextJob(for index: Int, connection: inout PostgresConnection?) -> Job? {
        while true {
            let next = state.withLock { state -> Job?? in
                if let parked = state.parked[index] {
                    connection = parked
                    state.parked[index] = nil
                }
                if let job = state.mailbox[index] {
                    state.mailbox[index] = nil
                    return job
                }
                if let job = state.dequeue() { return job }
                if state.shuttingDown { return .some(nil) }
                state.parked[index] = connection
                connection = nil
                state.idle.append(index)
                return nil
            }
            if let next { return next }
            wakeups[index].wait()
        }
    }
}

/// Everything a connection needs, derived once from the URL and ``PostgresStore/Configuration``.
struct ConnectionSettings: Sendable {
    var connectionParameters: [(String, String)]
    var schema: Identifier
    var channel: Identifier
    var poolSize: Int
    var connectTimeout: Duration
    var statementTimeout: Duration
    var poolTimeout: Duration
    var reconnectInterval: Duration
    var dropsSchemaOnDeinit: Bool
}
