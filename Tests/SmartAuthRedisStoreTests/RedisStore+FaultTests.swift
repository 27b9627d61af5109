import Foundation
import SmartAuthCore
import SmartAuthTesting
import Synchronization
import Testing

@testable import SmartAuthRedisStore

/// Failing closed and recovering: each test runs its own redis-server (``PrivateRedisServer``) so that stopping,
/// killing or freezing it disturbs nobody else.
@Suite(.timeLimit(.minutes(2))) struct RedisStoreFaultTests {
    /// Seconds allowed on top of a timeout before a test calls it a failure: the test machine is shared and
    /// busy, and a resumed task may wait for a thread. The measured times are printed.
    static let slack = 10.0

    /// Counters shared by the tasks of the frozen-server test.
    final class Progress: Sendable {
        let started = Atomic<Int>(0)
        let finished = Atomic<Int>(0)
    }

    static func store(on server: PrivateRedisServer, poolSize: Int = 2, commandTimeout: Double = 1) throws -> RedisStore
    {
        try RedisStore(
            url: server.url,
            configuration: .init(
                keyPrefix: "fault:", poolSize: poolSize, connectTimeout: commandTimeout, commandTimeout: commandTimeout)
        )
    }

    @Test func unreachableServerIsUnavailableWithinTheTimeout() async throws {
        let port = try PrivateRedisServer.freePort()  // nothing listens there
        let store = try RedisStore(
            url: "redis://127.0.0.1:\(port)/0", configuration: .init(connectTimeout: 0.5, commandTimeout: 0.5))
        let clock = ManualClock()
        let (error, seconds) = await elapsed {
            await #expect(throws: SessionStoreError.self) {
                try await store.session(SessionFixtures.randomID(), at: clock.now())
            }
        }
        #expect(error?.code == .unavailable)
        print("unreachable server: unavailable after \(seconds) s (timeout 0.5 s)")
        #expect(seconds < 0.5 + Self.slack)
        // Every kind of operation fails closed, none returns a guess.
        for operation in Self.operations {
            let error = await #expect(throws: SessionStoreError.self, "\(operation)") {
                try await Self.perform(operation, on: store, at: clock.now())
            }
            #expect(error?.code == .unavailable, "\(operation)")
        }
    }

    @Test func stoppedServerIsUnavailableAndThePoolReconnectsWhenItIsBack() async throws {
        let server = try PrivateRedisServer.start()
        let store = try Self.store(on: server)
        try #require(await store.waitUntilAnswering(timeout: 10))
        let clock = ManualClock()
        let session = SessionFixtures.session(createdAt: clock.now())
        try await store.create(session)
        // Both pooled connections are made and in use.
        for _ in 0..<4 { #expect(try await store.session(session.id, at: clock.now()) == session) }

        await server.stop()
        let (error, seconds) = await elapsed {
            await #expect(throws: SessionStoreError.self) { try await store.session(session.id, at: clock.now()) }
        }
        #expect(error?.code == .unavailable)
        print("stopped server: unavailable after \(seconds) s (timeout 1 s)")
        #expect(seconds < 1 + Self.slack)

        try server.start()
        // Wait through another store, so that this one's connections are still the ones from before the restart.
        let probe = try Self.store(on: server)
        #expect(await probe.waitUntilAnswering(timeout: 10))
        // Every connection of the pool works again at once (a connection the server closed is replaced before use,
        // not used and failed), and the session survived (AOF).
        for _ in 0..<4 { #expect(try await store.session(session.id, at: clock.now()) == session) }
        let rotated = try await store.rotate(
            RotationRequest(
                sessionID: session.id, presentedGeneration: 0, now: clock.now(), graceWindow: 10, idleTimeout: 600,
                client: ClientInfo()))
        #expect(rotated.rotatedGeneration == 1)
    }

    @Test func crashedServerWithAppendOnlyFileKeepsEverySessionWrittenBeforeIt() async throws {
        let server = try PrivateRedisServer.start()
        let store = try Self.store(on: server, poolSize: 4, commandTimeout: 5)
        try #require(await store.waitUntilAnswering(timeout: 10))
        let clock = ManualClock()
        let sessions = (0..<50).map { SessionFixtures.session(user: UserID("user-\($0 % 5)"), createdAt: clock.now()) }
        _ = try await race(sessions.count) { try await store.create(sessions[$0]) }
        let rotated = try await store.rotate(
            RotationRequest(
                sessionID: sessions[0].id, presentedGeneration: 0, now: clock.now(), graceWindow: 10, idleTimeout: 600,
                client: ClientInfo()))
        try #require(rotated.rotatedGeneration == 1)

        await server.crash()  // SIGKILL: no shutdown save, only the AOF (fsync on every write)
        try server.start()
        let probe = try Self.store(on: server)
        try #require(await probe.waitUntilAnswering(timeout: 10))
        for session in sessions.dropFirst() {
            #expect(try await store.session(session.id, at: clock.now()) == session)
        }
        #expect(try await store.session(sessions[0].id, at: clock.now())?.generation == 1)
        #expect(try await store.sessions(of: "user-1", at: clock.now()).count == 10)
        // TTLs survive too.
        let ttl = try await store.pttl(store.keys.session(sessions[1].id))
        #expect(ttl > 0)
    }

    @Test func frozenServerIsUnavailableWithinTheCommandTimeoutEvenForQueuedCalls() async throws {
        let server = try PrivateRedisServer.start()
        let store = try Self.store(on: server, poolSize: 2, commandTimeout: 3)
        try #require(await store.waitUntilAnswering(timeout: 10))
        server.pause()
        defer { server.resume() }

        // 200 calls queue behind two frozen connections: each still ends within its own timeout, and the
        // cooperative pool stays free meanwhile: once every call has started (and is waiting for a frozen
        // connection), a task on the cooperative pool runs while none of them has finished yet. A store that ran
        // hiredis on the cooperative pool would hold its threads until the calls time out.
        let progress = Progress()
        let (outcomes, seconds) = try await elapsed {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        progress.started.add(1, ordering: .relaxed)
                        defer { progress.finished.add(1, ordering: .relaxed) }
                        do {
                            try await store.ping()
                            return false
                        } catch let error as SessionStoreError {
                            return error.code == .unavailable
                        }
                    }
                }
                while progress.started.load(ordering: .relaxed) < 200 { await Task.yield() }
                let finishedMeanwhile = await Task.detached { progress.finished.load(ordering: .relaxed) }.value
                #expect(finishedMeanwhile == 0, "the cooperative pool was blocked until calls timed out")
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
        }
        #expect(outcomes.allSatisfy { $0 })
        print("frozen server: 200 queued calls all unavailable after \(seconds) s (timeout 3 s)")
        #expect(seconds < 3 + Self.slack)

        server.resume()
        #expect(await store.waitUntilAnswering(timeout: 10))
    }

    @Test func subscriberReconnectsAfterTheServerRestarts() async throws {
        let server = try PrivateRedisServer.start()
        let nodeA = try Self.store(on: server, commandTimeout: 2)
        let nodeB = try Self.store(on: server, commandTimeout: 2)
        try #require(await nodeA.waitUntilAnswering(timeout: 10))
        let collector = NoticeCollector(nodeB.revocationNotices())
        try #require(await nodeB.waitUntilSubscribed(timeout: 10))

        await server.stop()
        try server.start()
        try #require(await nodeA.waitUntilAnswering(timeout: 10))

        // Until node B has resubscribed a notice may be lost; keep revoking until one arrives (at most 15 s).
        let clock = ManualClock()
        let deadline = ContinuousClock.now + .seconds(15)
        var heard = false
        while !heard, ContinuousClock.now < deadline {
            let session = SessionFixtures.session(createdAt: clock.now())
            try await nodeA.create(session)
            _ = try await nodeA.revoke(session.id, at: clock.now())
            heard = await collector.first(within: 0.3) { $0.sessionIDs == [session.id] } != nil
        }
        #expect(heard)
    }

    @Test func scriptsForgottenByTheServerAreSentAgain() async throws {
        let server = try PrivateRedisServer.start()
        let store = try Self.store(on: server, poolSize: 1, commandTimeout: 5)
        try #require(await store.waitUntilAnswering(timeout: 10))
        let clock = ManualClock()
        let session = SessionFixtures.session(createdAt: clock.now())
        try await store.create(session)
        _ = try await store.raw("SCRIPT", Array("FLUSH".utf8))
        // EVALSHA now answers NOSCRIPT; the store falls back to EVAL.
        #expect(try await store.touch(session.id, at: clock.now(), client: nil) != nil)
        #expect(try await store.revoke(session.id, at: clock.now()) != nil)
    }

    @Test func passwordAndDatabaseFromTheURLAreUsed() async throws {
        let server = try PrivateRedisServer.start()
        let open = try Self.store(on: server, commandTimeout: 5)
        try #require(await open.waitUntilAnswering(timeout: 10))
        _ = try await open.raw("CONFIG", Array("SET".utf8), Array("requirepass".utf8), Array("p@ss word".utf8))

        let anonymous = try Self.store(on: server)
        let refused = await #expect(throws: SessionStoreError.self) { try await anonymous.ping() }
        #expect(refused?.code == .unavailable)
        let wrong = try RedisStore(url: "redis://:nope@127.0.0.1:\(server.port)/0")
        #expect(await #expect(throws: SessionStoreError.self) { try await wrong.ping() }?.code == .unavailable)

        let authenticated = try RedisStore(
            url: "redis://:p%40ss%20word@127.0.0.1:\(server.port)/3", configuration: .init(keyPrefix: "db3:"))
        #expect(try await authenticated.setValue([1], for: "k", ifCurrentValueIs: nil))
        #expect(try await authenticated.raw("CLIENT", Array("INFO".utf8)).text?.contains("db=3") == true)
        let asDefaultUser = try RedisStore(
            url: "redis://default:p%40ss%20word@127.0.0.1:\(server.port)/3", configuration: .init(keyPrefix: "db3:"))
        #expect(try await asDefaultUser.value(for: "k") == [1])
    }

    /// The names of the operations ``perform(_:on:at:)`` knows.
    static let operations = [
        "create", "touch", "rotate", "revoke", "revokeAll", "sessions", "updateRoles", "purgeExpired", "userByEmail",
        "acquire", "recordFailure", "setValue",
    ]

    /// Calls one operation of each kind, for checking that all fail closed.
    static func perform(_ operation: String, on store: RedisStore, at now: Date) async throws {
        switch operation {
        case "create": try await store.create(SessionFixtures.session(createdAt: now))
        case "touch": _ = try await store.touch("id", at: now, client: nil)
        case "rotate":
            _ = try await store.rotate(
                RotationRequest(
                    sessionID: "id", presentedGeneration: 0, now: now, graceWindow: 0, idleTimeout: 1,
                    client: ClientInfo()))
        case "revoke": _ = try await store.revoke("id", at: now)
        case "revokeAll": _ = try await store.revokeAll(of: "u", except: nil, at: now)
        case "sessions": _ = try await store.sessions(of: "u", at: now)
        case "updateRoles": _ = try await store.updateRoles(of: "u", to: [], at: now)
        case "purgeExpired": _ = try await store.purgeExpired(at: now)
        case "userByEmail": _ = try await store.user(email: "a@b")
        case "acquire": _ = try await store.acquire("k", limit: RateLimit(limit: 1, period: 1), cost: 1, at: now)
        case "recordFailure": _ = try await store.recordFailure("k", at: now, window: 1)
        case "setValue": _ = try await store.setValue([1], for: "k", ifCurrentValueIs: nil)
        default: Issue.record("unknown operation \(operation)")
        }
    }
}
