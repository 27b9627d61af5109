import Foundation
import SmartAuthCore
import SmartAuthJWT
import SmartAuthTesting
import Testing

@testable import SmartAuthSQLiteStore

/// Session behaviour specific to the SQLite store (the shared rules are in `SessionStoreConformanceTests`).
@Suite struct SQLiteStoreSessionTests {
    @Test func arbitraryDatesAndLargeGenerationsRoundTripExactly() async throws {
        try await withStore { store, _ async throws in
            // Times with fractions that a Double since 1970 could not carry back exactly.
            let now = Date(timeIntervalSinceReferenceDate: 820_000_000.123_456_7)
            var session = SessionFixtures.session(createdAt: now)
            session.lastSeenAt = now.addingTimeInterval(0.000_000_1)
            session.rotatedAt = Date(timeIntervalSinceReferenceDate: 820_000_000.987_654_3)
            session.generation = UInt64(Int64.max) + 12
            session.claims = ["n": .number(JSONNumber(1.5)), "nested": .object(["a": .array([.null, .bool(true)])])]
            try await store.create(session)
            #expect(try await store.session(session.id, at: now) == session)
            let rotated = try #require(
                try await store.rotate(
                    RotationRequest(
                        sessionID: session.id, presentedGeneration: session.generation, now: now.addingTimeInterval(1),
                        graceWindow: 10, idleTimeout: 60, client: ClientInfo())
                ).rotatedSessionForTest)
            #expect(rotated.generation == UInt64(Int64.max) + 13)
            #expect(try await store.session(session.id, at: now) == rotated)
        }
    }

    @Test func lastGenerationCannotRotate() async throws {
        try await withStore { store, _ async throws in
            let now = ManualClock().now()
            var session = SessionFixtures.session(createdAt: now)
            session.generation = .max
            try await store.create(session)
            let request = RotationRequest(
                sessionID: session.id, presentedGeneration: .max, now: now, graceWindow: 10, idleTimeout: 60,
                client: ClientInfo())
            #expect(try await store.rotate(request) == .invalid)
            #expect(try await store.session(session.id, at: now) == session)
        }
    }

    @Test func listingOrdersTiedIdentifiersByBytes() async throws {
        try await withStore { store, _ async throws in
            let now = ManualClock().now()
            // Byte order: "Z" (0x5A) < "_" (0x5F) < "a" (0x61) < "é" (0xC3 0xA9).
            let ids: [SessionID] = ["é", "a", "_", "Z"]
            for id in ids { try await store.create(SessionFixtures.session(id: id, user: "ada", createdAt: now)) }
            #expect(try await store.sessions(of: "ada", at: now).map(\.id) == ["Z", "_", "a", "é"])
            #expect(try await store.revokeAll(of: "ada", except: nil, at: now).map(\.id) == ["Z", "_", "a", "é"])
        }
    }

    @Test func writesSweepExpiredSessionsWithoutAnyoneCallingPurge() async throws {
        try await withStore(configuration: .init(synchronous: .normal)) { store, _ async throws in
            let clock = ManualClock()
            for _ in 0..<50 { try await store.create(SessionFixtures.session(createdAt: clock.now(), idleTimeout: 60)) }
            clock.advance(by: 120)
            let live = SessionFixtures.session(createdAt: clock.now())
            try await store.create(live)
            for _ in 0..<SQLiteStore.sweepInterval { _ = try await store.touch(live.id, at: clock.now(), client: nil) }
            #expect(try await store.rowCount("sessions") == 1)
        }
    }

    @Test func withoutAutomaticPurgeExpiredSessionsWaitForPurge() async throws {
        try await withStore(configuration: .init(synchronous: .normal, automaticPurge: false)) {
            store, _ async throws in
            let clock = ManualClock()
            for _ in 0..<50 { try await store.create(SessionFixtures.session(createdAt: clock.now(), idleTimeout: 60)) }
            clock.advance(by: 120)
            let live = SessionFixtures.session(createdAt: clock.now())
            try await store.create(live)
            for _ in 0..<(2 * SQLiteStore.sweepInterval) {
                _ = try await store.touch(live.id, at: clock.now(), client: nil)
            }
            #expect(try await store.rowCount("sessions") == 51)
            #expect(try await store.purgeExpired(at: clock.now()) == 50)
            #expect(try await store.rowCount("sessions") == 1)
        }
    }

    @Test func nonFiniteTimeIsAnInvalidArgument() async throws {
        try await withStore { store, _ async throws in
            var session = SessionFixtures.session(createdAt: ManualClock().now())
            session.idleExpiresAt = Date(timeIntervalSinceReferenceDate: .nan)
            let error = await #expect(throws: SessionStoreError.self) { try await store.create(session) }
            #expect(error?.code == .invalidArgument)
        }
    }

    @Test func readersSeeEveryCompletedWriteAtOnce() async throws {
        // Each write is committed before its call returns, and every read starts a fresh WAL snapshot, so a read
        // on any reader connection right after a write sees it.
        try await withStore(configuration: .init(readerCount: 4, synchronous: .normal)) { store, _ async throws in
            let clock = ManualClock()
            var session = SessionFixtures.session(createdAt: clock.now())
            try await store.create(session)
            for step in 1...40 {
                clock.advance(by: 1)
                let outcome = try await store.rotate(
                    RotationRequest(
                        sessionID: session.id, presentedGeneration: session.generation, now: clock.now(),
                        graceWindow: 0, idleTimeout: 600, client: ClientInfo()))
                session = try #require(outcome.rotatedSessionForTest, "step \(step)")
                for _ in 0..<4 { #expect(try await store.session(session.id, at: clock.now()) == session) }
            }
        }
    }
}
