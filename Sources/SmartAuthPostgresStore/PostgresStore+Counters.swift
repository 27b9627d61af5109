public import Foundation
public import SmartAuthCore

extension PostgresStore {
    // MARK: - RateLimitStore

    /// Counts `cost` requests against `key` with ``GCRA``, in one `INSERT … ON CONFLICT DO UPDATE … RETURNING`
    /// that decides and stores under the row's lock, so concurrent acquires across processes never over-admit.
    ///
    /// The statement returns the arrival time it started from (`max(stored, now)`); the decision's figures are
    /// computed from it by ``GCRA/evaluate(storedTAT:now:limit:cost:)`` itself, and checked against the decision
    /// the statement stored. A key's row is dead once its arrival time has passed (as if absent) and is deleted
    /// by ``purgeExpired(at:)``.
    ///
    /// - Throws: ``SessionStoreError`` `.invalidArgument` for a period that is not a positive number of
    ///   microseconds, a cost so large that the arithmetic overflows, or a key with a NUL character;
    ///   `.corrupt` if the stored decision disagrees with the reference; `.unavailable`.
    public func acquire(
        _ key: String, limit: RateLimit, cost: Int, at now: Date
    ) async throws(SessionStoreError) -> RateLimitDecision {
        let microseconds = limit.period * 1_000_000
        guard microseconds.isFinite, microseconds >= 1, microseconds < 9.2e18 else {
            throw SessionStoreError(.invalidArgument, "the rate limit's period is out of range")
        }
        let period = Int64(microseconds)
        let emission = max(1, period / Int64(max(1, limit.limit)))
        let (increment, overflow) = emission.multipliedReportingOverflow(by: Int64(max(0, cost)))
        guard !overflow else { throw SessionStoreError(.invalidArgument, "the cost is too large") }
        let nowMicroseconds = GCRA.microseconds(now)
        let parameters: [Parameter] = [.text(key), .int(nowMicroseconds), .int(period), .int(increment)]
        let (tat, base, allowed) = try await pool.run { connection, deadline throws(SessionStoreError) in
            let result = try connection.execute(Statements.acquire, parameters, deadline: deadline)
            guard let row = result.rows.first, row.count == 3 else {
                throw SessionStoreError(.corrupt, "the rate limit statement returned no row")
            }
            return (try Row.int(row[0]), try Row.int(row[1]), try Row.bool(row[2]))
        }
        let (decision, newTAT) = GCRA.evaluate(storedTAT: base, now: nowMicroseconds, limit: limit, cost: cost)
        guard decision.allowed == allowed, newTAT == nil || newTAT == tat else {
            throw SessionStoreError(.corrupt, "the stored rate-limit decision disagrees with GCRA")
        }
        return decision
    }

    /// Forgets `key`'s rate-limit state.
    public func resetRateLimit(_ key: String) async throws(SessionStoreError) {
        _ = try await pool.run { connection, deadline throws(SessionStoreError) in
            try connection.execute(Statements.resetRateLimit, [.text(key)], deadline: deadline)
        }
    }

    /// Records a failure for `key` with one `INSERT … ON CONFLICT DO UPDATE … RETURNING`: the count goes up by one,
    /// or restarts at 1 when the last failure is `window` seconds or more before `now`. The record expires
    /// `window` seconds after the last failure.
    /// - Returns: The record after this failure.
    public func recordFailure(
        _ key: String, at now: Date, window: TimeInterval
    ) async throws(SessionStoreError) -> FailureRecord {
        let parameters: [Parameter] = [.text(key), Row.date(now), .double(window)]
        return try await pool.run { connection, deadline throws(SessionStoreError) in
            let result = try connection.execute(Statements.recordFailure, parameters, deadline: deadline)
            guard let row = result.rows.first, row.count == 2, let count = Int(exactly: try Row.int(row[0])) else {
                throw SessionStoreError(.corrupt, "the failure statement returned no row")
            }
            return FailureRecord(count: count, lastFailureAt: try Row.date(row[1]))
        }
    }

    /// The failures recorded for `key` whose last one is less than `window` seconds before `now`, or `nil`.
    public func failures(
        _ key: String, at now: Date, window: TimeInterval
    ) async throws(SessionStoreError) -> FailureRecord? {
        guard Self.isStorable(key) else { return nil }
        let parameters: [Parameter] = [.text(key), Row.date(now), .double(window)]
        return try await pool.run { connection, deadline throws(SessionStoreError) in
            let result = try connection.execute(Statements.failures, parameters, deadline: deadline)
            guard let row = result.rows.first, row.count == 2 else { return nil }
            guard let count = Int(exactly: try Row.int(row[0])) else {
                throw SessionStoreError(.corrupt, "a failure count cannot be read")
            }
            return FailureRecord(count: count, lastFailureAt: try Row.date(row[1]))
        }
    }

    /// Forgets `key`'s failures.
    public func clearFailures(_ key: String) async throws(SessionStoreError) {
        guard Self.isStorable(key) else { return }
        _ = try await pool.run { connection, deadline throws(SessionStoreError) in
            try connection.execute(Statements.clearFailures, [.text(key)], deadline: deadline)
        }
    }

    // MARK: - KeyValueStore

    /// The value stored under `key`, or `nil`.
    public func value(for key: String) async throws(SessionStoreError) -> [UInt8]? {
        guard Self.isStorable(key) else { return nil }
        return try await pool.run { connection, deadline throws(SessionStoreError) in
            let result = try connection.execute(Statements.sharedValue, [.text(key)], binaryResult: true, deadline: deadline)
            guard let row = result.rows.first else { return nil }
            guard let value = row.first ?? nil else { throw SessionStoreError(.corrupt, "a shared value is NULL") }
            return value
        }
    }

    /// Sets `key` to `value` if its current value is `expected` (`nil`: if it has none), atomically: an `INSERT …
    /// ON CONFLICT DO NOTHING` or a conditional `UPDATE`.
    /// - Returns: Whether the value was set.
    public func setValue(
        _ value: [UInt8], for key: String, ifCurrentValueIs expected: [UInt8]?
    ) async throws(SessionStoreError) -> Bool {
        let statement = expected == nil ? Statements.insertSharedValue : Statements.replaceSharedValue
        var parameters: [Parameter] = [.text(key), .binary(value)]
        if let expected { parameters.append(.binary(expected)) }
        let finalParameters = parameters
        return try await pool.run { connection, deadline throws(SessionStoreError) in
            try connection.execute(statement, finalParameters, deadline: deadline).rows.count == 1
        }
    }
}
