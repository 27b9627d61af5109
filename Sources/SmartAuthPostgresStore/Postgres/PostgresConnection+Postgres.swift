internal import CSmartAuthPostgres
import Glibc
import SmartAuthCore

/// One libpq connection (`PGconn`), owned by exactly one thread at a time: a pool worker or the revocation
/// listener. Every call waits on the socket with `poll` until a deadline, so no call blocks longer than the
/// operation's budget; a connection that timed out or lost its server is marked broken and thrown away by its
/// owner.
///
/// It is `@unchecked Sendable` only so that it can be created on one thread and handed to the thread that owns
/// it; it is never used by two threads at once (each owner keeps it in a local variable of its thread).
final class PostgresConnection: @unchecked Sendable {
    /// The `PGconn *`; freed with `PQfinish` in `deinit`, on every path.
    private let handle: OpaquePointer
    /// Names of the statements prepared on this connection.
    private var prepared: Set<String> = []
    /// Set when the connection can no longer be trusted (timeout mid-exchange, lost server, protocol state).
    private(set) var isBroken = false
    /// The results read so far of an exchange begun with ``startPrepared(_:_:)``.
    private var exchange = Exchange()

    /// The results of an exchange (a command's answer), gathered as they arrive.
    private struct Exchange {
        var outcome: QueryResult?
        var failure: SessionStoreError?

        /// Takes one result: the first failure wins; otherwise the last result's rows are the answer.
        mutating func record(_ result: OpaquePointer) {
            guard failure == nil else { return }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY: outcome = QueryResult(copying: result)
            default: failure = PostgresConnection.error(of: result)
            }
        }
    }

    /// The answer of a finished exchange; an exchange without any result breaks the connection.
    private func answer(_ exchange: Exchange) -> Result<QueryResult, SessionStoreError> {
        if let failure = exchange.failure { return .failure(failure) }
        guard let outcome = exchange.outcome else {
            isBroken = true
            return .failure(.unavailable("PostgreSQL sent no result", underlying: clientError()))
        }
        return .success(outcome)
    }

    private init(takingOwnershipOf handle: OpaquePointer) {
        self.handle = handle
    }

    deinit { PQfinish(handle) }

    // MARK: - Connecting

    /// Opens a connection without blocking past `deadline`: `PQconnectStartParams` and `PQconnectPoll`, waiting on
    /// the socket with `poll`.
    ///
    /// - Parameters:
    ///   - parameters: libpq keywords and values, in order (later ones override earlier ones); the URL is passed
    ///     as `dbname` with `expand_dbname`, so libpq parses it.
    ///   - deadline: When to give up.
    /// - Throws: `.unavailable` if the server cannot be reached, refuses the connection or does not answer in time.
    static func connect(
        parameters: [(String, String)], deadline: ContinuousClock.Instant
    ) throws(SessionStoreError) -> PostgresConnection {
        let raw = withCStringArray(parameters.map(\.0) + [nil]) { keywords in
            withCStringArray(parameters.map(\.1) + [nil]) { values in
                PQconnectStartParams(keywords, values, 1)
            }
        }
        guard let raw else { throw .unavailable("could not allocate a PostgreSQL connection") }
        let connection = PostgresConnection(takingOwnershipOf: raw)
        smartauth_pq_silence_notices(raw)
        guard PQstatus(raw) != CONNECTION_BAD else {
            throw .unavailable("could not connect to PostgreSQL", underlying: connection.clientError())
        }
        var status = PGRES_POLLING_WRITING
        while true {
            switch status {
            case PGRES_POLLING_OK:
                return connection
            case PGRES_POLLING_READING, PGRES_POLLING_WRITING:
                let events = Int16(status == PGRES_POLLING_READING ? POLLIN : POLLOUT)
                // PQconnectPoll may switch sockets (several addresses), so read it again each time.
                guard waitForSocket(PQsocket(raw), events: events, until: deadline) else {
                    throw .unavailable("timed out connecting to PostgreSQL")
                }
            default:
                throw .unavailable("could not connect to PostgreSQL", underlying: connection.clientError())
            }
            status = PQconnectPoll(raw)
        }
    }

    /// Why libpq cannot parse `url` as a connection string, or `nil` if it can. Does not connect.
    static func parseError(url: String) -> PostgresError? {
        var message: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &message) else {
            defer { if let message { PQfreemem(message) } }
            return PostgresError(sqlState: nil, message: message.map { String(cString: $0) } ?? "out of memory")
        }
        PQconninfoFree(options)
        return nil
    }

    /// Whether an idle connection has been closed by the server (a restart, an administrator, a network failure
    /// that the kernel noticed): reads whatever the server sent without blocking.
    ///
    /// - Parameter socketQuiet: The caller knows that nothing has arrived on the socket since the last exchange
    ///   ended (``CompletionPoller/isQuiet(slot:connection:)``), so the socket need not be polled.
    func isStale(socketQuiet: Bool = false) -> Bool {
        guard !isBroken, PQstatus(handle) == CONNECTION_OK else { return true }
        if socketQuiet { return false }
        // Something may have arrived while idle: a termination notice (57P01 on a server shutdown), then EOF.
        // PQconsumeInput reads what is there without noticing an EOF behind it, so look again until the socket
        // is quiet (a few rounds at most: an idle pool connection receives nothing else).
        for _ in 0..<4 {
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else { return false }
            if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK { return true }
        }
        return false
    }

    // MARK: - Round trips

    /// Executes `statement` with bound `parameters`, preparing it on this connection the first time.
    ///
    /// - Parameters:
    ///   - binaryResult: Whether to ask for results in binary format (used for `bytea` values).
    ///   - deadline: When to give up; the connection is then broken.
    /// - Returns: The rows (each cell as raw bytes, `nil` for SQL `NULL`) and the affected row count.
    /// - Throws: the mapped ``SessionStoreError``.
    func execute(
        _ statement: Statement, _ parameters: [Parameter], binaryResult: Bool = false,
        deadline: ContinuousClock.Instant
    ) throws(SessionStoreError) -> QueryResult {
        precondition(parameters.count == statement.parameterCount, "wrong parameter count for \(statement.name)")
        let name = statement.name.description
        if !prepared.contains(name) {
            let sent = statement.sql.withUTF8Buffer { sql in
                sql.withMemoryRebound(to: CChar.self) { sql in
                    // StaticString's buffer is NUL-terminated.
                    PQsendPrepare(handle, name, sql.baseAddress, Int32(statement.parameterCount), nil)
                }
            }
            _ = try collect(sent: sent, deadline: deadline)
            prepared.insert(name)
        }
        let sent = try withParameters(parameters) { values, lengths, formats in
            PQsendQueryPrepared(handle, name, Int32(parameters.count), values, lengths, formats, binaryResult ? 1 : 0)
        }
        return try collect(sent: sent, deadline: deadline)
    }

    /// Executes constant SQL text without parameters (`BEGIN`, `COMMIT`, `ROLLBACK`).
    func execute(_ sql: StaticString, deadline: ContinuousClock.Instant) throws(SessionStoreError) {
        let sent = sql.withUTF8Buffer { sql in
            sql.withMemoryRebound(to: CChar.self) { PQsendQuery(handle, $0.baseAddress) }
        }
        _ = try collect(sent: sent, deadline: deadline)
    }

    /// Executes SQL once without preparing it: constant text, perhaps with a validated identifier (a schema or
    /// channel name, which SQL cannot bind), and bound parameters.
    func execute(
        _ sql: OneOffSQL, _ parameters: [Parameter] = [], deadline: ContinuousClock.Instant
    ) throws(SessionStoreError) -> QueryResult {
        let sent = try withParameters(parameters) { values, lengths, formats in
            PQsendQueryParams(handle, sql.text, Int32(parameters.count), nil, values, lengths, formats, 0)
        }
        return try collect(sent: sent, deadline: deadline)
    }

    /// Runs `body` in a transaction: `BEGIN`, then `COMMIT` if it returns, `ROLLBACK` if it throws.
    func transaction<Value>(
        deadline: ContinuousClock.Instant, _ body: () throws(SessionStoreError) -> Value
    ) throws(SessionStoreError) -> Value {
        try execute("BEGIN", deadline: deadline)
        do throws(SessionStoreError) {
            let value = try body()
            try execute("COMMIT", deadline: deadline)
            return value
        } catch {
            rollbackQuietly(deadline: deadline)
            throw error
        }
    }

    /// Rolls back an open transaction after a failure, if the connection still works; otherwise marks it broken.
    func rollbackQuietly(deadline: ContinuousClock.Instant) {
        guard !isBroken else { return }
        do { try execute("ROLLBACK", deadline: deadline) } catch { isBroken = true }
    }

    /// Reads every result of the command just sent, waiting on the socket until `deadline`.
    private func collect(sent: Int32, deadline: ContinuousClock.Instant) throws(SessionStoreError) -> QueryResult {
        guard sent == 1 else {
            isBroken = true
            throw .unavailable("could not send a command to PostgreSQL", underlying: clientError())
        }
        var gathered = Exchange()
        while true {
            while PQisBusy(handle) != 0 {
                guard waitForSocket(PQsocket(handle), events: Int16(POLLIN), until: deadline) else {
                    // The exchange is unfinished: the connection cannot be reused.
                    isBroken = true
                    throw .unavailable("PostgreSQL did not answer in time")
                }
                guard PQconsumeInput(handle) == 1 else {
                    isBroken = true
                    throw .unavailable("lost the connection to PostgreSQL", underlying: clientError())
                }
            }
            guard let result = PQgetResult(handle) else { break }
            defer { PQclear(result) }
            gathered.record(result)
        }
        if PQstatus(handle) != CONNECTION_OK { isBroken = true }
        return try answer(gathered).get()
    }

    // MARK: - Exchanges without waiting (the completion poller)

    /// The connection's socket, which the ``CompletionPoller`` watches.
    var socket: Int32 { PQsocket(handle) }

    /// Whether `statement` has been prepared on this connection (``startPrepared(_:_:)`` sends only those).
    func hasPrepared(_ statement: Statement) -> Bool { prepared.contains(statement.name.description) }

    /// Sends `statement`, already prepared on this connection, without waiting for the server: the connection is
    /// in nonblocking mode until ``continueExchange()`` reports the exchange finished, and its owner calls nothing
    /// else on it meanwhile.
    ///
    /// - Returns: Whether part of the message is still to be written (wait until the socket is writable).
    /// - Throws: `.invalidArgument` for a parameter PostgreSQL cannot hold; `.unavailable` if the command cannot
    ///   be sent (the connection is then broken).
    func startPrepared(_ statement: Statement, _ parameters: [Parameter]) throws(SessionStoreError) -> Bool {
        precondition(parameters.count == statement.parameterCount, "wrong parameter count for \(statement.name)")
        precondition(hasPrepared(statement), "\(statement.name) is not prepared on this connection")
        guard PQsetnonblocking(handle, 1) == 0 else {
            isBroken = true
            throw .unavailable("could not send a command to PostgreSQL", underlying: clientError())
        }
        let sent = try withParameters(parameters) { values, lengths, formats in
            statement.name.withUTF8Buffer { name in
                name.withMemoryRebound(to: CChar.self) { name in
                    // StaticString's buffer is NUL-terminated.
                    PQsendQueryPrepared(handle, name.baseAddress, Int32(parameters.count), values, lengths, formats, 0)
                }
            }
        }
        guard sent == 1 else {
            isBroken = true
            throw .unavailable("could not send a command to PostgreSQL", underlying: clientError())
        }
        exchange = Exchange()
        switch PQflush(handle) {
        case 0: return false
        case 1: return true
        default:
            isBroken = true
            throw .unavailable("lost the connection to PostgreSQL", underlying: clientError())
        }
    }

    /// What ``continueExchange()`` found.
    enum ExchangeProgress {
        /// The answer is incomplete: wait until the socket is readable (and writable, if `writable`).
        case waiting(writable: Bool)
        /// Every result has been read and the connection is back in blocking mode (or broken).
        case finished(Result<QueryResult, SessionStoreError>)
    }

    /// One step of the exchange ``startPrepared(_:_:)`` began, once the socket is ready: reads what arrived,
    /// writes what is left, and collects the results as ``execute(_:_:binaryResult:deadline:)`` does. Never
    /// waits.
    func continueExchange() -> ExchangeProgress {
        guard PQconsumeInput(handle) == 1 else {
            return finishExchange(.unavailable("lost the connection to PostgreSQL", underlying: clientError()))
        }
        switch PQflush(handle) {
        case 0: break
        case 1: return .waiting(writable: true)
        default: return finishExchange(.unavailable("lost the connection to PostgreSQL", underlying: clientError()))
        }
        while PQisBusy(handle) == 0 {
            guard let result = PQgetResult(handle) else {
                if PQsetnonblocking(handle, 0) != 0 || PQstatus(handle) != CONNECTION_OK { isBroken = true }
                let finished = exchange
                exchange = Exchange()
                return .finished(answer(finished))
            }
            defer { PQclear(result) }
            exchange.record(result)
        }
        return .waiting(writable: false)
    }

    /// Ends an exchange that cannot go on (no answer in time, a lost server): the connection is broken.
    func abandonExchange(_ error: SessionStoreError) -> Result<QueryResult, SessionStoreError> {
        guard case .finished(let result) = finishExchange(error) else { return .failure(error) }
        return result
    }

    private func finishExchange(_ error: SessionStoreError) -> ExchangeProgress {
        isBroken = true
        exchange = Exchange()
        return .finished(.failure(error))
    }

    // MARK: - Notifications

    /// Waits up to `timeout` milliseconds for the server to send something, then reads it.
    /// - Returns: `false` if the connection is lost.
    func awaitInput(timeoutMilliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, timeoutMilliseconds)
        if ready < 0 && errno != EINTR { isBroken = true }
        if ready > 0 && (PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK) { isBroken = true }
        return !isBroken
    }

    /// The notifications received so far, as (channel, payload) pairs.
    func takeNotifications() -> [(channel: String, payload: [UInt8])] {
        var notifications: [(channel: String, payload: [UInt8])] = []
        while let notification = PQnotifies(handle) {
            defer { PQfreemem(notification) }
            let channel = String(cString: notification.pointee.relname)
            let extra = notification.pointee.extra!
            let payload = Array(UnsafeRawBufferPointer(start: extra, count: strlen(extra)))
            notifications.append((channel, payload))
        }
        return notifications
    }

    // MARK: - Errors

    /// The connection's last error message, for logs.
    private func clientError() -> PostgresError {
        PostgresError(sqlState: nil, message: String(cString: PQerrorMessage(handle)))
    }

    /// Maps a failed result at the boundary: SQLSTATE class → ``SessionStoreError/Code``; the server's message
    /// goes into `underlying` only.
    private static func error(of result: OpaquePointer) -> SessionStoreError {
        let sqlState = smartauth_pq_result_sqlstate(result).map { String(cString: $0) }
        let message = smartauth_pq_result_primary_message(result).map { String(cString: $0) }
            ?? String(cString: PQresultErrorMessage(result))
        return PostgresError(sqlState: sqlState, message: message).storeError
    }
}

/// Waits until `descriptor` is ready for `events` or `deadline` passes.
/// - Returns: `true` when ready (or when `poll` fails: libpq then reports the error), `false` on timeout.
func waitForSocket(_ descriptor: Int32, events: Int16, until deadline: ContinuousClock.Instant) -> Bool {
    guard descriptor >= 0 else { return true }
    while true {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { return false }
        let (seconds, attoseconds) = remaining.components
        let milliseconds = min(Int64(Int32.max), seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        let ready = poll(&entry, 1, Int32(milliseconds))
        if ready > 0 { return true }
        if ready < 0 && errno != EINTR { return true }
    }
}

/// Calls `body` with a C array of C strings (`NULL` for `nil`), valid only during the call.
private func withCStringArray<Result>(
    _ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> Result
) -> Result {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { string in string.map { strdup($0)! } }
    defer { for copy in copies { free(copy) } }
    let pointers = copies.map { $0.map { UnsafePointer($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Calls `body` with libpq's three parameter arrays (values, lengths, formats), valid only during the call.
/// - Throws: `.invalidArgument` for text containing a NUL character, which PostgreSQL text cannot hold (libpq
///   would silently cut it there).
private func withParameters<Result>(
    _ parameters: [Parameter],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> Result
) throws(SessionStoreError) -> Result {
    var copies: [UnsafeMutablePointer<CChar>?] = []
    var lengths: [Int32] = []
    var formats: [Int32] = []
    defer { for copy in copies { copy?.deallocate() } }
    for parameter in parameters {
        let bytes: [UInt8]
        switch parameter {
        case .null:
            copies.append(nil)
            lengths.append(0)
            formats.append(0)
            continue
        case .text(let text):
            bytes = Array(text.utf8)
            guard !bytes.contains(0) else {
                throw SessionStoreError(.invalidArgument, "text values cannot contain NUL characters")
            }
            formats.append(0)
        case .binary(let data):
            bytes = data
            formats.append(1)
        }
        guard bytes.count < Int32.max else { throw SessionStoreError(.invalidArgument, "value too large") }
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
        bytes.withUnsafeBytes { source in
            UnsafeMutableRawPointer(copy).copyMemory(from: source.baseAddress ?? UnsafeRawPointer(copy), byteCount: source.count)
        }
        copy[bytes.count] = 0
        copies.append(copy)
        lengths.append(Int32(bytes.count))
    }
    let values = copies.map { $0.map { UnsafePointer($0) } }
    return values.withUnsafeBufferPointer { values in
        lengths.withUnsafeBufferPointer { lengths in
            formats.withUnsafeBufferPointer { formats in
                body(values.baseAddress, lengths.baseAddress, formats.baseAddress)
            }
        }
    }
}

extension QueryResult {
    /// Copies every cell out of `result` (which the caller clears).
    init(copying result: OpaquePointer) {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var rows: [[[UInt8]?]] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            var cells: [[UInt8]?] = []
            cells.reserveCapacity(columnCount)
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) == 1 {
                    cells.append(nil)
                } else {
                    let length = Int(PQgetlength(result, row, column))
                    let value = PQgetvalue(result, row, column)
                    cells.append(Array(UnsafeRawBufferPointer(start: value, count: length)))
                }
            }
            rows.append(cells)
        }
        let affected = PQcmdTuples(result).map { Int(String(cString: $0)) ?? 0 } ?? 0
        self.init(rows: rows, affectedRows: affected)
    }
}
