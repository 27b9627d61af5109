import Foundation
import SmartAuthCore
import SmartAuthSQLiteStore

extension StoreFactory {
    /// The SQLite store as a server uses it: a fresh database file (WAL, one writer and two reader connections),
    /// so every race in the suite runs across several connections.
    static let sqlite = StoreFactory(name: "sqlite") {
        try SQLiteStore(path: SQLiteTestFiles.freshPath())
    }
}

/// Database files for the suite, in one temporary directory that is removed when the test process exits.
enum SQLiteTestFiles {
    static let directory: String = {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("smartauth-sqlite-conformance-\(ProcessInfo.processInfo.processIdentifier)-\(UUID())")
            .path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: SQLiteTestFiles.directory) }
        return path
    }()

    /// A path in ``directory`` that no other store uses.
    static func freshPath() -> String { directory + "/\(UUID()).db" }
}
