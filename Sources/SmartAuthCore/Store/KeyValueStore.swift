/// Small named blobs that every node of a deployment shares: the signing key ring, the refresh-token secret.
///
/// - Important: Values may hold private key material. Restrict access to the store accordingly (file
///   permissions for SQLite, authentication and TLS for Redis and PostgreSQL).
public protocol KeyValueStore: Sendable {
    /// The value stored under `key`, or `nil`.
    func value(for key: String) async throws(SessionStoreError) -> [UInt8]?

    /// Atomically sets `key` to `value` if its current value is `expected` (`nil`: if it has none).
    /// - Returns: whether the value was set. Two servers starting at once use this so that exactly one key
    ///   ring wins.
    func setValue(_ value: [UInt8], for key: String, ifCurrentValueIs expected: [UInt8]?) async throws(SessionStoreError) -> Bool
}

/// Everything the standalone server keeps: sessions, users, counters and shared settings. The SQLite, Redis and
/// PostgreSQL stores and ``MemoryAuthStore`` implement all of it.
public typealias AuthStore = SessionStore & UserStore & RateLimitStore & KeyValueStore
