import Foundation
import SmartAuthCore
import SmartAuthPostgresStore
import SmartAuthTesting
import Testing

/// `LISTEN/NOTIFY` between two stores on one database, as between two processes.
@Suite struct RevocationFeedTests {
    /// Two stores on one schema; the second listens.
    private func pair() async throws -> (PostgresStore, PostgresStore, AsyncStream<RevocationNotice>) {
        let url = try TestDatabase.url()
        let configuration = TestDatabase.configuration(poolSize: 2)
        var listening = configuration
        listening.dropsSchemaOnDeinit = false
        let writer = try PostgresStore(url: url, configuration: configuration)
        let reader = try PostgresStore(url: url, configuration: listening)
        try await writer.migrate()
        let notices = reader.revocationNotices()
        #expect(await waitUntil(timeout: 10) { reader.isListeningForRevocations })
        return (writer, reader, notices)
    }

    @Test func aRevokeThroughOneStoreReachesTheOtherQuickly() async throws {
        let (writer, reader, notices) = try await pair()
        let session = SessionFixtures.session(createdAt: ManualClock().now())
        try await writer.create(session)

        var iterator = notices.makeAsyncIterator()
        let start = ContinuousClock.now
        #expect(try await writer.revoke(session.id, at: ManualClock().now()) == session)
        let notice = await iterator.next()
        let delay = start.duration(to: .now)
        print("PostgreSQL revocation notice delivered after \(delay)")
        #expect(notice == RevocationNotice(sessionIDs: [session.id]))
        #expect(delay < .seconds(2))
        _ = reader
    }

    @Test func revokeAllAndReplaysAreAnnounced() async throws {
        let (writer, reader, notices) = try await pair()
        let clock = ManualClock()
        let sessions = (0..<3).map { _ in SessionFixtures.session(user: "ada", createdAt: clock.now()) }
        for session in sessions { try await writer.create(session) }
        var iterator = notices.makeAsyncIterator()

        _ = try await writer.revokeAll(of: "ada", except: sessions[0].id, at: clock.now())
        let others = try #require(await iterator.next())
        #expect(Set(others.sessionIDs) == Set(sessions[1...].map(\.id)))
        #expect(others.userID == nil)

        _ = try await writer.revokeAll(of: "ada", except: nil, at: clock.now())
        #expect(await iterator.next() == RevocationNotice(sessionIDs: [sessions[0].id], userID: "ada"))

        let replayed = SessionFixtures.session(user: "grace", createdAt: clock.now())
        try await writer.create(replayed)
        let request = RotationRequest(
            sessionID: replayed.id, presentedGeneration: 0, now: clock.now(), graceWindow: 0, idleTimeout: 60,
            client: ClientInfo())
        _ = try await writer.rotate(request)
        if case .reused = try await writer.rotate(request) {} else { Issue.record("expected a replay") }
        #expect(await iterator.next() == RevocationNotice(sessionIDs: [replayed.id]))
        _ = reader
    }

    @Test func aLargeRevokeAllIsSplitIntoNoticesThatFit() async throws {
        let (writer, reader, notices) = try await pair()
        let clock = ManualClock()
        let sessions = (0..<1_000).map { _ in SessionFixtures.session(user: "ada", createdAt: clock.now()) }
        for session in sessions { try await writer.create(session) }
        var iterator = notices.makeAsyncIterator()
        #expect(try await writer.revokeAll(of: "ada", except: nil, at: clock.now()).count == 1_000)
        var seen: Set<SessionID> = []
        while seen.count < 1_000, let notice = await iterator.next() {
            #expect(notice.userID == "ada")
            seen.formUnion(notice.sessionIDs)
        }
        #expect(seen == Set(sessions.map(\.id)))
        _ = reader
    }

    @Test func storesInOtherSchemasHearNothing() async throws {
        let (writer, _, _) = try await pair()
        let stranger = try TestDatabase.store(poolSize: 1)
        let notices = stranger.revocationNotices()
        #expect(await waitUntil(timeout: 10) { stranger.isListeningForRevocations })
        let session = SessionFixtures.session(createdAt: ManualClock().now())
        try await writer.create(session)
        _ = try await writer.revoke(session.id, at: ManualClock().now())
        // Then something the stranger does hear: it must come first.
        let own = SessionFixtures.session(createdAt: ManualClock().now())
        try await stranger.create(own)
        _ = try await stranger.revoke(own.id, at: ManualClock().now())
        var iterator = notices.makeAsyncIterator()
        #expect(await iterator.next() == RevocationNotice(sessionIDs: [own.id]))
    }
}
