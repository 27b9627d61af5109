import Foundation
import SmartAuthCore
import SmartAuthJWT
import SmartAuthTesting
import Testing

/// The rules every ``SessionStore`` must follow, checked against every store in ``StoreFactory/all``.
///
/// Rotation rules are in `SessionStoreConformanceTests+Rotation.swift`, races in
/// `SessionStoreConformanceTests+Concurrency.swift`. Time comes from a ``ManualClock`` or explicit dates;
/// nothing sleeps.
@Suite struct SessionStoreConformanceTests {
    // MARK: - create and read

    @Test(arguments: StoreFactory.all)
    func createdSessionReadsBackUnchanged(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let claims: JSONObject = ["tenant": .string("acme"), "scopes": .array([.string("read"), .string("write")])]
        let sessions = [
            // The engine's identifier format, and identifiers in other formats, all round-trip exactly.
            SessionFixtures.session(createdAt: clock.now()),
            SessionFixtures.session(id: "short-id", user: "user-2", createdAt: clock.now(), client: ClientInfo()),
            SessionFixtures.session(
                id: "AAAAAAAAAAAAAAAAAAAAAB", user: "user-3", createdAt: clock.now(), client: SessionFixtures.iPhone,
                roles: ["admin", "member"], authenticationLevel: 2
            ),
            Session(
                id: "________________________w", userID: "ünïcode user ✓", createdAt: clock.now(),
                lastSeenAt: clock.now().addingTimeInterval(1), idleExpiresAt: clock.now().addingTimeInterval(600),
                absoluteExpiresAt: clock.now().addingTimeInterval(6000), generation: 7,
                rotatedAt: clock.now().addingTimeInterval(0.25), client: SessionFixtures.firefox, roles: [],
                claims: claims, authenticationLevel: 3
            ),
        ]
        for session in sessions { try await store.create(session) }
        clock.advance(by: 60)
        for session in sessions {
            #expect(try await store.session(session.id, at: clock.now()) == session)
        }
    }

    @Test(arguments: StoreFactory.all)
    func creatingAnExistingIdentifierThrowsDuplicate(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let original = SessionFixtures.session(user: "ada", createdAt: clock.now())
        try await store.create(original)
        var impostor = SessionFixtures.session(id: original.id, user: "mallory", createdAt: clock.now())
        impostor.generation = 5
        let error = await #expect(throws: SessionStoreError.self) { try await store.create(impostor) }
        #expect(error?.code == .duplicate)
        #expect(try await store.session(original.id, at: clock.now()) == original)
        #expect(try await store.sessions(of: "mallory", at: clock.now()).isEmpty)
    }

    @Test(arguments: StoreFactory.all)
    func unknownSessionReadsAsNil(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        try await store.create(SessionFixtures.session(createdAt: ManualClock().now()))
        #expect(try await store.session(SessionFixtures.randomID(), at: ManualClock().now()) == nil)
        #expect(try await store.session("unknown", at: ManualClock().now()) == nil)
    }

    @Test(arguments: StoreFactory.all)
    func sessionReadsAsNilFromItsIdleExpiry(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let session = SessionFixtures.session(createdAt: clock.now(), idleTimeout: 600)
        try await store.create(session)
        #expect(try await store.session(session.id, at: session.idleExpiresAt.addingTimeInterval(-0.001)) == session)
        #expect(try await store.session(session.id, at: session.idleExpiresAt) == nil)
    }

    @Test(arguments: StoreFactory.all)
    func sessionReadsAsNilFromItsAbsoluteExpiry(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        var session = SessionFixtures.session(createdAt: clock.now(), absoluteLifetime: 3600)
        session.idleExpiresAt = clock.now().addingTimeInterval(7200)  // later than the absolute expiry
        try await store.create(session)
        #expect(try await store.session(session.id, at: clock.now().addingTimeInterval(3599)) == session)
        #expect(try await store.session(session.id, at: clock.now().addingTimeInterval(3600)) == nil)
    }

    @Test(arguments: StoreFactory.all)
    func revokedSessionReadsAsNil(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let session = SessionFixtures.session(createdAt: clock.now())
        try await store.create(session)
        _ = try await store.revoke(session.id, at: clock.now())
        #expect(try await store.session(session.id, at: clock.now()) == nil)
    }

    // MARK: - touch

    @Test(arguments: StoreFactory.all)
    func touchSetsLastSeenAndClientOnly(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let session = SessionFixtures.session(createdAt: clock.now())
        try await store.create(session)

        clock.advance(by: 90)
        var expected = session
        expected.lastSeenAt = clock.now()
        #expect(try await store.touch(session.id, at: clock.now(), client: nil) == expected)
        #expect(try await store.session(session.id, at: clock.now()) == expected)

        clock.advance(by: 30)
        expected.lastSeenAt = clock.now()
        expected.client = SessionFixtures.iPhone
        #expect(try await store.touch(session.id, at: clock.now(), client: SessionFixtures.iPhone) == expected)
        #expect(try await store.session(session.id, at: clock.now()) == expected)
        // Neither the idle expiry nor the generation moved.
        #expect(expected.idleExpiresAt == session.idleExpiresAt && expected.generation == 0)
    }

    @Test(arguments: StoreFactory.all)
    func touchOfADeadSessionReturnsNil(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let expired = SessionFixtures.session(createdAt: clock.now(), idleTimeout: 60)
        let revoked = SessionFixtures.session(createdAt: clock.now())
        try await store.create(expired)
        try await store.create(revoked)
        _ = try await store.revoke(revoked.id, at: clock.now())
        clock.advance(by: 60)
        #expect(try await store.touch(SessionFixtures.randomID(), at: clock.now(), client: nil) == nil)
        #expect(try await store.touch(expired.id, at: clock.now(), client: SessionFixtures.iPhone) == nil)
        #expect(try await store.touch(revoked.id, at: clock.now(), client: nil) == nil)
        // A touch does not bring an expired session back.
        #expect(try await store.session(expired.id, at: clock.now()) == nil)
    }

    // MARK: - revoke

    @Test(arguments: StoreFactory.all)
    func revokeReturnsTheSessionOnce(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let session = SessionFixtures.session(createdAt: clock.now())
        let other = SessionFixtures.session(createdAt: clock.now())
        try await store.create(session)
        try await store.create(other)
        clock.advance(by: 5)
        #expect(try await store.revoke(session.id, at: clock.now()) == session)
        #expect(try await store.revoke(session.id, at: clock.now()) == nil)
        #expect(try await store.revoke(SessionFixtures.randomID(), at: clock.now()) == nil)
        #expect(try await store.session(other.id, at: clock.now()) == other)
        #expect(try await store.sessions(of: "user-1", at: clock.now()) == [other])
    }

    @Test(arguments: StoreFactory.all)
    func revokeOfAnExpiredSessionReturnsNil(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let session = SessionFixtures.session(createdAt: clock.now(), idleTimeout: 60)
        try await store.create(session)
        clock.advance(by: 61)
        #expect(try await store.revoke(session.id, at: clock.now()) == nil)
    }

    @Test(arguments: StoreFactory.all)
    func revokedIdentifierCanBelongToANewSession(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let first = SessionFixtures.session(user: "ada", createdAt: clock.now())
        try await store.create(first)
        _ = try await store.revoke(first.id, at: clock.now())
        clock.advance(by: 1)
        let second = SessionFixtures.session(id: first.id, user: "grace", createdAt: clock.now())
        try await store.create(second)
        #expect(try await store.session(first.id, at: clock.now()) == second)
        #expect(try await store.sessions(of: "ada", at: clock.now()).isEmpty)
        #expect(try await store.sessions(of: "grace", at: clock.now()) == [second])
        #expect(try await store.revokeAll(of: "ada", except: nil, at: clock.now()).isEmpty)
        #expect(try await store.session(first.id, at: clock.now()) == second)
    }

    // MARK: - revokeAll

    @Test(arguments: StoreFactory.all)
    func revokeAllEndsEveryLiveSessionOfTheUserOnly(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        var adas: [Session] = []
        for index in 0..<5 {
            let session = SessionFixtures.session(user: "ada", createdAt: clock.now())
            try await store.create(session)
            adas.insert(session, at: 0)  // newest first
            clock.advance(by: Double(index + 1))
        }
        let expired = SessionFixtures.session(user: "ada", createdAt: clock.now(), idleTimeout: 10)
        try await store.create(expired)
        let graces = [
            SessionFixtures.session(user: "grace", createdAt: clock.now()),
            SessionFixtures.session(user: "ada2", createdAt: clock.now()),
        ]
        for session in graces { try await store.create(session) }
        clock.advance(by: 10)

        #expect(try await store.revokeAll(of: "ada", except: nil, at: clock.now()) == adas)
        for session in adas + [expired] { #expect(try await store.session(session.id, at: clock.now()) == nil) }
        #expect(try await store.sessions(of: "ada", at: clock.now()).isEmpty)
        #expect(try await store.revokeAll(of: "ada", except: nil, at: clock.now()).isEmpty)
        for session in graces { #expect(try await store.session(session.id, at: clock.now()) == session) }
    }

    @Test(arguments: StoreFactory.all)
    func revokeAllKeepsTheExceptedSession(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let sessions = (0..<4).map { index in
            SessionFixtures.session(user: "ada", createdAt: clock.now().addingTimeInterval(Double(index)))
        }
        for session in sessions { try await store.create(session) }
        let other = SessionFixtures.session(user: "grace", createdAt: clock.now())
        try await store.create(other)
        clock.advance(by: 10)

        let kept = sessions[1]
        let revoked = try await store.revokeAll(of: "ada", except: kept.id, at: clock.now())
        #expect(revoked == [sessions[3], sessions[2], sessions[0]])
        #expect(try await store.sessions(of: "ada", at: clock.now()) == [kept])
        #expect(try await store.session(kept.id, at: clock.now()) == kept)
        // Excepting another user's session keeps nothing of this user and ends nothing of the other.
        #expect(try await store.revokeAll(of: "ada", except: other.id, at: clock.now()) == [kept])
        #expect(try await store.session(other.id, at: clock.now()) == other)
    }

    // MARK: - sessions(of:)

    @Test(arguments: StoreFactory.all)
    func sessionsOfUserAreLiveOnesNewestFirst(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let start = clock.now()
        let oldest = SessionFixtures.session(user: "ada", createdAt: start)
        let newest = SessionFixtures.session(user: "ada", createdAt: start.addingTimeInterval(20))
        // Two sessions created at the same instant are ordered by identifier.
        let tieB = SessionFixtures.session(id: "tie-b", user: "ada", createdAt: start.addingTimeInterval(10))
        let tieA = SessionFixtures.session(id: "tie-a", user: "ada", createdAt: start.addingTimeInterval(10))
        let expired = SessionFixtures.session(user: "ada", createdAt: start.addingTimeInterval(15), idleTimeout: 5)
        let revoked = SessionFixtures.session(user: "ada", createdAt: start.addingTimeInterval(25))
        let someoneElse = SessionFixtures.session(user: "grace", createdAt: start.addingTimeInterval(30))
        for session in [tieB, oldest, revoked, expired, newest, tieA, someoneElse] { try await store.create(session) }
        _ = try await store.revoke(revoked.id, at: start.addingTimeInterval(25))

        let listed = try await store.sessions(of: "ada", at: start.addingTimeInterval(40))
        #expect(listed == [newest, tieA, tieB, oldest])
        #expect(try await store.sessions(of: "nobody", at: start).isEmpty)
    }

    @Test(arguments: StoreFactory.all)
    func sessionsOfUserShowRotationsAndTouches(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let session = SessionFixtures.session(user: "ada", createdAt: clock.now())
        try await store.create(session)
        clock.advance(by: 60)
        let rotated = try #require(try await store.rotate(refresh(session, at: clock.now())).rotatedSession)
        clock.advance(by: 60)
        let touched = try #require(try await store.touch(session.id, at: clock.now(), client: nil))
        #expect(touched.generation == rotated.generation)
        #expect(try await store.sessions(of: "ada", at: clock.now()) == [touched])
    }

    // MARK: - purgeExpired

    @Test(arguments: StoreFactory.all)
    func purgeDeletesExpiredSessionsOnly(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let start = clock.now()
        let idleExpired = (0..<3).map { _ in SessionFixtures.session(user: "ada", createdAt: start, idleTimeout: 60) }
        var absoluteExpired = SessionFixtures.session(user: "grace", createdAt: start, absoluteLifetime: 100)
        absoluteExpired.idleExpiresAt = start.addingTimeInterval(1000)
        let live = [
            SessionFixtures.session(user: "ada", createdAt: start),
            SessionFixtures.session(user: "grace", createdAt: start),
        ]
        let revoked = SessionFixtures.session(user: "ada", createdAt: start, idleTimeout: 60)
        for session in idleExpired + [absoluteExpired] + live + [revoked] { try await store.create(session) }
        _ = try await store.revoke(revoked.id, at: start)

        #expect(try await store.purgeExpired(at: start.addingTimeInterval(59)) == 0)
        clock.advance(by: 100)
        #expect(try await store.purgeExpired(at: clock.now()) == 4)
        #expect(try await store.purgeExpired(at: clock.now()) == 0)
        for session in idleExpired + [absoluteExpired] {
            #expect(try await store.session(session.id, at: clock.now()) == nil)
        }
        for session in live { #expect(try await store.session(session.id, at: clock.now()) == session) }
        #expect(try await store.sessions(of: "ada", at: clock.now()) == [live[0]])
        #expect(try await store.sessions(of: "grace", at: clock.now()) == [live[1]])
        #expect(try await store.revokeAll(of: "ada", except: nil, at: clock.now()) == [live[0]])
    }
}
