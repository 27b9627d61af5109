internal import CSmartAuthSQLite
import SmartAuthCore

/// A value bound to a statement parameter.
enum SQLiteValue: Sendable {
    case null
    case integer(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])
}

/// `SQLITE_TRANSIENT`: SQLite copies bound text and blobs before the bind call returns, so no Swift buffer has to
/// outlive it.
private let transient = smartauth_sqlite_transient()

/// One prepared statement, owned: finalized on deinit. It belongs to one ``SQLiteConnection``'s cache and is used
/// only on that connection's queue.
final class SQLiteStatement {
    private let handle: OpaquePointer
    /// The connection's handle, for error messages. The connection outlives its cached statements.
    private let database: OpaquePointer

    /// Takes ownership of a statement made by `sqlite3_prepare_v3`.
    init(takingOwnershipOf handle: OpaquePointer, database: OpaquePointer) {
        self.handle = handle
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    /// The error SQLite reports for `code` on this statement's connection.
    private func failure(_ code: Int32, _ operation: String) -> SessionStoreError {
        let message = sqlite3_errmsg(database).map { String(cString: $0) } ?? "no message"
        return .sqlite(SQLiteError(code: sqlite3_extended_errcode(database), message: message, operation: operation))
    }

    /// Binds `values` to parameters 1, 2, … in order.
    func bind(_ values: [SQLiteValue]) throws(SessionStoreError) {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let result: Int32
            switch value {
            case .null:
                result = sqlite3_bind_null(handle, index)
            case .integer(let integer):
                result = sqlite3_bind_int64(handle, index, integer)
            case .double(let double):
                result = sqlite3_bind_double(handle, index, double)
            case .text(var text):
                result = text.withUTF8 { bytes in
                    // An empty buffer may have no base address, and a null pointer would bind SQL NULL.
                    guard let base = bytes.baseAddress, !bytes.isEmpty else {
                        return sqlite3_bind_text(handle, index, "", 0, transient)
                    }
                    return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { pointer in
                        sqlite3_bind_text64(handle, index, pointer, UInt64(bytes.count), transient, UInt8(SQLITE_UTF8))
                    }
                }
            case .blob(let bytes):
                result = bytes.withUnsafeBytes { buffer in
                    guard let base = buffer.baseAddress, !buffer.isEmpty else {
                        return sqlite3_bind_zeroblob(handle, index, 0)
                    }
                    return sqlite3_bind_blob64(handle, index, base, UInt64(buffer.count), transient)
                }
            }
            guard result == SQLITE_OK else { throw failure(result, "binding parameter \(index)") }
        }
    }

    /// Advances to the next row: `true` if there is one, `false` when the statement is done.
    func step() throws(SessionStoreError) -> Bool {
        let result = sqlite3_step(handle)
        switch result {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw failure(result, "running a statement")
        }
    }

    /// Ends the statement's run (and with it any read transaction it holds) and clears its parameters, so the
    /// cached statement is ready for the next use.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: - Columns of the current row

    /// Whether column `index` is SQL NULL.
    func isNull(_ index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }

    /// Column `index` as an integer; `nil` if it holds another type.
    func integer(_ index: Int32) -> Int64? {
        guard sqlite3_column_type(handle, index) == SQLITE_INTEGER else { return nil }
        return sqlite3_column_int64(handle, index)
    }

    /// Column `index` as a double; `nil` if it holds neither a double nor an integer.
    ///
    /// An integer is accepted because SQLite stores a `REAL` with an integral value as an integer on disk, and
    /// values produced by `RETURNING` can come back in that form (they are exact: below 2⁵³).
    func double(_ index: Int32) -> Double? {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_FLOAT: return sqlite3_column_double(handle, index)
        case SQLITE_INTEGER:
            let integer = sqlite3_column_int64(handle, index)
            return Double(exactly: integer)
        default: return nil
        }
    }

    /// Column `index` as text; `nil` if it is NULL, not text, or not valid UTF-8.
    func text(_ index: Int32) -> String? {
        guard sqlite3_column_type(handle, index) == SQLITE_TEXT else { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        guard let pointer = sqlite3_column_text(handle, index) else { return count == 0 ? "" : nil }
        return String(validating: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// Column `index`'s bytes (text or blob); `nil` if it is NULL or a number.
    func bytes(_ index: Int32) -> [UInt8]? {
        let type = sqlite3_column_type(handle, index)
        guard type == SQLITE_BLOB || type == SQLITE_TEXT else { return nil }
        // `sqlite3_column_blob` first, then `_bytes`: the order SQLite documents for a stable pointer.
        let pointer = sqlite3_column_blob(handle, index)
        let count = Int(sqlite3_column_bytes(handle, index))
        guard let pointer, count > 0 else { return count == 0 ? [] : nil }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
