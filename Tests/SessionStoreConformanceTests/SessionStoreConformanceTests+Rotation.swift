import Foundation
import SmartAuthCore
import SmartAuthTesting
import Testing

/// ``SessionStore/rotate(_:)``: the rules of ``RotationOutcome``, one test per rule.
extension SessionStoreConformanceTests {
    @Test(arguments: StoreFactory.all)
    func currentGenerationRotates(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let session = SessionFixtures.session(createdAt: clock.now(), idleTimeout: 600, roles: ["admin"])
        try await store.create(session)
        clock.advance(by: 120)

        let outcome = try await store.rotate(refresh(session, at: clock.now(), idleTimeout: 900))
        let expected = session.rotated(at: clock.now(), idleTimeout: 900)
        #expect(expected.generation == 1)
        #expect(expected.idleExpiresAt == clock.now().addingTimeInterval(900))
        #expect(outcome == .rotated(expected, previousClient: SessionFixtures.firefox))
        #expect(try await store.session(session.id, at: clock.now()) == expected)

        // And again from the new generation, with yet another client.
        clock.advance(by: 120)
        let third = ClientInfo(ipAddress: "198.51.100.1", userAgent: "curl/8.5.0")
        let again = try await store.rotate(refresh(expected, at: clock.now(), client: third))
        let expectedAgain = expected.rotated(at: clock.now(), client: third)
        #expect(again == .rotated(expectedAgain, previousClient: SessionFixtures.iPhone))
    }

    @Test(arguments: StoreFactory.all)
    func rotationExtendsIdleExpiryButNeverPastAbsoluteExpiry(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let start = clock.now()
        var session = SessionFixtures.session(createdAt: start, idleTimeout: 600, absoluteLifetime: 1500)
        try await store.create(session)

        // Each refresh just before the idle expiry moves it 600 s on, until the absolute expiry caps it.
        for step in 1...3 {
            clock.set(session.idleExpiresAt.addingTimeInterval(-1))
            let rotated = try await mustRotate(store, refresh(session, at: clock.now(), idleTimeout: 600))
            #expect(rotated.idleExpiresAt == min(clock.now().addingTimeInterval(600), session.absoluteExpiresAt))
            #expect(rotated.idleExpiresAt <= rotated.absoluteExpiresAt)
            #expect(rotated.absoluteExpiresAt == start.addingTimeInterval(1500), "step \(step)")
            session = rotated
        }
        #expect(session.idleExpiresAt == session.absoluteExpiresAt)
    }

    @Test(arguments: StoreFactory.all)
    func absoluteExpiryIsNeverExtended(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let session = SessionFixtures.session(createdAt: clock.now(), idleTimeout: 600, absoluteLifetime: 1000)
        try await store.create(session)
        clock.advance(by: 500)  // before the idle expiry; now + 600 is past the absolute expiry
        let rotated = try await mustRotate(store, refresh(session, at: clock.now(), idleTimeout: 600))
        #expect(rotated.absoluteExpiresAt == session.absoluteExpiresAt)
        #expect(rotated.idleExpiresAt == session.absoluteExpiresAt)

        clock.set(session.absoluteExpiresAt)
        #expect(try await store.session(session.id, at: clock.now()) == nil)
        #expect(try await store.rotate(refresh(rotated, at: clock.now())) == .invalid)
        #expect(try await store.touch(session.id, at: clock.now(), client: nil) == nil)
    }

    @Test(arguments: StoreFactory.all)
    func previousGenerationInsideTheWindowIsGraceAnchoredToTheRotation(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let session = SessionFixtures.session(createdAt: clock.now())
        try await store.create(session)
        clock.advance(by: 30)
        let rotatedAt = clock.now()
        let rotated = try await mustRotate(store, refresh(session, at: rotatedAt, graceWindow: 10))

        // Repeated presentations of the previous token inside the window change nothing, not even the window.
        for offset in [0.0, 3, 6, 9, 9.999] {
            let now = rotatedAt.addingTimeInterval(offset)
            let client = ClientInfo(ipAddress: "192.0.2.\(Int(offset))")
            let outcome = try await store.rotate(refresh(session, at: now, graceWindow: 10, client: client))
            #expect(outcome == .grace(rotated))
            #expect(try await store.session(session.id, at: now) == rotated)
        }
        // The window ends 10 s after the rotation, however often it was used.
        let end = rotatedAt.addingTimeInterval(10)
        #expect(try await store.rotate(refresh(session, at: end, graceWindow: 10)) == .reused(rotated))
        #expect(try await store.session(session.id, at: end) == nil)
        #expect(try await store.rotate(refresh(rotated, at: end, graceWindow: 10)) == .invalid)
    }

    @Test(arguments: StoreFactory.all)
    func previousGenerationAfterTheWindowIsReusedAndEndsTheSession(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let session = SessionFixtures.session(user: "ada", createdAt: clock.now())
        try await store.create(session)
        let rotated = try await mustRotate(store, refresh(session, at: clock.now(), graceWindow: 10))
        clock.advance(by: 60)
        #expect(try await store.rotate(refresh(session, at: clock.now(), graceWindow: 10)) == .reused(rotated))
        #expect(try await store.session(session.id, at: clock.now()) == nil)
        #expect(try await store.sessions(of: "ada", at: clock.now()).isEmpty)
        #expect(try await store.revoke(session.id, at: clock.now()) == nil)
    }

    @Test(arguments: StoreFactory.all)
    func olderGenerationIsReusedEvenInsideTheWindow(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let session = SessionFixtures.session(createdAt: clock.now())
        try await store.create(session)
        let first = try await mustRotate(store, refresh(session, at: clock.now(), graceWindow: 60))
        clock.advance(by: 1)
        let second = try await mustRotate(store, refresh(first, at: clock.now(), graceWindow: 60))
        #expect(second.generation == 2)
        clock.advance(by: 1)
        #expect(try await store.rotate(refresh(session, at: clock.now(), graceWindow: 60)) == .reused(second))
        #expect(try await store.session(session.id, at: clock.now()) == nil)
    }

    @Test(arguments: StoreFactory.all)
    func zeroGraceWindowTreatsThePreviousGenerationAsReuse(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let session = SessionFixtures.session(createdAt: clock.now())
        try await store.create(session)
        let rotated = try await mustRotate(store, refresh(session, at: clock.now(), graceWindow: 0))
        // Even at the very instant of the rotation.
        #expect(try await store.rotate(refresh(session, at: clock.now(), graceWindow: 0)) == .reused(rotated))
        #expect(try await store.session(session.id, at: clock.now()) == nil)
    }

    @Test(arguments: StoreFactory.all)
    func futureGenerationIsInvalidWithoutSideEffect(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let session = SessionFixtures.session(createdAt: clock.now())
        try await store.create(session)
        clock.advance(by: 5)
        for generation: UInt64 in [1, 2, .max] {
            #expect(try await store.rotate(refresh(session, generation: generation, at: clock.now())) == .invalid)
        }
        #expect(try await store.session(session.id, at: clock.now()) == session)
        // The current token still rotates normally.
        #expect(try await store.rotate(refresh(session, at: clock.now()))
            == .rotated(session.rotated(at: clock.now()), previousClient: SessionFixtures.firefox))
    }

    @Test(arguments: StoreFactory.all)
    func rotationOfADeadSessionIsInvalid(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let expired = SessionFixtures.session(createdAt: clock.now(), idleTimeout: 60)
        let revoked = SessionFixtures.session(createdAt: clock.now())
        let unknown = SessionFixtures.session(createdAt: clock.now())
        try await store.create(expired)
        try await store.create(revoked)
        _ = try await store.revoke(revoked.id, at: clock.now())
        clock.advance(by: 60)
        #expect(try await store.rotate(refresh(expired, at: clock.now())) == .invalid)
        #expect(try await store.rotate(refresh(revoked, at: clock.now())) == .invalid)
        #expect(try await store.rotate(refresh(unknown, at: clock.now())) == .invalid)
        // An expired session's previous token is not a replay either: there is nothing left to revoke.
        #expect(try await store.session(expired.id, at: clock.now()) == nil)
    }
}
