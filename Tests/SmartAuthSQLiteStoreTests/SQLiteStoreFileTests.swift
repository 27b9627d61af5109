import Foundation
import SmartAuthCore
import SmartAuthJWT
import SmartAuthTesting
import Testing

@testable import SmartAuthSQLiteStore

/// What is specific to a database file: durability, permissions, schema versions, and the faults a file can have.
@Suite struct SQLiteStoreFileTests {
    @Test func everythingSurvivesClosingAndReopening() async throws {
        try await withTemporaryDirectory { directory async throws in
            let path = directory + "/auth.db"
            let clock = ManualClock()
            let claims: JSONObject = ["tenant": .string("acme")]
            var session = SessionFixtures.session(user: "ada", createdAt: clock.now())
            session.claims = claims
            let user = SQLiteStoreUserTests.ada()
            let limit = RateLimit(limit: 2, period: 60)

            let first = try SQLiteStore(path: path)
            try await first.create(session)
            let rotated = try #require(
                try await first.rotate(
                    RotationRequest(
                        sessionID: session.id, presentedGeneration: 0, now: clock.now().addingTimeInterval(1),
                        graceWindow: 10, idleTimeout: 600, client: SessionFixtures.iPhone)
                ).rotatedSessionForTest)
            try await first.createUser(user)
            #expect(try await first.setValue([1, 2, 3], for: "ring", ifCurrentValueIs: nil))
            _ = try await first.acquire("k", limit: limit, cost: 2, at: clock.now())
            _ = try await first.recordFailure("ada", at: clock.now(), window: 600)
            await first.close()
            await first.close()  // idempotent

            let second = try SQLiteStore(path: path)
            #expect(try await second.session(session.id, at: clock.now().addingTimeInterval(2)) == rotated)
            #expect(try await second.sessions(of: "ada", at: clock.now().addingTimeInterval(2)) == [rotated])
            #expect(try await second.user(email: user.email) == user)
            #expect(try await second.value(for: "ring") == [1, 2, 3])
            #expect(try await second.acquire("k", limit: limit, cost: 1, at: clock.now()).allowed == false)
            #expect(try await second.failures("ada", at: clock.now(), window: 600)?.count == 1)
            await second.close()
        }
    }

    @Test func closedStoreFailsClosed() async throws {
        try await withTemporaryDirectory { directory async throws in
            let store = try SQLiteStore(path: directory + "/auth.db")
            await store.close()
            let clock = ManualClock()
            let read = await #expect(throws: SessionStoreError.self) {
                try await store.session(SessionFixtures.randomID(), at: clock.now())
            }
            #expect(read?.code == .unavailable)
            let write = await #expect(throws: SessionStoreError.self) {
                try await store.create(SessionFixtures.session(createdAt: clock.now()))
            }
            #expect(write?.code == .unavailable)
        }
    }

    @Test func newFileAndItsLogAreReadableByTheOwnerOnly() async throws {
        try await withStore { store, path async throws in
            try await store.create(SessionFixtures.session(createdAt: ManualClock().now()))
            for file in [path, path + "-wal", path + "-shm"] {
                let attributes = try FileManager.default.attributesOfItem(atPath: file)
                let mode = try #require(attributes[.posixPermissions] as? NSNumber).intValue
                #expect(mode & 0o077 == 0, "\(file) has mode \(String(mode, radix: 8))")
            }
        }
    }

    @Test func missingDirectoryIsUnavailableWithAClearMessage() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID())/auth.db").path
        let error = #expect(throws: SessionStoreError.self) { try SQLiteStore(path: path) }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("directory does not exist") == true)
        #expect(error?.message.contains(path) == true)
    }

    @Test func directoryAsPathIsUnavailable() async throws {
        try await withTemporaryDirectory { directory async throws in
            let error = #expect(throws: SessionStoreError.self) { try SQLiteStore(path: directory) }
            #expect(error?.code == .unavailable)
        }
    }

    @Test func unwritableDirectoryIsUnavailable() async throws {
        guard geteuid() != 0 else {
            print("note: running as root, which ignores permissions; skipping the permission-denied check")
            return
        }
        try await withTemporaryDirectory { directory async throws in
            try FileManager.default.setAttributes([.posixPermissions: 0o500], ofItemAtPath: directory)
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory) }
            let error = #expect(throws: SessionStoreError.self) { try SQLiteStore(path: directory + "/auth.db") }
            #expect(error?.code == .unavailable)
            #expect(error?.message.contains("permission denied") == true)
        }
    }

    @Test func fileThatIsNotADatabaseIsCorrupt() async throws {
        try await withTemporaryDirectory { directory async throws in
            let path = directory + "/garbage.db"
            let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) })
            try garbage.write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: SessionStoreError.self) { try SQLiteStore(path: path) }
            #expect(error?.code == .corrupt)
        }
    }

    @Test func damagedPagesAreCorrupt() async throws {
        try await withTemporaryDirectory { directory async throws in
            let path = directory + "/auth.db"
            let clock = ManualClock()
            let store = try SQLiteStore(path: path)
            let sessions = (0..<200).map { _ in SessionFixtures.session(user: "ada", createdAt: clock.now()) }
            for session in sessions { try await store.create(session) }
            await store.close()  // checkpoints the log into the file

            // Overwrite every page after the first (the header and schema stay readable).
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            let size = try handle.seekToEnd()
            try handle.seek(toOffset: 4096)
            try handle.write(contentsOf: Data(repeating: 0xA5, count: Int(size) - 4096))
            try handle.close()

            let error = await #expect(throws: SessionStoreError.self) {
                let reopened = try SQLiteStore(path: path)
                defer { Task { await reopened.close() } }
                _ = try await reopened.sessions(of: "ada", at: clock.now())
            }
            #expect(error?.code == .corrupt)
        }
    }

    @Test func rowThatDoesNotDecodeIsCorrupt() async throws {
        try await withStore { store, _ async throws in
            let clock = ManualClock()
            let session = SessionFixtures.session(createdAt: clock.now())
            try await store.create(session)
            try await store.executeRaw("UPDATE sessions SET claims = 'not json'")
            let error = await #expect(throws: SessionStoreError.self) {
                try await store.session(session.id, at: clock.now())
            }
            #expect(error?.code == .corrupt)
        }
    }

    @Test func newerSchemaIsRefused() async throws {
        try await withTemporaryDirectory { directory async throws in
            let path = directory + "/auth.db"
            let store = try SQLiteStore(path: path)
            try await store.executeRaw("PRAGMA user_version = \(Schema.latestVersion + 1)")
            await store.close()
            let error = #expect(throws: SessionStoreError.self) { try SQLiteStore(path: path) }
            #expect(error?.code == .corrupt)
            #expect(error?.message.contains("newer") == true)
        }
    }

    @Test func anotherApplicationsDatabaseIsRefused() async throws {
        try await withTemporaryDirectory { directory async throws in
            let path = directory + "/other.db"
            let other = try SQLiteConnection(path: path, create: true, busyTimeout: 1)
            try other.executeScript("CREATE TABLE things (id INTEGER PRIMARY KEY); INSERT INTO things VALUES (1);")
            other.close()
            let error = #expect(throws: SessionStoreError.self) { try SQLiteStore(path: path) }
            #expect(error?.code == .corrupt)
            #expect(error?.message.contains("not a SmartAuth database") == true)
        }
    }

    @Test func reopeningKeepsTheSchemaVersion() async throws {
        try await withTemporaryDirectory { directory async throws in
            let path = directory + "/auth.db"
            for _ in 0..<3 {
                let store = try SQLiteStore(path: path)
                #expect(
                    try await store.writer.run { connection throws(SessionStoreError) in
                        try connection.integer("PRAGMA user_version")
                    } == Schema.latestVersion)
                await store.close()
            }
        }
    }

    @Test func refreshRaceAcrossTwoStoresOnOneFileHasOneWinner() async throws {
        // Two stores stand in for two processes: each has its own writer, so SQLite's lock (BEGIN IMMEDIATE and
        // the busy timeout) is what orders their refreshes, and SQLITE_BUSY must not surface as a failure.
        try await withStore { first, path async throws in
            let second = try SQLiteStore(path: path)
            let clock = ManualClock()
            let session = SessionFixtures.session(createdAt: clock.now())
            try await first.create(session)
            clock.advance(by: 1)
            let request = RotationRequest(
                sessionID: session.id, presentedGeneration: 0, now: clock.now(), graceWindow: 30, idleTimeout: 1800,
                client: SessionFixtures.iPhone)
            let outcomes = try await withThrowingTaskGroup(of: RotationOutcome.self) { group in
                for index in 0..<1_000 {
                    let store = index % 2 == 0 ? first : second
                    group.addTask { try await store.rotate(request) }
                }
                return try await group.reduce(into: [RotationOutcome]()) { $0.append($1) }
            }
            await second.close()
            let winners = outcomes.compactMap(\.rotatedSessionForTest)
            #expect(winners.count == 1)
            let successor = try #require(winners.first)
            #expect(outcomes.filter { $0 == .grace(successor) }.count == 999)
            #expect(try await first.session(session.id, at: clock.now()) == successor)
        }
    }

    @Test func lockHeldByAnotherProcessIsUnavailableWithinTheBusyTimeoutThenRecovers() async throws {
        guard let sqlite3 = Self.sqliteShell() else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("the sqlite3 command-line shell is needed for the lock test under CI")
            } else {
                print("note: no sqlite3 command-line shell; skipping the lock test")
            }
            return
        }
        try await withStore(configuration: .init(busyTimeout: 0.2)) { store, path async throws in
            let clock = ManualClock()
            let holder = try LockHolder(shell: sqlite3, path: path)
            let started = ContinuousClock.now
            let error = await #expect(throws: SessionStoreError.self) {
                try await store.create(SessionFixtures.session(createdAt: clock.now()))
            }
            let waited = ContinuousClock.now - started
            #expect(error?.code == .unavailable)
            #expect(waited < .seconds(10), "waited \(waited) with a 0.2 s busy timeout")
            // Reads go on: WAL readers do not wait for the writer's lock.
            #expect(try await store.sessions(of: "user-1", at: clock.now()).isEmpty)
            try holder.release()
            let session = SessionFixtures.session(createdAt: clock.now())
            try await store.create(session)
            #expect(try await store.session(session.id, at: clock.now()) == session)
        }
    }

    /// The `sqlite3` shell, if installed.
    static func sqliteShell() -> String? {
        ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// Another process holding the database's write lock: a `sqlite3` shell inside `BEGIN IMMEDIATE`.
final class LockHolder {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()

    /// Starts the shell and returns once it holds the lock.
    init(shell: String, path: String) throws {
        process.executableURL = URL(fileURLWithPath: shell)
        process.arguments = [path]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        try send("PRAGMA busy_timeout = 5000;\nBEGIN IMMEDIATE;\nSELECT 'locked';\n")
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("locked") {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw CocoaError(.fileReadUnknown) }
            seen.append(chunk)
        }
    }

    private func send(_ text: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    /// Ends the transaction and the shell.
    func release() throws {
        try send("COMMIT;\n.quit\n")
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit { if process.isRunning { process.terminate() } }
}

extension RotationOutcome {
    /// The session a ``rotated(_:previousClient:)`` outcome carries.
    var rotatedSessionForTest: Session? {
        if case .rotated(let session, _) = self { return session }
        return nil
    }
}
