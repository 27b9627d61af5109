import Foundation
import SmartAuthCore
import Synchronization

/// What `GET /v1/userinfo` shows of a user record (the e-mail address), kept for a few seconds so that the
/// authenticate path needs no user lookup when the session check needs none either (stateless and cached
/// modes): such a request is answered without leaving libmicrohttpd's worker thread.
///
/// It holds no secrets (never the password hash) and nothing that grants access: authentication and the
/// session check never consult it. A changed address shows after at most the TTL (each user's entry is trusted
/// for between 90% and 100% of it, so that entries fetched together do not expire together: ``CacheExpiry``). Bounded: when full, expired
/// entries go, and if that is not enough, everything goes.
final class ProfileCache: Sendable {
    struct Profile: Sendable {
        /// The user's address, or nil when the store has no record for the user.
        let email: String?
    }

    private struct Entry {
        let profile: Profile
        let fetchedAt: Date
        let trustedUntil: Date
    }

    private let ttl: TimeInterval
    private let capacity: Int
    private let entries = Mutex<[UserID: Entry]>([:])

    /// A cache trusting an entry for `ttl` seconds (0 or less: never), holding at most `capacity` users.
    init(ttl: TimeInterval, capacity: Int = 100_000) {
        self.ttl = ttl
        self.capacity = max(1, capacity)
    }

    /// The profile of `user` if fetched less than its share of the TTL before `now`.
    func profile(_ user: UserID, now: Date) -> Profile? {
        guard ttl > 0, let entry = entries.withLock({ $0[user] }) else { return nil }
        return now >= entry.fetchedAt && now < entry.trustedUntil ? entry.profile : nil
    }

    /// Remembers `profile` for `user`, fetched at `now`.
    func store(_ profile: Profile, for user: UserID, now: Date) {
        guard ttl > 0 else { return }
        let entry = Entry(
            profile: profile, fetchedAt: now, trustedUntil: now.addingTimeInterval(CacheExpiry.trustedFor(ttl, key: user)))
        entries.withLock { entries in
            if entries.count >= capacity, entries[user] == nil {
                entries = entries.filter { now < $0.value.trustedUntil }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[user] = entry
        }
    }
}
