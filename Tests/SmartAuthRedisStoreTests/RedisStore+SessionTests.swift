import Foundation
import SmartAuthCore
import SmartAuthTesting
import Testing

@testable import SmartAuthRedisStore

/// What the Redis store adds to the conformance suite: physical TTLs that follow the logical expiries, an index that
/// is pruned by readers, and a logical clock that may be far from the server's.
@Suite struct RedisStoreSessionTests {
    @Test func sessionAndIndexExpireWithTheSessionInTheSameStepThatWritesThem() async throws {
        let store = try LiveRedis.store()
        let clock = ManualClock()
        let session = SessionFixtures.session(user: "ada", createdAt: clock.now(), idleTimeout: 600)
        try await store.create(session)

        // The remaining lifetime (600 s) plus the one-second margin, counted from when it was written (the lower
        // bounds leave room for a slow, shared test machine).
        let sessionTTL = try await store.pttl(store.keys.session(session.id))
        #expect((540_000...601_000).contains(sessionTTL))
        let indexTTL = try await store.pttl(store.keys.userIndex("ada"))
        #expect((540_000...601_000).contains(indexTTL))

        // A rotation moves the idle expiry and both TTLs with it.
        clock.advance(by: 300)
        _ = try await store.rotate(
            RotationRequest(
                sessionID: session.id, presentedGeneration: 0, now: clock.now(), graceWindow: 10, idleTimeout: 3600,
                client: ClientInfo()))
        #expect(try await store.pttl(store.keys.session(session.id)) > 3_500_000)
        #expect(try await store.pttl(store.keys.userIndex("ada")) > 3_500_000)
    }

    @Test func userIndexLivesAsLongAsItsFurthestSessionAndNeverShrinks() async throws {
        let store = try LiveRedis.store()
        let clock = ManualClock()
        let long = SessionFixtures.session(user: "ada", createdAt: clock.now(), idleTimeout: 7200)
        let short = SessionFixtures.session(user: "ada", createdAt: clock.now(), idleTimeout: 60)
        try await store.create(long)
        try await store.create(short)
        #expect(try await store.pttl(store.keys.userIndex("ada")) > 7_000_000)
        #expect(try await store.pttl(store.keys.session(short.id)) <= 61_000)
    }

    @Test func logicalClockFarFromTheServersNeverLosesALiveSession() async throws {
        let store = try LiveRedis.store()
        // 1970 and 2100: PEXPIREAT with either would delete at once or keep for decades; the relative TTL keeps
        // exactly the remaining lifetime.
        for start in [Date(timeIntervalSince1970: 1000), Date(timeIntervalSince1970: 4_102_444_800)] {
            let session = SessionFixtures.session(user: "ada", createdAt: start, idleTimeout: 600)
            try await store.create(session)
            #expect(try await store.session(session.id, at: start.addingTimeInterval(599)) == session)
            #expect(try await store.session(session.id, at: start.addingTimeInterval(600)) == nil)
            let ttl = try await store.pttl(store.keys.session(session.id))
            #expect((540_000...601_000).contains(ttl))
        }
    }

    @Test func readersDropIndexEntriesWhoseSessionIsGone() async throws {
        let store = try LiveRedis.store()
        let clock = ManualClock()
        let sessions = (0..<3).map {
            SessionFixtures.session(user: "ada", createdAt: clock.now().addingTimeInterval(Double($0)))
        }
        for session in sessions { try await store.create(session) }
        // As if Redis had expired the key on its own.
        _ = try await store.raw("DEL", store.keys.session(sessions[0].id))
        #expect(try await store.raw("SCARD", store.keys.userIndex("ada")) == .integer(3))

        #expect(try await store.sessions(of: "ada", at: clock.now()) == [sessions[2], sessions[1]])
        #expect(try await store.raw("SCARD", store.keys.userIndex("ada")) == .integer(2))
    }

    @Test func purgeDropsIndexEntriesThatPointAtNothing() async throws {
        let store = try LiveRedis.store()
        let clock = ManualClock()
        let kept = SessionFixtures.session(user: "ada", createdAt: clock.now())
        let lost = SessionFixtures.session(user: "ada", createdAt: clock.now())
        try await store.create(kept)
        try await store.create(lost)
        _ = try await store.raw("DEL", store.keys.session(lost.id))
        #expect(try await store.purgeExpired(at: clock.now()) == 0)
        let members = try #require(try await store.raw("SMEMBERS", store.keys.userIndex("ada")).elements)
        #expect(members.compactMap(\.text) == [kept.id.rawValue])
    }

    @Test func timesRoundTripExactly() async throws {
        let store = try LiveRedis.store()
        // Fractions that seconds-since-1970 would round: the store keeps the Date's own reference-date Double.
        let base = Date(timeIntervalSinceReferenceDate: 915_148_809.999_999_9)
        for offset in [0.0, 0.1, 1.0 / 3.0, 9.999, 1e-7] {
            let start = base.addingTimeInterval(offset)
            var session = SessionFixtures.session(createdAt: start, idleTimeout: 600)
            session.lastSeenAt = start.addingTimeInterval(0.25)
            try await store.create(session)
            #expect(try await store.session(session.id, at: start) == session)
        }
    }

    @Test func generationsUpToTheLargestRoundTripAndTheLastCannotRotate() async throws {
        let store = try LiveRedis.store()
        let clock = ManualClock()
        var session = SessionFixtures.session(createdAt: clock.now())
        session.generation = UInt64.max - 1
        try await store.create(session)
        #expect(try await store.session(session.id, at: clock.now())?.generation == UInt64.max - 1)
        func request(_ generation: UInt64) -> RotationRequest {
            RotationRequest(
                sessionID: session.id, presentedGeneration: generation, now: clock.now(), graceWindow: 10,
                idleTimeout: 600, client: ClientInfo())
        }
        // 2^64 - 2 and 2^64 - 1 differ only in the last digit: compared as text, not as Lua doubles.
        let rotated = try #require(try await store.rotate(request(UInt64.max - 1)).rotatedGeneration)
        #expect(rotated == UInt64.max)
        #expect(try await store.rotate(request(UInt64.max)) == .invalid)
        #expect(try await store.rotate(request(UInt64.max - 1)).isGrace)
        #expect(try await store.rotate(request(UInt64.max - 3)).isReused)
    }

    @Test func updateRolesChangesEveryLiveSessionOfTheUserOnly() async throws {
        let store = try LiveRedis.store()
        let clock = ManualClock()
        let live = (0..<3).map { _ in SessionFixtures.session(user: "ada", createdAt: clock.now()) }
        let expired = SessionFixtures.session(user: "ada", createdAt: clock.now(), idleTimeout: 10)
        let other = SessionFixtures.session(user: "grace", createdAt: clock.now())
        for session in live + [expired, other] { try await store.create(session) }
        clock.advance(by: 20)

        #expect(try await store.updateRoles(of: "ada", to: ["admin", "ops"], at: clock.now()) == 3)
        for session in live {
            #expect(try await store.session(session.id, at: clock.now())?.roles == ["admin", "ops"])
        }
        #expect(try await store.session(other.id, at: clock.now())?.roles == ["member"])
        #expect(try await store.updateRoles(of: "nobody", to: [], at: clock.now()) == 0)
    }

    @Test func identifiersTooLongToBeKeysAreRefusedOrUnknown() async throws {
        let store = try LiveRedis.store()
        let clock = ManualClock()
        let long = SessionID(String(repeating: "x", count: RedisStore.maximumNameLength + 1))
        let error = await #expect(throws: SessionStoreError.self) {
            try await store.create(SessionFixtures.session(id: long, createdAt: clock.now()))
        }
        #expect(error?.code == .invalidArgument)
        #expect(try await store.session(long, at: clock.now()) == nil)
    }

    @Test func dataTheStoreDidNotWriteIsCorrupt() async throws {
        let store = try LiveRedis.store()
        let id = SessionFixtures.randomID()
        _ = try await store.raw("SET", store.keys.session(id), Array("not a hash".utf8))
        let wrongType = await #expect(throws: SessionStoreError.self) { try await store.session(id, at: Date()) }
        #expect(wrongType?.code == .corrupt)

        let other = SessionFixtures.randomID()
        _ = try await store.raw("HSET", store.keys.session(other), Array("u".utf8), Array("ada".utf8))
        let missingFields = await #expect(throws: SessionStoreError.self) { try await store.session(other, at: Date()) }
        #expect(missingFields?.code == .corrupt)
        let scriptError = await #expect(throws: SessionStoreError.self) {
            try await store.rotate(
                RotationRequest(
                    sessionID: other, presentedGeneration: 0, now: Date(), graceWindow: 0, idleTimeout: 60,
                    client: ClientInfo()))
        }
        #expect(scriptError?.code == .corrupt)
    }
}

extension RotationOutcome {
    var rotatedGeneration: UInt64? {
        if case .rotated(let session, _) = self { return session.generation }
        return nil
    }

    var isGrace: Bool {
        if case .grace = self { return true }
        return false
    }

    var isReused: Bool {
        if case .reused = self { return true }
        return false
    }
}
