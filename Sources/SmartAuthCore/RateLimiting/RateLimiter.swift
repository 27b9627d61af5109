import Foundation
import SmartAuthCrypto

/// A rate limiter over a ``RateLimitStore``: GCRA per key with identical semantics on every store.
public struct RateLimiter: Sendable {
    /// What to do when the store cannot answer.
    public struct FailureMode: Hashable, Sendable {
        let failsOpen: Bool
        /// Refuse the request (`store_unavailable`): the default, and the right choice for login.
        public static let closed = FailureMode(failsOpen: false)
        /// Let the request through (for routes where availability matters more than the limit).
        public static let open = FailureMode(failsOpen: true)
    }

    /// The counters.
    public let store: any RateLimitStore
    /// The time source.
    public let clock: any AuthClock

    /// A limiter over `store`.
    public init(store: any RateLimitStore, clock: any AuthClock = SystemClock()) {
        self.store = store
        self.clock = clock
    }

    /// Counts one request (or `cost`) for `key` under `limit`.
    /// - Returns: the decision; a denied request is a decision, not an error.
    /// - Throws: ``AuthError/Code/storeUnavailable`` when the store is down and `failureMode` is `.closed`.
    public func acquire(
        _ key: RateLimitKey, limit: RateLimit, cost: Int = 1, failureMode: FailureMode = .closed
    ) async throws(AuthError) -> RateLimitDecision {
        do {
            return try await store.acquire(key.rawValue, limit: limit, cost: cost, at: clock.now())
        } catch {
            guard failureMode.failsOpen else { throw AuthError.store(error) }
            return RateLimitDecision(allowed: true, limit: limit.limit, remaining: limit.limit, resetAfter: 0, retryAfter: nil)
        }
    }
}

/// A rate-limit key: what is being counted. Account names are hashed, so stores and their logs never hold
/// email addresses.
public struct RateLimitKey: Hashable, Sendable, CustomStringConvertible {
    /// The key as stored.
    public let rawValue: String

    /// A key with this exact text (prefix your own keys to avoid clashes with SmartAuth's).
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Requests from one client address.
    public static func ip(_ address: String) -> RateLimitKey { RateLimitKey(rawValue: "ip:\(address)") }
    /// Requests for one account.
    public static func account(_ account: String) -> RateLimitKey { RateLimitKey(rawValue: "acct:\(digest(account))") }
    /// Requests for one account from one address.
    public static func account(_ account: String, ip address: String) -> RateLimitKey {
        RateLimitKey(rawValue: "acct-ip:\(digest(account)):\(address)")
    }
    /// This key, counted separately for one route (per-route limits).
    public func route(_ name: String) -> RateLimitKey { RateLimitKey(rawValue: "route:\(name):\(rawValue)") }

    static func digest(_ text: String) -> String {
        Digest.hash(Array(text.utf8), using: .sha256).prefix(12).map { String(format: "%02x", $0) }.joined()
    }

    public var description: String { rawValue }
}

/// The `RateLimit-Policy`, `RateLimit` and `Retry-After` response fields of the IETF httpapi
/// rate-limit-headers draft (structured fields: `"name";q=<quota>;w=<window>` and `"name";r=<remaining>;t=<reset>`).
public enum RateLimitHeaders {
    /// The fields for `decision` under `limit`, for the policy named `name`.
    public static func fields(for decision: RateLimitDecision, limit: RateLimit, name: String = "default") -> [(String, String)] {
        var fields = [
            ("RateLimit-Policy", "\"\(name)\";q=\(limit.limit);w=\(Int(limit.period.rounded(.up)))"),
            ("RateLimit", "\"\(name)\";r=\(decision.remaining);t=\(Int(decision.resetAfter.rounded(.up)))"),
        ]
        if let retryAfter = decision.retryAfter {
            fields.append(("Retry-After", String(max(1, Int(retryAfter.rounded(.up))))))
        }
        return fields
    }
}
