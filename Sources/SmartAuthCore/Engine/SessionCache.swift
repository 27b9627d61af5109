import Foundation
import Synchronization

/// The per-process session cache of ``SessionCheckMode/cached(ttl:)``.
///
/// An entry says "this session was live at `fetchedAt`" and is trusted for `ttl` seconds at most (between 90%
/// and 100% of it, so that entries fetched together do not expire together: ``CacheExpiry``). A revocation made
/// through this engine removes the session's entry at once; a logout of all of a user's sessions sets a
/// per-user watermark so that every entry of that user fetched earlier is ignored. Other nodes learn of
/// revocations within `ttl`, or at once through ``AuthEngine/invalidateCachedSession(_:)`` when the store
/// broadcasts them. Sharded to keep lock contention low; bounded by expiring entries on access and sweeping
/// a shard when it grows past its share.
final class SessionCache: Sendable {
    struct Entry {
        let userID: UserID
        let roles: [String]
        let sessionExpiresAt: Date
        let fetchedAt: Date
    }

    /// An entry and the end of the time it is trusted (`fetchedAt` plus its share of the TTL).
    private struct Stored {
        let entry: Entry
        let trustedUntil: Date
    }

    private struct Shard {
        var entries: [SessionID: Stored] = [:]
        var userWatermarks: [UserID: Date] = [:]
    }

    /// `Mutex` is not copyable, so each shard's lock lives in a box of its own.
    private final class ShardBox: Sendable {
        let state = Mutex(Shard())
    }

    private let shards: [ShardBox]
    private let ttl: TimeInterval
    private let perShardLimit: Int

    init(ttl: TimeInterval, shardCount: Int = 16, capacity: Int = 1_000_000) {
        self.ttl = ttl
        self.shards = (0..<shardCount).map { _ in ShardBox() }
        self.perShardLimit = max(1, capacity / shardCount)
    }

    private func shard(_ id: SessionID) -> ShardBox { shards[abs(id.hashValue % shards.count)] }
    private func shard(_ user: UserID) -> ShardBox { shards[abs(user.hashValue % shards.count)] }

    /// The cached entry if it is still trustworthy at `now`.
    func entry(_ id: SessionID, now: Date) -> Entry? {
        guard let stored = shard(id).state.withLock({ $0.entries[id] }) else { return nil }
        let entry = stored.entry
        guard now >= entry.fetchedAt, now < stored.trustedUntil, now < entry.sessionExpiresAt else {
            shard(id).state.withLock { _ = $0.entries.removeValue(forKey: id) }
            return nil
        }
        if let watermark = shard(entry.userID).state.withLock({ $0.userWatermarks[entry.userID] }), entry.fetchedAt <= watermark {
            return nil
        }
        return entry
    }

    func store(_ id: SessionID, _ entry: Entry) {
        let stored = Stored(entry: entry, trustedUntil: entry.fetchedAt.addingTimeInterval(CacheExpiry.trustedFor(ttl, key: id)))
        shard(id).state.withLock { shard in
            if shard.entries.count >= perShardLimit {
                shard.entries = shard.entries.filter { entry.fetchedAt < $0.value.trustedUntil }
                if shard.entries.count >= perShardLimit { shard.entries.removeAll(keepingCapacity: true) }
            }
            shard.entries[id] = stored
        }
    }

    func remove(_ id: SessionID) {
        shard(id).state.withLock { _ = $0.entries.removeValue(forKey: id) }
    }

    /// Invalidates every entry of `user` fetched at or before `now`.
    func invalidate(user: UserID, now: Date) {
        shard(user).state.withLock { shard in
            shard.userWatermarks[user] = now
            // Watermarks older than the ttl no longer matter: every entry they could reject has expired.
            if shard.userWatermarks.count > 1024 {
                let ttl = self.ttl
                shard.userWatermarks = shard.userWatermarks.filter { now.timeIntervalSince($0.value) < ttl }
            }
        }
    }
}
