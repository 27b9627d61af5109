public import Foundation
public import SmartAuthCore

/// ``RateLimitStore``: GCRA states in `rate_limits`, failure records in `failures`. Each operation that changes a
/// key reads and writes it inside a `BEGIN IMMEDIATE` transaction, so it is atomic per key across tasks and
/// processes.
extension SQLiteStore {
    /// Counts `cost` requests against `key` under `limit` at `now`, if allowed.
    ///
    /// Reads the key's theoretical arrival time, decides with ``GCRA/evaluate(storedTAT:now:limit:cost:)`` itself
    /// (so the decision is the reference's, bit for bit) and stores the new time when allowed — all in one
    /// transaction. A state is dead from its own time on; the automatic purge and ``purgeExpired(at:)`` delete it.
    ///
    /// - Throws: ``SessionStoreError`` `.invalidArgument` if the limit is below 1, the period is not a positive
    ///   number of microseconds that fits in 64 bits (with room for the cost), or the cost is negative;
    ///   `.unavailable`; `.corrupt`.
    public func acquire(
        _ key: String, limit: RateLimit, cost: Int, at now: Date
    ) async throws(SessionStoreError) -> RateLimitDecision {
        try Self.validate(limit, cost: cost)
        let micros = GCRA.microseconds(now)
        return try await write(at: now) { connection throws(SessionStoreError) -> RateLimitDecision in
            let stored = try connection.queryFirst(
                "SELECT tat FROM rate_limits WHERE key = ?1", [.text(key)]
            ) { row throws(SessionStoreError) -> Int64 in
                guard let tat = row.integer(0) else { throw SessionStoreError.corruptRow("rate-limit state") }
                return tat
            }
            let (decision, newTAT) = GCRA.evaluate(storedTAT: stored, now: micros, limit: limit, cost: cost)
            if let newTAT {
                try connection.execute(
                    """
                    INSERT INTO rate_limits (key, tat) VALUES (?1, ?2)
                    ON CONFLICT (key) DO UPDATE SET tat = excluded.tat
                    """,
                    [.text(key), .integer(newTAT)])
            }
            return decision
        }
    }

    /// Rejects what would make ``GCRA``'s integer arithmetic overflow (the reference traps on it).
    static func validate(_ limit: RateLimit, cost: Int) throws(SessionStoreError) {
        // Periods up to about 292 years in microseconds, costs up to a million: far from Int64's end.
        guard limit.limit >= 1, limit.period.isFinite, limit.period > 0, limit.period <= 1e16 / 1_000_000,
            (0...1_000_000).contains(cost)
        else {
            throw SessionStoreError(
                .invalidArgument,
                "a rate limit needs limit ≥ 1, a positive finite period, and a cost from 0 to 1,000,000")
        }
    }

    /// Forgets `key`'s rate-limit state.
    /// - Throws: ``SessionStoreError`` `.unavailable`.
    public func resetRateLimit(_ key: String) async throws(SessionStoreError) {
        try await write(at: nil) { connection throws(SessionStoreError) in
            try connection.execute("DELETE FROM rate_limits WHERE key = ?1", [.text(key)])
        }
    }

    /// Records a failure for `key`: the count goes up by one, or restarts at 1 if the last failure is `window`
    /// seconds old or older (the same edge as ``failures(_:at:window:)``: a record is live while
    /// `now − lastFailureAt < window`). The record expires `window` seconds after this failure.
    ///
    /// - Returns: The record after this failure.
    /// - Throws: ``SessionStoreError`` `.invalidArgument` if `window` is negative or not finite, `.unavailable`,
    ///   `.corrupt`.
    public func recordFailure(
        _ key: String, at now: Date, window: TimeInterval
    ) async throws(SessionStoreError) -> FailureRecord {
        try Self.validate(window: window)
        return try await write(at: now) { connection throws(SessionStoreError) -> FailureRecord in
            let previous = try connection.queryFirst(
                "SELECT count, last_failure_at FROM failures WHERE key = ?1", [.text(key)], row: Self.decodeFailure)
            var count = 1
            if let previous, now.timeIntervalSince(previous.lastFailureAt) < window {
                count = previous.count &+ 1
            }
            try connection.execute(
                """
                INSERT INTO failures (key, count, last_failure_at, expires_at) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (key) DO UPDATE SET
                    count = excluded.count, last_failure_at = excluded.last_failure_at, expires_at = excluded.expires_at
                """,
                [.text(key), .integer(Int64(count)), .time(now), .time(now.addingTimeInterval(window))])
            return FailureRecord(count: count, lastFailureAt: now)
        }
    }

    /// The failures recorded for `key`, if the last one is less than `window` seconds before `now`; else `nil`.
    /// - Throws: ``SessionStoreError`` `.invalidArgument` for a negative or non-finite `window`, `.unavailable`,
    ///   `.corrupt`.
    public func failures(
        _ key: String, at now: Date, window: TimeInterval
    ) async throws(SessionStoreError) -> FailureRecord? {
        try Self.validate(window: window)
        let record = try await reader().run { connection throws(SessionStoreError) -> FailureRecord? in
            try connection.queryFirst(
                "SELECT count, last_failure_at FROM failures WHERE key = ?1", [.text(key)], row: Self.decodeFailure)
        }
        guard let record, now.timeIntervalSince(record.lastFailureAt) < window else { return nil }
        return record
    }

    /// Forgets `key`'s failures.
    /// - Throws: ``SessionStoreError`` `.unavailable`.
    public func clearFailures(_ key: String) async throws(SessionStoreError) {
        try await write(at: nil) { connection throws(SessionStoreError) in
            try connection.execute("DELETE FROM failures WHERE key = ?1", [.text(key)])
        }
    }

    private static func validate(window: TimeInterval) throws(SessionStoreError) {
        guard window.isFinite, window >= 0 else {
            throw SessionStoreError(
                .invalidArgument, "a failure window must be a finite, non-negative number of seconds")
        }
    }

    private static func decodeFailure(_ row: SQLiteStatement) throws(SessionStoreError) -> FailureRecord {
        guard let count = row.integer(0).flatMap({ Int(exactly: $0) }), let last = row.date(1) else {
            throw SessionStoreError.corruptRow("failure record")
        }
        return FailureRecord(count: count, lastFailureAt: last)
    }
}
