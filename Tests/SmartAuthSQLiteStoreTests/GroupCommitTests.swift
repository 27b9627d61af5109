import Foundation
import SmartAuthCore
import SmartAuthTesting
import Synchronization
import Testing

@testable import SmartAuthSQLiteStore

/// Writes that wait together share one transaction, each at a savepoint of its own: a write that fails is undone
/// alone, the others commit, and each caller hears only after the commit.
@Suite struct GroupCommitTests {
    @Test func concurrentWritesShareTransactionsAndAFailingOneIsUndoneAlone() async throws {
        try await withStore { store, _ in
            try await store.executeRaw("CREATE TABLE probe (id INTEGER PRIMARY KEY)")
            let before = store.commits.committedBatches.load(ordering: .relaxed)
            let count = 400
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
                for id in 0..<count {
                    group.addTask {
                        do throws(SessionStoreError) {
                            try await store.write(at: nil) { connection throws(SessionStoreError) in
                                _ = try connection.execute("INSERT INTO probe (id) VALUES (?1)", [.integer(Int64(id))])
                                // Every seventh write fails after it has changed the database.
                                if id % 7 == 0 { throw SessionStoreError(.invalidArgument, "planned failure \(id)") }
                            }
                            return (id, true)
                        } catch {
                            #expect(error.code == .invalidArgument)
                            #expect(error.message.contains("planned failure \(id)"))
                            return (id, false)
                        }
                    }
                }
                return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(outcomes.count == count)
            for (id, succeeded) in outcomes { #expect(succeeded == (id % 7 != 0), "write \(id)") }

            let stored = try await store.writer.run { connection throws(SessionStoreError) in
                try connection.query("SELECT id FROM probe ORDER BY id") { $0.integer(0) }
            }
            #expect(stored.compactMap { $0 }.map(Int.init) == (0..<count).filter { $0 % 7 != 0 })
            // Fewer transactions than writes: they were committed together.
            let batches = store.commits.committedBatches.load(ordering: .relaxed) - before
            #expect(batches >= 1 && batches < count)
        }
    }

    @Test func aWriteSeesTheEarlierWritesOfItsBatch() async throws {
        try await withStore { store, _ in
            try await store.executeRaw("CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0)")
            // Read-modify-write from many tasks at once: no increment is lost.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<300 {
                    group.addTask {
                        try await store.write(at: nil) { connection throws(SessionStoreError) in
                            let value = try connection.integer("SELECT n FROM counter")
                            _ = try connection.execute("UPDATE counter SET n = ?1", [.integer(value + 1)])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let total = try await store.writer.run { connection throws(SessionStoreError) in
                try connection.integer("SELECT n FROM counter")
            }
            #expect(total == 300)
        }
    }

    @Test func writesAfterCloseFailAsUnavailable() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(path: directory + "/auth.db")
            await store.close()
            await #expect(throws: SessionStoreError.self) {
                try await store.write(at: nil) { _ throws(SessionStoreError) in }
            }
        }
    }
}
