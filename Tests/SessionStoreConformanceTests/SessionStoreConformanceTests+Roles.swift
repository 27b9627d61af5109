import Foundation
import SmartAuthCore
import SmartAuthTesting
import Testing

/// ``SessionStore/updateRoles(of:to:at:)``: a role change reaches every live session of the user at once.
extension SessionStoreConformanceTests {
    @Test(arguments: StoreFactory.all)
    func updateRolesChangesEveryLiveSessionOfTheUserAndNothingElse(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let start = clock.now()
        let live = (0..<3).map { index in
            SessionFixtures.session(
                user: "ada", createdAt: start.addingTimeInterval(Double(index)), roles: ["member"]
            )
        }
        let expiring = SessionFixtures.session(user: "ada", createdAt: start, idleTimeout: 60, roles: ["member"])
        let revoked = SessionFixtures.session(user: "ada", createdAt: start, roles: ["member"])
        let bystander = SessionFixtures.session(user: "grace", createdAt: start, roles: ["member"])
        for session in live + [expiring, revoked, bystander] { try await store.create(session) }
        _ = try await store.revoke(revoked.id, at: start)
        clock.advance(by: 120)  // past the idle expiry of `expiring`
        let now = clock.now()

        #expect(try await store.updateRoles(of: "ada", to: ["admin", "member"], at: now) == 3)

        // Only the roles changed, in every live session of the user, through both ways of reading.
        let expected = live.map { session -> Session in
            var updated = session
            updated.roles = ["admin", "member"]
            return updated
        }
        for session in expected {
            #expect(try await store.session(session.id, at: now) == session)
        }
        #expect(try await store.sessions(of: "ada", at: now) == expected.reversed())
        // Nothing else: not another user's session, nor the expired or revoked ones (which stay gone).
        #expect(try await store.session(bystander.id, at: now) == bystander)
        #expect(try await store.session(expiring.id, at: now) == nil)
        #expect(try await store.session(revoked.id, at: now) == nil)
        #expect(try await store.sessions(of: "grace", at: now) == [bystander])
    }

    @Test(arguments: StoreFactory.all)
    func updateRolesOfAUserWithoutLiveSessionsUpdatesNone(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let session = SessionFixtures.session(user: "ada", createdAt: clock.now(), idleTimeout: 60)
        try await store.create(session)
        #expect(try await store.updateRoles(of: "nobody", to: ["admin"], at: clock.now()) == 0)
        #expect(try await store.session(session.id, at: clock.now())?.roles == ["member"])
        clock.advance(by: 60)
        #expect(try await store.updateRoles(of: "ada", to: ["admin"], at: clock.now()) == 0)
    }

    @Test(arguments: StoreFactory.all)
    func updateRolesCanEmptyTheRolesAndChangeThemAgain(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let session = SessionFixtures.session(user: "ada", createdAt: clock.now(), roles: ["admin", "member"])
        try await store.create(session)
        #expect(try await store.updateRoles(of: "ada", to: [], at: clock.now()) == 1)
        #expect(try await store.session(session.id, at: clock.now())?.roles == [])
        // Order is kept as given.
        #expect(try await store.updateRoles(of: "ada", to: ["support", "auditor"], at: clock.now()) == 1)
        #expect(try await store.session(session.id, at: clock.now())?.roles == ["support", "auditor"])
    }
}
