import Foundation
public import SmartAuthCore
import SmartAuthPostgresStore
import SmartAuthRedisStore
import SmartAuthSQLiteStore

/// Opens the store a URL names: `sqlite:PATH` (the embedded default), `memory:`, `redis://…`,
/// `postgres://…` / `postgresql://…`.
public enum StoreURL {
    /// The store for `url`.
    /// - Throws: ``AuthError/Code/configuration`` for an unknown scheme; `.storeUnavailable` if it cannot be
    ///   opened.
    public static func open(_ url: String) throws(AuthError) -> any AuthStore {
        do {
            if url == "memory:" || url == "memory" { return MemoryAuthStore() }
            if url.hasPrefix("sqlite:") { return try SQLiteStore(url: url) }
            if url.hasPrefix("redis://") { return try RedisStore(url: url) }
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") { return try PostgresStore(url: url) }
        } catch {
            throw AuthError.store(error)
        }
        throw AuthError(.configuration, "unknown store URL \"\(redacted(url))\": use sqlite:PATH, memory:, redis://… or postgres://…")
    }

    /// Whether the URL names a store that several servers share (Redis, PostgreSQL), as opposed to one that
    /// belongs to a single server process (SQLite, memory).
    public static func isShared(_ url: String) -> Bool {
        url.hasPrefix("redis://") || url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")
    }

    /// The URL without its password, for messages and logs.
    public static func redacted(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://"), let at = url[schemeEnd.upperBound...].firstIndex(of: "@") else { return url }
        let userInfo = url[schemeEnd.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}
