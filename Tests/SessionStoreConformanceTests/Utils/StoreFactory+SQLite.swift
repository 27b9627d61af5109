import Foundation
import SmartAuthCore
import SmartAuthSQLiteStore

#if canImport(Glibc)
    import Glibc
#endif

extension StoreFactory {
    /// The SQLite store as a server uses it: a fresh database file (WAL, one writer and two reader connections),
    /// so every race in the suite runs across several connections.
    static let sqlite = StoreFactory(name: "sqlite") {
        try SQLiteStore(path: SQLiteTestFiles.freshPath())
    }
}

/// Database files for the suite, in one temporary directory per test process.
///
/// The test runner does not reliably run exit handlers, so instead each process removes the directories of earlier
/// processes that have ended.
enum SQLiteTestFiles {
    private static let prefix = "smartauth-sqlite-conformance-"

    static let directory: String = {
        let temporary = FileManager.default.temporaryDirectory.path
        removeDirectoriesOfEndedProcesses(in: temporary)
        let path = temporary + "/\(prefix)\(ProcessInfo.processInfo.processIdentifier)-\(UUID())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// A path in ``directory`` that no other store uses.
    static func freshPath() -> String { directory + "/\(UUID()).db" }

    private static func removeDirectoriesOfEndedProcesses(in temporary: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count).prefix { $0.isNumber }) else { continue }
            // kill with signal 0 only checks whether the process exists.
            if kill(pid, 0) == -1, errno == ESRCH {
                try? FileManager.default.removeItem(atPath: temporary + "/" + name)
            }
        }
    }
}

extension AuthStoreFactory {
    /// The SQLite store for the user, counter and shared-value suites.
    static let sqlite = AuthStoreFactory(name: "sqlite") { try SQLiteStore(path: SQLiteTestFiles.freshPath()) }
}
