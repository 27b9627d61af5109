import Foundation
import SmartAuthCore
import Testing

@testable import SmartAuthServer

/// The userinfo profile cache: trusted for its TTL only, bounded, and off at TTL 0.
@Suite struct ProfileCacheTests {
    private let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func entryIsTrustedForTheTTLOnly() {
        let cache = ProfileCache(ttl: 5)
        let user = UserID("u1")
        cache.store(.init(email: "a@example.com"), for: user, now: start)
        // Trusted for at least 90% of the TTL and never for more than all of it.
        #expect(cache.profile(user, now: start.addingTimeInterval(4.49))?.email == "a@example.com")
        #expect(cache.profile(user, now: start.addingTimeInterval(5)) == nil)
        // A clock that went backwards does not make an entry fresh.
        #expect(cache.profile(user, now: start.addingTimeInterval(-1)) == nil)
    }

    @Test func profilesFetchedTogetherExpireSpreadOut() {
        let cache = ProfileCache(ttl: 60)
        let users = (0..<200).map { UserID("user-\($0)") }
        for user in users { cache.store(.init(email: "\(user.rawValue)@example.com"), for: user, now: start) }
        func fresh(after seconds: TimeInterval) -> Int {
            users.filter { cache.profile($0, now: start.addingTimeInterval(seconds)) != nil }.count
        }
        #expect(fresh(after: 53.9) == 200)
        let midway = fresh(after: 57)
        #expect(midway > 0 && midway < 200)
        #expect(fresh(after: 60) == 0)
    }

    @Test func aUserWithoutARecordIsRememberedAsSuch() {
        let cache = ProfileCache(ttl: 5)
        cache.store(.init(email: nil), for: UserID("ghost"), now: start)
        let profile = cache.profile(UserID("ghost"), now: start)
        #expect(profile != nil)
        #expect(profile?.email == nil)
    }

    @Test func ttlZeroKeepsNothing() {
        let cache = ProfileCache(ttl: 0)
        cache.store(.init(email: "a@example.com"), for: UserID("u1"), now: start)
        #expect(cache.profile(UserID("u1"), now: start) == nil)
    }

    @Test func capacityIsNeverExceeded() {
        let cache = ProfileCache(ttl: 60, capacity: 3)
        for index in 0..<10 {
            cache.store(.init(email: "\(index)@example.com"), for: UserID("u\(index)"), now: start)
        }
        let kept = (0..<10).filter { cache.profile(UserID("u\($0)"), now: start) != nil }
        #expect(kept.count <= 3)
        // The newest entry is always there.
        #expect(kept.contains(9))
    }
}
