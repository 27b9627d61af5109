import Foundation
import Testing

@testable import SmartAuthCore

/// The cached session check's cache: each entry trusted for its own share of the TTL (90–100%), never more,
/// so entries fetched together expire spread out instead of in one wave.
@Suite struct SessionCacheTests {
    private let start = Date(timeIntervalSince1970: 1_800_000_000)

    private func entry(_ user: String, fetchedAt: Date) -> SessionCache.Entry {
        SessionCache.Entry(
            userID: UserID(user), roles: ["user"], sessionExpiresAt: fetchedAt.addingTimeInterval(86_400), fetchedAt: fetchedAt)
    }

    @Test func shareOfTheTTLStaysWithinNinetyAndOneHundredPercentAndSpreads() {
        let shares = (0..<1_000).map { CacheExpiry.trustedFor(10, key: SessionID("s\($0)")) }
        #expect(shares.allSatisfy { $0 >= 9 && $0 <= 10 })
        // Spread over the range, not bunched (1,000 keys: each end of the range is reached).
        #expect(shares.min()! < 9.2)
        #expect(shares.max()! > 9.8)
        // Fixed per key within a process.
        #expect(CacheExpiry.trustedFor(10, key: SessionID("s1")) == shares[1])
    }

    @Test func entriesFetchedTogetherExpireSpreadOutAndNeverAfterTheTTL() {
        let cache = SessionCache(ttl: 10)
        let ids = (0..<200).map { SessionID("session-\($0)") }
        for id in ids { cache.store(id, entry("user-\(id.rawValue)", fetchedAt: start)) }

        func live(after seconds: TimeInterval) -> Int {
            ids.filter { cache.entry($0, now: start.addingTimeInterval(seconds)) != nil }.count
        }
        #expect(live(after: 0) == 200)
        #expect(live(after: 8.99) == 200)
        let midway = live(after: 9.5)
        #expect(midway > 0 && midway < 200)
        #expect(live(after: 10) == 0)
    }

    @Test func aClockThatWentBackwardsDoesNotMakeAnEntryTrusted() {
        let cache = SessionCache(ttl: 10)
        cache.store(SessionID("s"), entry("u", fetchedAt: start))
        #expect(cache.entry(SessionID("s"), now: start.addingTimeInterval(-1)) == nil)
    }

    @Test func logoutOfAllOfAUsersSessionsOutranksFreshEntries() {
        let cache = SessionCache(ttl: 10)
        cache.store(SessionID("a"), entry("u", fetchedAt: start))
        cache.invalidate(user: UserID("u"), now: start.addingTimeInterval(1))
        #expect(cache.entry(SessionID("a"), now: start.addingTimeInterval(2)) == nil)
        // An entry fetched after the watermark is trusted again.
        cache.store(SessionID("a"), entry("u", fetchedAt: start.addingTimeInterval(3)))
        #expect(cache.entry(SessionID("a"), now: start.addingTimeInterval(4)) != nil)
    }
}
