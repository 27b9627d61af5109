public import Foundation

/// A rate: at most `limit` requests per `period` seconds, in bursts of up to `limit`.
public struct RateLimit: Hashable, Sendable, CustomStringConvertible {
    /// Requests allowed per period (and the largest burst).
    public var limit: Int
    /// The period, in seconds.
    public var period: TimeInterval

    /// `limit` requests per `period` seconds.
    public init(limit: Int, period: TimeInterval) {
        self.limit = limit
        self.period = period
    }

    public var description: String { "\(limit) per \(period)s" }
}

/// The answer of a rate limiter for one request: enough for `RateLimit-Policy`, `RateLimit` and `Retry-After`.
public struct RateLimitDecision: Hashable, Sendable {
    /// Whether the request may go ahead.
    public var allowed: Bool
    /// The limit that applied.
    public var limit: Int
    /// Requests still allowed right now.
    public var remaining: Int
    /// Seconds until the limiter is back to a full burst.
    public var resetAfter: TimeInterval
    /// When denied: seconds until this request would be allowed.
    public var retryAfter: TimeInterval?

    /// A decision.
    public init(allowed: Bool, limit: Int, remaining: Int, resetAfter: TimeInterval, retryAfter: TimeInterval?) {
        self.allowed = allowed
        self.limit = limit
        self.remaining = remaining
        self.resetAfter = resetAfter
        self.retryAfter = retryAfter
    }
}

/// Consecutive failures for one key (an account, an account × IP pair).
public struct FailureRecord: Hashable, Sendable {
    /// Failures since the last success, within the window.
    public var count: Int
    /// When the last one happened.
    public var lastFailureAt: Date

    /// A failure record.
    public init(count: Int, lastFailureAt: Date) {
        self.count = count
        self.lastFailureAt = lastFailureAt
    }
}

/// Counters for rate limiting and brute-force protection. Every operation is atomic per key, across
/// processes sharing the store, and keys expire on their own (memory stays bounded under a flood of keys).
///
/// Rate limiting is GCRA with integer microseconds, so that every store computes exactly the same answers
/// (``GCRA`` is the reference; stores that run the arithmetic server-side implement the same steps).
public protocol RateLimitStore: Sendable {
    /// Counts `cost` requests against `key` under `limit` at `now`, if allowed. See ``GCRA``.
    func acquire(_ key: String, limit: RateLimit, cost: Int, at now: Date) async throws(SessionStoreError) -> RateLimitDecision

    /// Forgets `key`'s rate-limit state.
    func resetRateLimit(_ key: String) async throws(SessionStoreError)

    /// Records a failure for `key`: the count goes up by one, or restarts at 1 if the last failure is `window`
    /// seconds old or older (a record is live while `now − lastFailureAt < window`, in integer microseconds). The
    /// record expires `window` seconds after the last failure. Failure records and rate-limit state are separate
    /// namespaces: the same key in both does not collide.
    /// - Returns: the record after this failure.
    func recordFailure(_ key: String, at now: Date, window: TimeInterval) async throws(SessionStoreError) -> FailureRecord

    /// The failures recorded for `key` within `window` seconds of `now`, or `nil`.
    func failures(_ key: String, at now: Date, window: TimeInterval) async throws(SessionStoreError) -> FailureRecord?

    /// Forgets `key`'s failures (after a successful login).
    func clearFailures(_ key: String) async throws(SessionStoreError)
}

/// The generic cell rate algorithm, in integer microseconds: the reference every ``RateLimitStore`` follows.
///
/// With `emission = period / limit` (at least 1 µs) and the stored theoretical arrival time `tat` (absent →
/// `now`):
///
///     tat      = max(tat, now)
///     newTat   = tat + emission × cost
///     allowAt  = newTat − period
///     allowed  = now ≥ allowAt                       (then store newTat, expiring at newTat)
///     remaining  = max(0, (period − (stored − now)) / emission)   (stored = newTat if allowed, else tat)
///     resetAfter = stored − now
///     retryAfter = allowAt − now                     (only when denied)
public enum GCRA {
    /// One decision and the `tat` to store (`nil`: leave the stored value as it is).
    public static func evaluate(
        storedTAT: Int64?, now: Int64, limit: RateLimit, cost: Int
    ) -> (decision: RateLimitDecision, newTAT: Int64?) {
        let period = Int64(limit.period * 1_000_000)
        let emission = max(1, period / Int64(max(1, limit.limit)))
        let tat = max(storedTAT ?? now, now)
        let newTAT = tat + emission * Int64(max(0, cost))
        let allowAt = newTAT - period
        let allowed = now >= allowAt
        let stored = allowed ? newTAT : tat
        let remaining = max(0, (period - (stored - now)) / emission)
        let decision = RateLimitDecision(
            allowed: allowed, limit: limit.limit, remaining: Int(remaining), resetAfter: Double(stored - now) / 1_000_000,
            retryAfter: allowed ? nil : Double(allowAt - now) / 1_000_000)
        return (decision, allowed ? newTAT : nil)
    }

    /// `date` in integer microseconds since 1970.
    public static func microseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down)) }
}
