import Foundation
import SmartAuthCore
import SmartAuthPostgresStore
import SmartAuthTesting
import Testing

/// Failing closed within bounded time, and coming back by itself.
@Suite struct FaultTests {
    @Test func nothingListeningFailsFastWithUnavailable() async throws {
        let port = try freePort()
        let store = try PostgresStore(
            url: "postgres://smartauth@127.0.0.1:\(port)/smartauth_test",
            configuration: .init(poolSize: 2, connectTimeout: 10, reconnectInterval: 60))
        let (error, seconds) = await measure { try await store.session("some-id", at: Date()) }
        print("connection refused → \(error?.code.name ?? "no error") after \(seconds) s")
        #expect(error?.code == .unavailable)
        #expect(seconds < 5)
        // Within the reconnect interval after a failed attempt, callers fail at once instead of trying again.
        let (again, quickly) = await measure { try await store.create(SessionFixtures.session(createdAt: Date())) }
        #expect(again?.code == .unavailable)
        #expect(quickly < 2)
    }

    @Test func aServerThatNeverAnswersFailsWithinTheConnectTimeout() async throws {
        // The kernel accepts the TCP connection; nobody ever speaks PostgreSQL on it.
        let silent = try ListeningSocket(listen: true)
        let store = try PostgresStore(
            url: "postgres://smartauth@127.0.0.1:\(silent.port)/smartauth_test",
            configuration: .init(poolSize: 1, connectTimeout: 1, poolTimeout: 10))
        let (error, seconds) = await measure { try await store.sessions(of: "ada", at: Date()) }
        print("silent server → \(error?.code.name ?? "no error") after \(seconds) s")
        #expect(error?.code == .unavailable)
        #expect(seconds >= 0.9 && seconds < 5)
    }

    @Test func manyCallersOfADownStoreAllFailPromptly() async throws {
        let port = try freePort()
        let store = try PostgresStore(
            url: "postgres://smartauth@127.0.0.1:\(port)/x", configuration: .init(poolSize: 4, connectTimeout: 1))
        let start = ContinuousClock.now
        let codes = await withTaskGroup(of: SessionStoreError.Code?.self) { group in
            for _ in 0..<1_000 {
                group.addTask {
                    do { _ = try await store.acquire("k", limit: RateLimit(limit: 1, period: 1), cost: 1, at: Date()) }
                    catch { return (error as? SessionStoreError)?.code }
                    return nil
                }
            }
            return await group.reduce(into: [SessionStoreError.Code?]()) { $0.append($1) }
        }
        let elapsed = start.duration(to: .now)
        print("1,000 calls to a down store failed after \(elapsed)")
        #expect(codes.allSatisfy { $0 == .unavailable })
        #expect(elapsed < .seconds(5))
    }

    /// A statement blocked past the timeout by another client's lock. Unprepared, it goes through a worker
    /// thread; once prepared on the pool's connection it is sent without one, and the completion poller enforces
    /// the timeout.
    @Test(arguments: [false, true])
    func aStatementBlockedPastTheTimeoutFailsWithUnavailable(prepared: Bool) async throws {
        let url = try TestDatabase.url()
        var configuration = TestDatabase.configuration(poolSize: 1)
        configuration.statementTimeout = 1
        let store = try PostgresStore(url: url, configuration: configuration)
        try await store.migrate()
        let session = SessionFixtures.session(createdAt: ManualClock().now())
        try await store.create(session)
        if prepared {
            // Prepares the statement on the one connection.
            #expect(try await store.touch(session.id, at: ManualClock().now(), client: nil) != nil)
        }

        // Another client locks the table for 5 s.
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/psql") else {
            print("note: psql is not installed; skipping the lock test")
            return
        }
        let schema = configuration.schema
        let locker = try await onOwnThread { try LockingClient(url: url, schema: schema, seconds: 5) }
        let (error, seconds) = await measure { try await store.touch(session.id, at: ManualClock().now(), client: nil) }
        print("blocked \(prepared ? "prepared " : "")statement → \(error?.code.name ?? "no error") after \(seconds) s")
        #expect(error?.code == .unavailable)
        #expect(seconds >= 0.9 && seconds < 5)
        try await onOwnThread { locker.finish() }
        // The connection is usable (or replaced) afterwards; unless it was touched before, the session is as created.
        #expect(await waitUntil(timeout: 10) {
            let stored = try? await store.session(session.id, at: ManualClock().now())
            return prepared ? stored != nil : stored == session
        })
    }

    /// The pool's fast path skips polling an idle connection's socket when the completion poller has seen
    /// nothing arrive on it; a server ending the connection (termination notice, then EOF) is something arriving,
    /// so the next statement still finds the connection stale and runs on a new one instead of failing.
    @Test func anIdleConnectionTheServerEndsIsReplacedBeforeTheNextStatement() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/psql") else {
            print("note: psql is not installed; skipping the termination test")
            return
        }
        let cluster = try await PrivateCluster.start()
        let configuration = PostgresStore.Configuration(schema: "smartauth", poolSize: 1, statementTimeout: 2)
        let store = try PostgresStore(url: cluster.url, configuration: configuration)
        let clock = ManualClock()
        let session = SessionFixtures.session(createdAt: clock.now())
        try await store.create(session)
        // Prepared, then sent from the calling task, so the connection's socket is registered with the poller.
        for _ in 0..<3 { #expect(try await store.session(session.id, at: clock.now()) == session) }

        for round in 1...3 {
            let url = cluster.url
            let ended = try await onOwnThread {
                try runProcess(
                    "/usr/bin/psql",
                    [url, "-X", "-tAc",
                     // OFFSET 0 keeps the filter inside: psql's own backend is never asked to end.
                     "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM (SELECT pid FROM pg_stat_activity "
                        + "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' OFFSET 0) AS others"])
            }
            #expect(ended.hasPrefix("1"), "round \(round): one pool connection ended (psql said \(ended))")
            // The server's termination notice and EOF reach the socket at once on loopback; the poller thread
            // notes them within microseconds. The pause only keeps this test from racing that note.
            try await Task.sleep(for: .milliseconds(200))
            // No error: the ended connection is noticed and replaced before the statement is sent.
            #expect(try await store.session(session.id, at: clock.now()) == session, "round \(round)")
            #expect(try await store.session(session.id, at: clock.now()) == session, "round \(round)")
        }
    }

    @Test func stoppingAndRestartingTheServerFailsClosedThenReconnects() async throws {
        let cluster = try await PrivateCluster.start()
        let configuration = PostgresStore.Configuration(
            schema: "smartauth", poolSize: 3, connectTimeout: 2, statementTimeout: 2, reconnectInterval: 0.2)
        let store = try PostgresStore(url: cluster.url, configuration: configuration)
        let listener = try PostgresStore(url: cluster.url, configuration: configuration)
        let clock = ManualClock()
        let sessions = (0..<6).map { _ in SessionFixtures.session(user: "ada", createdAt: clock.now()) }
        // Open several pool connections at once.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for session in sessions { group.addTask { try await store.create(session) } }
            try await group.waitForAll()
        }
        let notices = listener.revocationNotices()
        #expect(await waitUntil(timeout: 10) { listener.isListeningForRevocations })

        try await cluster.stop()
        let (error, seconds) = await measure { try await store.session(sessions[0].id, at: clock.now()) }
        print("server stopped → \(error?.code.name ?? "no error") after \(seconds) s")
        #expect(error?.code == .unavailable)
        #expect(seconds < 5)
        #expect(await waitUntil(timeout: 5) { !listener.isListeningForRevocations })

        try await cluster.start()
        // Back within a bounded wait: the pool reconnects by itself, and the data survived.
        #expect(await waitUntil(timeout: 15) {
            (try? await store.session(sessions[0].id, at: clock.now())) == sessions[0]
        })
        let listed = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<6 { group.addTask { try await store.sessions(of: "ada", at: clock.now()).count } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(listed == Array(repeating: 6, count: 6))

        // The listener reconnected too.
        #expect(await waitUntil(timeout: 15) { listener.isListeningForRevocations })
        var iterator = notices.makeAsyncIterator()
        _ = try await store.revoke(sessions[1].id, at: clock.now())
        #expect(await iterator.next() == RevocationNotice(sessionIDs: [sessions[1].id]))
    }
}

/// `psql` holding an exclusive lock on a schema's `sessions` table for a while, in the background.
final class LockingClient: Sendable {
    private let child: Child
    private let script: String

    /// Starts psql and returns once it holds the lock (checked in `pg_locks`). Blocks: call it on a thread of its
    /// own.
    init(url: String, schema: String, seconds: Int) throws {
        script = NSTemporaryDirectory() + "smartauth-lock-\(UUID().uuidString).sql"
        let text = """
            BEGIN;
            LOCK TABLE \(schema).sessions IN ACCESS EXCLUSIVE MODE;
            SELECT pg_sleep(\(seconds));
            COMMIT;

            """
        try text.write(toFile: script, atomically: true, encoding: .utf8)
        child = try Child("/usr/bin/psql", [url, "-X", "-q", "-v", "ON_ERROR_STOP=1"], input: script)
        let query = """
            SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = '\(schema)' AND c.relname = 'sessions' AND l.mode = 'AccessExclusiveLock' AND l.granted
            """
        for _ in 0..<200 {
            let count = try runProcess("/usr/bin/psql", [url, "-X", "-tAc", query])
            if count.hasPrefix("1") { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ClusterError("psql did not take the lock")
    }

    /// Ends psql (its transaction rolls back).
    func finish() {
        child.terminate()
        try? FileManager.default.removeItem(atPath: script)
    }
}
