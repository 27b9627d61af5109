import Foundation
import SmartAuthCore
import Testing

@testable import SmartAuthSQLiteStore

/// Runs `body` with a fresh temporary directory, removed afterwards however `body` ends.
func withTemporaryDirectory<Result>(_ body: (String) async throws -> Result) async throws -> Result {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("smartauth-sqlite-\(UUID())").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// Runs `body` with a store on a fresh file in a temporary directory; closes the store afterwards.
func withStore<Result>(
    configuration: SQLiteStore.Configuration = SQLiteStore.Configuration(),
    _ body: (SQLiteStore, String) async throws -> Result
) async throws -> Result {
    try await withTemporaryDirectory { directory in
        let path = directory + "/auth.db"
        let store = try SQLiteStore(path: path, configuration: configuration)
        do {
            let result = try await body(store, path)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }
}

extension SQLiteStore {
    /// How many rows `table` holds (read on the writer, so it sees every committed write).
    func rowCount(_ table: String) async throws -> Int64 {
        let sql: String
        switch table {
        case "sessions": sql = "SELECT count(*) FROM sessions"
        case "rate_limits": sql = "SELECT count(*) FROM rate_limits"
        case "failures": sql = "SELECT count(*) FROM failures"
        default: preconditionFailure("unknown table \(table)")
        }
        return try await writer.run { connection throws(SessionStoreError) in try connection.integer(sql) }
    }

    /// Runs a script on the writer connection, bypassing the store's API (to damage or age a database in a test).
    func executeRaw(_ sql: String) async throws {
        try await writer.run { connection throws(SessionStoreError) in try connection.executeScript(sql) }
    }
}
