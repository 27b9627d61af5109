import Foundation
import SmartAuthCore
import SmartAuthTesting
import Testing

/// What only the in-memory store promises, beyond the conformance suite.
@Suite struct MemorySessionStoreTests {
    @Test func expiredSessionsAreSweptWithoutAnyoneCallingPurge() async throws {
        let store = MemorySessionStore(shardCount: 1)
        let clock = ManualClock()
        let expiring = (0..<100).map { _ in SessionFixtures.session(createdAt: clock.now(), idleTimeout: 60) }
        let live = SessionFixtures.session(createdAt: clock.now(), idleTimeout: 3600)
        for session in expiring + [live] { try await store.create(session) }
        clock.advance(by: 120)

        // Ordinary traffic: every 64 operations sweep 32 slots, so 256 reads cover all 101 slots.
        for _ in 0..<256 { _ = try await store.session("unknown", at: clock.now()) }
        #expect(try await store.purgeExpired(at: clock.now()) == 0)
        #expect(try await store.sessions(of: "user-1", at: clock.now()) == [live])
    }

    @Test func withoutAutomaticPurgeExpiredSessionsWaitForPurge() async throws {
        let store = MemorySessionStore(shardCount: 1, automaticPurge: false)
        let clock = ManualClock()
        for _ in 0..<100 { try await store.create(SessionFixtures.session(createdAt: clock.now(), idleTimeout: 60)) }
        clock.advance(by: 120)
        for _ in 0..<256 { _ = try await store.session("unknown", at: clock.now()) }
        #expect(try await store.purgeExpired(at: clock.now()) == 100)
    }
}
