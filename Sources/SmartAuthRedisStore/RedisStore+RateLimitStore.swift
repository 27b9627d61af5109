public import Foundation
public import SmartAuthCore

extension RedisStore {
    /// Counts `cost` requests against `key` under `limit` at `now`, if allowed: ``GCRA`` in integer microseconds,
    /// run by one script, so concurrent callers on any number of processes see exactly the reference's decisions.
    /// The counter expires at its theoretical arrival time (plus a second, which changes no decision: a stored time
    /// before `now` counts as `now`).
    ///
    /// - Throws: ``SessionStoreError`` `.invalidArgument` if a time or amount is too large to compute exactly (the
    ///   script's numbers are doubles: every value must stay below 2^52 microseconds, about 142 years),
    ///   `.unavailable`.
    public func acquire(
        _ key: String, limit: RateLimit, cost: Int, at now: Date
    ) async throws(SessionStoreError) -> RateLimitDecision {
        try Self.validate(key)
        let bound: Int64 = 1 << 52
        let seconds = now.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 4.0e9, limit.period.isFinite, limit.period >= 0,
            limit.period * 1_000_000 < Double(bound)
        else { throw SessionStoreError(.invalidArgument, "the time or the rate limit's period is out of range") }
        let nowMicroseconds = GCRA.microseconds(now)
        let period = Int64(limit.period * 1_000_000)
        let emission = max(1, period / Int64(max(1, limit.limit)))
        let (total, overflow) = emission.multipliedReportingOverflow(by: Int64(max(0, cost)))
        guard !overflow, total < bound else { throw SessionStoreError(.invalidArgument, "the cost is too large") }
        let reply = try await pool.run(
            .acquire, keys: [keys.rateLimit(key)],
            arguments: [nowMicroseconds, period, emission, Int64(max(0, cost)), Int64(Self.expiryMargin)].map {
                Array(String($0).utf8)
            })
        guard let parts = reply.elements, parts.count == 4, let allowed = parts[0].integer,
            let remaining = parts[1].integer, let reset = parts[2].integer, let retry = parts[3].integer
        else { throw RedisCodec.corrupt("an answer") }
        return RateLimitDecision(
            allowed: allowed == 1, limit: limit.limit, remaining: Int(remaining),
            resetAfter: Double(reset) / 1_000_000, retryAfter: allowed == 1 ? nil : Double(retry) / 1_000_000)
    }

    /// Forgets `key`'s rate-limit state.
    public func resetRateLimit(_ key: String) async throws(SessionStoreError) {
        guard Self.fits(key) else { return }
        _ = try await pool.command(RedisCommand("DEL", [keys.rateLimit(key)]))
    }

    /// Records a failure for `key` in one script: the count goes up by one, or restarts at 1 if the last failure
    /// was `window` seconds or more before `now`. The record expires `window` seconds (plus a second) after this
    /// failure.
    ///
    /// - Returns: The record after this failure.
    public func recordFailure(
        _ key: String, at now: Date, window: TimeInterval
    ) async throws(SessionStoreError) -> FailureRecord {
        try Self.validate(key)
        try RedisCodec.validate(now)
        guard window.isFinite, window < 1.0e9 else {
            throw SessionStoreError(.invalidArgument, "the failure window must be finite")
        }
        let milliseconds = max(1, Int((window * 1000).rounded(.up)) + Self.expiryMargin)
        let reply = try await pool.run(
            .recordFailure, keys: [keys.failures(key)],
            arguments: [RedisCodec.bytes(now), Array("\(window)".utf8), Array(String(milliseconds).utf8)])
        guard let count = reply.integer else { throw RedisCodec.corrupt("an answer") }
        return FailureRecord(count: Int(count), lastFailureAt: now)
    }

    /// The failures recorded for `key` if the last one was less than `window` seconds before `now`, or `nil`.
    public func failures(
        _ key: String, at now: Date, window: TimeInterval
    ) async throws(SessionStoreError) -> FailureRecord? {
        guard Self.fits(key) else { return nil }
        let reply = try await pool.command(
            RedisCommand("HMGET", [keys.failures(key), Array("n".utf8), Array("t".utf8)]))
        guard let parts = reply.elements, parts.count == 2 else { throw RedisCodec.corrupt("an answer") }
        if parts[0] == .null || parts[1] == .null { return nil }
        guard let count = parts[0].text.flatMap({ Int($0) }), let last = RedisCodec.date(parts[1].text) else {
            throw RedisCodec.corrupt("a failure record")
        }
        guard now.timeIntervalSince(last) < window else { return nil }
        return FailureRecord(count: count, lastFailureAt: last)
    }

    /// Forgets `key`'s failures.
    public func clearFailures(_ key: String) async throws(SessionStoreError) {
        guard Self.fits(key) else { return }
        _ = try await pool.command(RedisCommand("DEL", [keys.failures(key)]))
    }
}
