import Foundation

/// How long the per-process caches (cached session checks, the server's userinfo profiles) trust an entry.
///
/// Entries fetched together (after a start or a deploy, every session's first request falls in the same few
/// seconds) would otherwise all expire together and be fetched again together, one TTL later, again and again:
/// a wave of store reads in step with the TTL. So each key is trusted for between 90% and 100% of the TTL,
/// the share fixed per key within a process (from Swift's per-process hash seed: no random-number call on the
/// request path). Never longer than the TTL: the TTL stays the bound on how stale an answer can be.
package enum CacheExpiry {
    /// The spread below the TTL: a key is trusted for at least `(1 - spread) × ttl`.
    package static let spread = 0.1

    /// How long an entry for `key` is trusted, in `((1 - spread) × ttl) ... ttl`.
    package static func trustedFor<Key: Hashable>(_ ttl: Double, key: Key) -> Double {
        // The low 20 bits of the seeded hash, as a fraction in [0, 1).
        let fraction = Double(UInt(bitPattern: key.hashValue) & 0xF_FFFF) / Double(0x10_0000)
        return ttl * (1 - spread * fraction)
    }
}
