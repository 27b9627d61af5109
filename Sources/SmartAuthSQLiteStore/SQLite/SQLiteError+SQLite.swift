internal import CSmartAuthSQLite
import SmartAuthCore

/// What SQLite reported, kept as the ``SessionStoreError/underlying`` cause for logs.
///
/// SQLite's messages name tables, columns and constraints, never bound values, so they hold no secrets; they
/// still stay out of ``SessionStoreError/message``, which is what a developer-facing report shows.
struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_IOERR_FSYNC`, …).
    var code: Int32
    /// `sqlite3_errmsg` at the time of the failure (or a description of the failing system call).
    var message: String
    /// What the store was doing.
    var operation: String

    /// The primary result code (the low byte of the extended one).
    var primaryCode: Int32 { code & 0xFF }

    var description: String { "SQLite result \(code) during \(operation): \(message)" }

    /// An error with SQLite's `SQLITE_CANTOPEN` code for a file the store failed to create or open before SQLite
    /// saw it (the message is the system's).
    static func cannotOpen(_ message: String, operation: String) -> SQLiteError {
        SQLiteError(code: SQLITE_CANTOPEN, message: message, operation: operation)
    }
}

// Extended result codes as SQLite defines them (`SQLITE_CONSTRAINT | (n << 8)`), written out because the
// importer does not carry macros built from other macros reliably.
private let constraintPrimaryKey: Int32 = SQLITE_CONSTRAINT | (6 << 8)
private let constraintUnique: Int32 = SQLITE_CONSTRAINT | (8 << 8)

extension SessionStoreError {
    /// The store's error for a SQLite failure: the one place where result codes become ``SessionStoreError/Code``s.
    ///
    /// - `SQLITE_CONSTRAINT_PRIMARYKEY`/`_UNIQUE` → `.duplicate`; any other constraint, `SQLITE_TOOBIG`,
    ///   `SQLITE_RANGE` and `SQLITE_MISMATCH` → `.invalidArgument`;
    /// - `SQLITE_CORRUPT`, `SQLITE_NOTADB` → `.corrupt`;
    /// - everything else (busy or locked past the busy timeout, I/O errors, a full disk, a file that cannot be
    ///   opened or written, out of memory) → `.unavailable`: the store fails closed.
    static func sqlite(_ cause: SQLiteError, file: String = #fileID, line: Int = #line) -> SessionStoreError {
        let code: Code
        let message: String
        switch cause.primaryCode {
        case SQLITE_CONSTRAINT where cause.code == constraintPrimaryKey || cause.code == constraintUnique:
            (code, message) = (.duplicate, "a record with this key already exists")
        case SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_RANGE:
            (code, message) = (.invalidArgument, "the value cannot be stored (a constraint of the schema failed)")
        case SQLITE_TOOBIG:
            (code, message) = (.invalidArgument, "the value is too large to store")
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            (code, message) = (.corrupt, "the SQLite database file is corrupt or is not a database")
        case SQLITE_BUSY, SQLITE_LOCKED:
            (code, message) = (
                .unavailable, "the SQLite database stayed locked by another connection past the busy timeout"
            )
        case SQLITE_FULL:
            (code, message) = (.unavailable, "the disk holding the SQLite database is full")
        case SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_READONLY, SQLITE_AUTH:
            (code, message) = (.unavailable, "the SQLite database file cannot be opened or written")
        case SQLITE_IOERR:
            (code, message) = (.unavailable, "an I/O error occurred on the SQLite database file")
        case SQLITE_NOMEM:
            (code, message) = (.unavailable, "SQLite ran out of memory")
        default:
            (code, message) = (.unavailable, "SQLite failed")
        }
        return SessionStoreError(code, message, underlying: cause, file: file, line: line)
    }

    /// A `.corrupt` error for a row that does not decode.
    static func corruptRow(_ what: String, file: String = #fileID, line: Int = #line) -> SessionStoreError {
        SessionStoreError(
            .corrupt, "the SQLite database holds a \(what) that cannot be read back", file: file, line: line)
    }
}
