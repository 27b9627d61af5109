import Foundation
import SmartAuthCore
import SmartAuthTesting
import Testing

@testable import SmartAuthRedisStore

/// ``RevocationFeed`` over Redis pub/sub: two stores on one server stand for two nodes.
@Suite struct RedisStoreRevocationFeedTests {
    /// Two nodes sharing a prefix, the second listening.
    static func nodes() async throws -> (RedisStore, RedisStore, NoticeCollector) {
        let prefix = LiveRedis.freshPrefix()
        let nodeA = try LiveRedis.store(prefix: prefix)
        let nodeB = try LiveRedis.store(prefix: prefix)
        let collector = NoticeCollector(nodeB.revocationNotices())
        try #require(await nodeB.waitUntilSubscribed(timeout: 10), "node B never subscribed")
        return (nodeA, nodeB, collector)
    }

    @Test func revokeOnOneNodeReachesTheOtherQuickly() async throws {
        let (nodeA, nodeB, collector) = try await Self.nodes()
        defer { withExtendedLifetime(nodeB) {} }  // its deallocation would end the stream
        let clock = ManualClock()
        let session = SessionFixtures.session(createdAt: clock.now())
        try await nodeA.create(session)

        let revokedAt = ContinuousClock.now
        #expect(try await nodeA.revoke(session.id, at: clock.now()) == session)
        let arrival = try #require(await collector.first(within: 2) { $0.sessionIDs == [session.id] })
        let delay = arrival.at - revokedAt
        print("revocation notice reached the other node \(delay) after the revoke call started")
        #expect(arrival.notice == RevocationNotice(sessionIDs: [session.id], userID: nil))
        #expect(delay < .seconds(2))
    }

    @Test func revokeAllAndReplayPublishTooButNotInvalidCalls() async throws {
        let (nodeA, nodeB, collector) = try await Self.nodes()
        defer { withExtendedLifetime(nodeB) {} }  // its deallocation would end the stream
        let clock = ManualClock()
        let sessions = (0..<3).map { _ in SessionFixtures.session(user: "ada", createdAt: clock.now()) }
        for session in sessions { try await nodeA.create(session) }

        // Nothing live to revoke: no notice.
        #expect(try await nodeA.revoke(SessionFixtures.randomID(), at: clock.now()) == nil)

        // Keeping one: the notice names the others but not the user (not every session ended).
        _ = try await nodeA.revokeAll(of: "ada", except: sessions[0].id, at: clock.now())
        let others = Set([sessions[1].id, sessions[2].id])
        let partial = try #require(await collector.first(within: 2) { Set($0.sessionIDs) == others })
        #expect(partial.notice.userID == nil)

        // Everything: the notice carries the user.
        _ = try await nodeA.revokeAll(of: "ada", except: nil, at: clock.now())
        let all = try #require(await collector.first(within: 2) { $0.sessionIDs == [sessions[0].id] })
        #expect(all.notice.userID == "ada")

        // A replayed refresh token.
        let replayed = SessionFixtures.session(user: "grace", createdAt: clock.now())
        try await nodeA.create(replayed)
        let request = RotationRequest(
            sessionID: replayed.id, presentedGeneration: 0, now: clock.now(), graceWindow: 0, idleTimeout: 600,
            client: ClientInfo())
        _ = try await nodeA.rotate(request)
        #expect(try await nodeA.rotate(request).isReused)
        let replay = try #require(await collector.first(within: 2) { $0.sessionIDs == [replayed.id] })
        #expect(replay.notice.userID == nil)
        #expect(collector.notices.count == 3)
    }

    @Test func everyStreamGetsEveryNoticeAndOtherPrefixesAreNotHeard() async throws {
        let (nodeA, nodeB, collector) = try await Self.nodes()
        let second = NoticeCollector(nodeB.revocationNotices())
        let stranger = try LiveRedis.store()
        let clock = ManualClock()
        let foreign = SessionFixtures.session(createdAt: clock.now())
        try await stranger.create(foreign)
        _ = try await stranger.revoke(foreign.id, at: clock.now())
        let session = SessionFixtures.session(createdAt: clock.now())
        try await nodeA.create(session)
        _ = try await nodeA.revoke(session.id, at: clock.now())
        #expect(await collector.first(within: 2) { $0.sessionIDs == [session.id] } != nil)
        #expect(await second.first(within: 2) { $0.sessionIDs == [session.id] } != nil)
        #expect(!collector.notices.contains { $0.sessionIDs == [foreign.id] })
    }

    @Test func noticesParseFromTheScriptsJSON() {
        #expect(
            RevocationSubscriber.notice(from: Array(#"{"u":"ada","s":["a","b\/c"]}"#.utf8))
                == RevocationNotice(sessionIDs: ["a", "b/c"], userID: "ada"))
        #expect(RevocationSubscriber.notice(from: Array("not json".utf8)) == nil)
        #expect(RevocationSubscriber.notice(from: Array(#"{"u":"ada"}"#.utf8)) == nil)
    }
}
