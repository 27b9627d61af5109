internal import CSmartAuthSQLite
import Foundation
import SmartAuthCore

/// One SQLite connection: the only owner of a `sqlite3` handle and of the statements prepared on it.
///
/// `@unchecked Sendable` because a connection is confined to one ``ConnectionWorker``: every use (and its close)
/// runs on that worker's serial queue, so the handle is never touched by two threads at once — what SQLite's
/// multi-thread mode (`SQLITE_OPEN_NOMUTEX`) requires. It is made on the caller's thread before the worker
/// exists, which hands it over to the queue with no use overlapping.
final class SQLiteConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// Prepared statements by SQL text: each statement is prepared once per connection.
    private var statements: [String: SQLiteStatement] = [:]
    /// The path, for error messages.
    let path: String

    /// Opens (and creates if `create`) the database at `path`; `":memory:"` is a private in-memory database.
    ///
    /// - Throws: `.unavailable` if the file cannot be opened, `.corrupt` if it is not a database.
    init(path: String, create: Bool, busyTimeout: TimeInterval) throws(SessionStoreError) {
        self.path = path
        var flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_PRIVATECACHE
        if create { flags |= SQLITE_OPEN_CREATE }
        var opened: OpaquePointer?
        let result = sqlite3_open_v2(path, &opened, flags, nil)
        guard result == SQLITE_OK, let opened else {
            let message = opened.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "out of memory"
            let code = opened.map { sqlite3_extended_errcode($0) } ?? result
            sqlite3_close_v2(opened)  // a handle is returned even on failure and must be closed
            let cause = SQLiteError(code: code, message: message, operation: "opening \(path)")
            var error = SessionStoreError.sqlite(cause)
            if error.code == .unavailable {
                error.message = "cannot open the SQLite database at \(path)"
            }
            throw error
        }
        handle = opened
        sqlite3_extended_result_codes(opened, 1)
        let milliseconds = Int32(clamping: Int((busyTimeout * 1000).rounded(.up)))
        sqlite3_busy_timeout(opened, milliseconds)
    }

    deinit { close() }

    /// Whether the connection is still open.
    var isOpen: Bool { handle != nil }

    /// Finalizes every statement and closes the handle. Idempotent.
    func close() {
        statements.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    /// The open handle, or `.unavailable` once the connection is closed.
    private func database() throws(SessionStoreError) -> OpaquePointer {
        guard let handle else { throw SessionStoreError.unavailable("the SQLite store is closed") }
        return handle
    }

    /// The error SQLite reports on this connection for a failed `operation`.
    private func failure(_ database: OpaquePointer, _ operation: String) -> SessionStoreError {
        let message = sqlite3_errmsg(database).map { String(cString: $0) } ?? "no message"
        return .sqlite(SQLiteError(code: sqlite3_extended_errcode(database), message: message, operation: operation))
    }

    /// Runs a script of statements without parameters (schema migrations, pragmas). Only for SQL text written in
    /// this module, never for text built from input.
    func executeScript(_ sql: String) throws(SessionStoreError) {
        let database = try database()
        var errorMessage: UnsafeMutablePointer<CChar>?
        let result = sqlite3_exec(database, sql, nil, nil, &errorMessage)
        defer { sqlite3_free(errorMessage) }
        guard result == SQLITE_OK else { throw failure(database, "running a script") }
    }

    /// The cached statement for `sql`, prepared on first use.
    private func statement(_ sql: String) throws(SessionStoreError) -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        let database = try database()
        var prepared: OpaquePointer?
        let result = sqlite3_prepare_v3(database, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
        guard result == SQLITE_OK, let prepared else { throw failure(database, "preparing a statement") }
        let statement = SQLiteStatement(takingOwnershipOf: prepared, database: database)
        statements[sql] = statement
        return statement
    }

    /// Runs `sql` with `parameters` and hands each result row to `row`; the statement is reset afterwards
    /// whatever happens, so no read transaction stays open.
    func query<Row>(
        _ sql: String, _ parameters: [SQLiteValue] = [],
        row: (SQLiteStatement) throws(SessionStoreError) -> Row
    ) throws(SessionStoreError) -> [Row] {
        let statement = try statement(sql)
        defer { statement.reset() }
        try statement.bind(parameters)
        var rows: [Row] = []
        while try statement.step() { rows.append(try row(statement)) }
        return rows
    }

    /// The first result row of `sql`, or `nil`.
    func queryFirst<Row>(
        _ sql: String, _ parameters: [SQLiteValue] = [],
        row: (SQLiteStatement) throws(SessionStoreError) -> Row
    ) throws(SessionStoreError) -> Row? {
        let statement = try statement(sql)
        defer { statement.reset() }
        try statement.bind(parameters)
        guard try statement.step() else { return nil }
        let first = try row(statement)
        while try statement.step() {}  // run to completion: a write with RETURNING finishes its work here
        return first
    }

    /// Runs a statement that returns no rows.
    /// - Returns: how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLiteValue] = []) throws(SessionStoreError) -> Int {
        let statement = try statement(sql)
        defer { statement.reset() }
        try statement.bind(parameters)
        while try statement.step() {}
        return Int(sqlite3_changes64(try database()))
    }

    /// An integer-valued pragma or query (`PRAGMA user_version`).
    func integer(_ sql: String) throws(SessionStoreError) -> Int64 {
        guard let value = try queryFirst(sql, row: { $0.integer(0) }), let value else {
            throw SessionStoreError.corruptRow("value of \(sql)")
        }
        return value
    }

    /// Whether a transaction is open (SQLite ends one by itself after some errors: a full disk, an I/O error).
    var isInTransaction: Bool {
        guard let handle else { return false }
        return sqlite3_get_autocommit(handle) == 0
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction: the write lock is taken up front (waiting up to the busy
    /// timeout for another process), so no statement inside can fail with `SQLITE_BUSY` halfway. Commits if `body`
    /// returns, rolls back if it throws.
    func transaction<Result>(_ body: () throws(SessionStoreError) -> Result) throws(SessionStoreError) -> Result {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if isInTransaction { _ = try? execute("ROLLBACK") }
            throw error
        }
    }
}
