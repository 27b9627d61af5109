import Foundation
import SmartAuthCore
import SmartAuthJWT
import SmartAuthPostgresStore
import SmartAuthTesting
import Testing

/// What is specific to PostgreSQL beyond the conformance suite: exact dates, the edges of the value space,
/// and schemas shared by several stores.
@Suite struct PostgresSessionTests {
    @Test func arbitraryDatesRoundTripBitForBit() async throws {
        let store = try TestDatabase.store(poolSize: 1)
        var sessions: [Session] = []
        for _ in 0..<50 {
            // Dates with every bit of their Double in use, as Date() gives them.
            let createdAt = Date(timeIntervalSinceReferenceDate: Double.random(in: 0..<2_000_000_000))
            var session = SessionFixtures.session(createdAt: createdAt)
            session.lastSeenAt = createdAt.addingTimeInterval(.random(in: 0..<1))
            session.rotatedAt = createdAt.addingTimeInterval(1e-7)
            sessions.append(session)
        }
        for session in sessions { try await store.create(session) }
        for session in sessions {
            let read = try #require(try await store.session(session.id, at: session.createdAt))
            #expect(read == session)
            #expect(read.rotatedAt.timeIntervalSinceReferenceDate.bitPattern
                == session.rotatedAt.timeIntervalSinceReferenceDate.bitPattern)
        }
    }

    @Test func generationsUpToUInt64MaxAreStoredAndTheLastOneCannotRotate() async throws {
        let store = try TestDatabase.store(poolSize: 1)
        let clock = ManualClock()
        var session = SessionFixtures.session(createdAt: clock.now())
        session.generation = UInt64.max - 1
        try await store.create(session)
        let request = RotationRequest(
            sessionID: session.id, presentedGeneration: .max - 1, now: clock.now(), graceWindow: 0,
            idleTimeout: 60, client: SessionFixtures.iPhone)
        let rotated = try #require(try await store.rotate(request).rotatedSession)
        #expect(rotated.generation == .max)
        var last = request
        last.presentedGeneration = .max
        #expect(try await store.rotate(last) == .invalid)
        #expect(try await store.session(session.id, at: clock.now()) == rotated)
    }

    @Test func claimsAndTextsRoundTrip() async throws {
        let store = try TestDatabase.store(poolSize: 1)
        let claims: JSONObject = [
            "nested": .object(["a": .array([.null, .bool(true), .number(JSONNumber(1.5)), .string("\"quoted\"\n")])]),
            "emoji": .string("🔐"), "big": .number(JSONNumber(Int64.max)),
        ]
        let session = Session(
            id: "id with spaces and 'quotes'; DROP TABLE sessions; --", userID: "Robert'); DROP TABLE users;--",
            createdAt: ManualClock().now(), lastSeenAt: ManualClock().now(),
            idleExpiresAt: ManualClock().now().addingTimeInterval(60),
            absoluteExpiresAt: ManualClock().now().addingTimeInterval(120), rotatedAt: ManualClock().now(),
            client: ClientInfo(ipAddress: "", userAgent: "agent\twith\ttabs", deviceName: "Ada's 📱"),
            roles: ["", "a,b", "{\"x\"}"], claims: claims, authenticationLevel: -3)
        try await store.create(session)
        #expect(try await store.session(session.id, at: ManualClock().now()) == session)
        #expect(try await store.sessions(of: session.userID, at: ManualClock().now()) == [session])
    }

    @Test func identifiersWithNULNameNothingAndCannotBeStored() async throws {
        let store = try TestDatabase.store(poolSize: 1)
        let now = ManualClock().now()
        let stored = SessionFixtures.session(id: "abc", user: "ada", createdAt: now)
        try await store.create(stored)
        // libpq would cut "abc\0xyz" at the NUL and find "abc": the store must not.
        let poisoned = SessionID("abc\u{0}xyz")
        #expect(try await store.session(poisoned, at: now) == nil)
        #expect(try await store.touch(poisoned, at: now, client: nil) == nil)
        #expect(try await store.revoke(poisoned, at: now) == nil)
        #expect(try await store.revokeAll(of: "ada\u{0}", except: nil, at: now).isEmpty)
        #expect(try await store.sessions(of: "ada\u{0}evil", at: now).isEmpty)
        #expect(try await store.rotate(
            RotationRequest(sessionID: poisoned, presentedGeneration: 0, now: now, graceWindow: 0, idleTimeout: 60,
                client: ClientInfo())) == .invalid)
        #expect(try await store.session(stored.id, at: now) == stored)

        let error = await #expect(throws: SessionStoreError.self) {
            try await store.create(SessionFixtures.session(id: poisoned, createdAt: now))
        }
        #expect(error?.code == .invalidArgument)
        let long = await #expect(throws: SessionStoreError.self) {
            try await store.create(SessionFixtures.session(id: SessionID(String(repeating: "x", count: 1025)), createdAt: now))
        }
        #expect(long?.code == .invalidArgument)
    }

    @Test func updateRolesChangesLiveSessionsOfTheUserOnly() async throws {
        let store = try TestDatabase.store()
        let clock = ManualClock()
        let live = (0..<3).map { _ in SessionFixtures.session(user: "ada", createdAt: clock.now()) }
        let expiring = SessionFixtures.session(user: "ada", createdAt: clock.now(), idleTimeout: 10)
        let other = SessionFixtures.session(user: "grace", createdAt: clock.now())
        for session in live + [expiring, other] { try await store.create(session) }
        clock.advance(by: 10)
        #expect(try await store.updateRoles(of: "ada", to: ["admin", "member"], at: clock.now()) == 3)
        for session in live {
            #expect(try await store.session(session.id, at: clock.now())?.roles == ["admin", "member"])
        }
        #expect(try await store.session(other.id, at: clock.now()) == other)
        #expect(try await store.updateRoles(of: "nobody", to: [], at: clock.now()) == 0)
    }

    @Test func twoStoresOnOneSchemaShareSessionsAndRaceFairly() async throws {
        let url = try TestDatabase.url()
        let configuration = TestDatabase.configuration(poolSize: 3)
        let first = try PostgresStore(url: url, configuration: configuration)
        var secondConfiguration = configuration
        secondConfiguration.dropsSchemaOnDeinit = false
        let second = try PostgresStore(url: url, configuration: secondConfiguration)
        let clock = ManualClock()
        let session = SessionFixtures.session(createdAt: clock.now())
        try await first.create(session)
        #expect(try await second.session(session.id, at: clock.now()) == session)

        // Refreshes through both stores at once (two processes, in effect): exactly one rotation.
        clock.advance(by: 1)
        let request = RotationRequest(
            sessionID: session.id, presentedGeneration: 0, now: clock.now(), graceWindow: 30, idleTimeout: 600,
            client: SessionFixtures.iPhone)
        let outcomes = try await withThrowingTaskGroup(of: RotationOutcome.self) { group in
            for index in 0..<200 {
                group.addTask { try await (index % 2 == 0 ? first : second).rotate(request) }
            }
            return try await group.reduce(into: [RotationOutcome]()) { $0.append($1) }
        }
        let rotated = outcomes.compactMap(\.rotatedSession)
        #expect(rotated.count == 1)
        #expect(outcomes.filter { if case .grace = $0 { true } else { false } }.count == 199)
    }

    @Test func concurrentStartsMigrateOnce() async throws {
        let url = try TestDatabase.url()
        let schema = TestDatabase.freshSchema()
        var configuration = TestDatabase.configuration(schema: schema, poolSize: 1)
        configuration.dropsSchemaOnDeinit = false
        let stores = try (0..<6).map { _ in try PostgresStore(url: url, configuration: configuration) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores { group.addTask { try await store.migrate() } }
            try await group.waitForAll()
        }
        let session = SessionFixtures.session(createdAt: ManualClock().now())
        try await stores[0].create(session)
        #expect(try await stores[5].session(session.id, at: ManualClock().now()) == session)
        // Dropped by this last store.
        var last = configuration
        last.dropsSchemaOnDeinit = true
        let cleaner = try PostgresStore(url: url, configuration: last)
        try await cleaner.migrate()
    }
}
