public import Foundation
import Synchronization

/// A ``RateLimitStore`` in this process's memory: for tests, development and single-process deployments.
///
/// Keys are spread over shards by a seeded hash, each shard behind its own `Mutex`, so every operation takes
/// exactly one shard's lock and never a global one. Each operation computes and writes its answer inside that
/// one critical section, which makes it atomic per key. Rate limiting is ``GCRA/evaluate(storedTAT:now:limit:cost:)``
/// on ``GCRA/microseconds(_:)``, so the answers are those of every other store. Rate-limit state and failure
/// records are separate: ``resetRateLimit(_:)`` leaves a key's failures alone and ``clearFailures(_:)`` its
/// rate-limit state.
///
/// ## Expiry
///
/// A rate-limit entry expires at its theoretical arrival time, the moment from which it no longer changes any
/// answer (GCRA treats a past arrival time as no arrival time). A failure record expires `window` seconds after
/// the last failure, with the `window` of the ``recordFailure(_:at:window:)`` that wrote it. Each shard keeps its
/// entries in a min-heap by expiry, and every operation that is given a time first deletes up to 32 entries of
/// its shard that have expired by then; so the store cleans itself continuously, at a small bounded cost per
/// operation and with no pause proportional to its size. ``purgeExpired(at:)`` deletes every expired entry at
/// once.
///
/// ## Bounds
///
/// The store holds at most `maximumEntries` entries (1,000,000 by default, spread evenly over the shards).
/// When a new key arrives at a full shard, the shard evicts the entry that expires first: an expired one if it
/// has any, else the live entry closest to expiring, which is the one whose loss changes the fewest answers
/// and for the shortest time. Keys longer than `maximumKeyLength` UTF-8 bytes are rejected, so that the memory
/// is bounded by `maximumEntries × maximumKeyLength` whatever the keys. A rate-limit entry costs roughly 100
/// bytes plus its key.
///
/// - Warning: Eviction makes a limiter more permissive: an evicted key starts again with a full burst, and an
///   evicted failure record restarts its count. It happens only when a shard is full of live entries, that is
///   under a flood of distinct keys beyond `maximumEntries`. Size `maximumEntries` above the number of keys live
///   at once in normal traffic, and derive keys from values an attacker cannot vary at will.
///
/// - Important: The store trusts the `now` it is given. An operation may delete any entry that has expired at
///   its `now`, so a caller must not expect an entry to come back when it later passes an earlier time.
public final class MemoryRateLimitStore: RateLimitStore {
    /// How many expired entries one operation deletes at most, besides its own work.
    static let sweepBatch = 32

    /// The latest arrival time, period or window the store accepts, in microseconds: about 31.7 years for a
    /// period or window. With instants limited to ``latestInstant``, the GCRA arithmetic cannot overflow.
    private static let longestDuration: Int64 = 1_000_000_000_000_000
    /// The largest `emission × cost` the store accepts, in microseconds.
    private static let largestIncrement: Int64 = 1 << 62
    /// The largest distance from 1970 an instant may have, in seconds (about 3,170 years either way).
    private static let latestInstant: TimeInterval = 100_000_000_000

    private let shards: [Locked<RateLimitShard>]
    private let maximumKeyLength: Int

    /// An empty store.
    ///
    /// - Parameters:
    ///   - shardCount: How many shards the keys are spread over; more shards mean less lock contention between
    ///     concurrent callers. Must be at least 1; the default is 32.
    ///   - maximumEntries: The most entries (rate-limit keys plus failure records) the store holds, divided
    ///     evenly between the shards (rounded up). Must be at least 1; the default is 1,000,000.
    ///   - maximumKeyLength: The longest key accepted, in UTF-8 bytes; a longer one fails with
    ///     ``SessionStoreError/Code/invalidArgument``. Must be at least 1; the default is 1,024.
    public init(shardCount: Int = 32, maximumEntries: Int = 1_000_000, maximumKeyLength: Int = 1024) {
        precondition(shardCount >= 1, "MemoryRateLimitStore needs at least one shard")
        precondition(maximumEntries >= 1, "MemoryRateLimitStore needs room for at least one entry")
        precondition(maximumKeyLength >= 1, "MemoryRateLimitStore needs to accept keys of at least one byte")
        let perShard = (maximumEntries + shardCount - 1) / shardCount
        shards = (0..<shardCount).map { _ in Locked(RateLimitShard(capacity: perShard)) }
        self.maximumKeyLength = maximumKeyLength
    }

    // MARK: - Rate limits

    /// Counts `cost` requests against `key` under `limit` at `now`, if they are allowed, in one step.
    ///
    /// The decision is exactly ``GCRA/evaluate(storedTAT:now:limit:cost:)`` on the stored theoretical arrival
    /// time and `now` in microseconds; an allowed request stores the new arrival time. A `cost` of 0 asks without
    /// counting.
    ///
    /// - Parameters:
    ///   - key: What is limited (an IP address, an account); at most `maximumKeyLength` UTF-8 bytes.
    ///   - limit: The rate: `limit` at least 1, `period` from 1 µs to about 31 years.
    ///   - cost: How many requests this one counts as; at least 0.
    ///   - now: The time of the request.
    /// - Returns: The decision.
    /// - Throws: ``SessionStoreError`` with code ``SessionStoreError/Code/invalidArgument`` for a key that is too
    ///   long, a limit below 1, a period or cost out of range, or a time that is not finite or more than 3,000 years
    ///   from 1970; nothing is counted then.
    public func acquire(
        _ key: String, limit: RateLimit, cost: Int, at now: Date
    ) async throws(SessionStoreError) -> RateLimitDecision {
        let entryKey = try entryKey(.rateLimit, key)
        let nowMicros = try Self.microseconds(now)
        try Self.validate(limit, cost: cost)
        return shard(entryKey).mutex.withLock { shard in
            shard.removeExpired(at: nowMicros, limit: Self.sweepBatch)
            var stored: Int64?
            if case .tat(let tat)? = shard.entry(entryKey)?.value { stored = tat }
            let (decision, newTAT) = GCRA.evaluate(storedTAT: stored, now: nowMicros, limit: limit, cost: cost)
            if let newTAT { shard.set(entryKey, .tat(newTAT), expiresAt: newTAT, now: nowMicros) }
            return decision
        }
    }

    /// Forgets `key`'s rate-limit state: its next request has a full burst. Its failure records stay.
    ///
    /// - Parameter key: The key given to ``acquire(_:limit:cost:at:)``.
    /// - Throws: ``SessionStoreError`` with code ``SessionStoreError/Code/invalidArgument`` for a key that is too
    ///   long (no such key can be stored).
    public func resetRateLimit(_ key: String) async throws(SessionStoreError) {
        let entryKey = try entryKey(.rateLimit, key)
        shard(entryKey).mutex.withLock { $0.remove(entryKey) }
    }

    // MARK: - Failures

    /// Records a failure for `key`, in one step: the count goes up by one, or restarts at 1 if there is no live
    /// record, that is if the last failure is `window` seconds old or older. The record then expires `window`
    /// seconds after `now`.
    ///
    /// - Parameters:
    ///   - key: What failed (an account, an account × IP pair); at most `maximumKeyLength` UTF-8 bytes.
    ///   - now: The time of the failure.
    ///   - window: How long failures are remembered, in seconds, from 0 to about 31 years; counted to the
    ///     microsecond.
    /// - Returns: The record after this failure. The count stops growing at `Int.max`.
    /// - Throws: ``SessionStoreError`` with code ``SessionStoreError/Code/invalidArgument`` for a key that is too
    ///   long, a window out of range or a time out of range; nothing is recorded then.
    public func recordFailure(
        _ key: String, at now: Date, window: TimeInterval
    ) async throws(SessionStoreError) -> FailureRecord {
        let entryKey = try entryKey(.failures, key)
        let nowMicros = try Self.microseconds(now)
        let windowMicros = try Self.duration(window)
        return shard(entryKey).mutex.withLock { shard in
            shard.removeExpired(at: nowMicros, limit: Self.sweepBatch)
            var count = 1
            if let previous = Self.liveFailures(shard, entryKey, now: nowMicros, window: windowMicros) {
                count = previous.count == .max ? .max : previous.count + 1
            }
            let record = FailureRecord(count: count, lastFailureAt: now)
            shard.set(entryKey, .failures(record), expiresAt: nowMicros + windowMicros, now: nowMicros)
            return record
        }
    }

    /// The failures recorded for `key` whose last one is less than `window` seconds before `now` (and whose
    /// record has not expired under the window it was recorded with), or `nil`.
    ///
    /// - Parameters:
    ///   - key: The key given to ``recordFailure(_:at:window:)``.
    ///   - now: The time of the question.
    ///   - window: How far back to look, in seconds, from 0 to about 31 years.
    /// - Returns: The record, or `nil`.
    /// - Throws: ``SessionStoreError`` with code ``SessionStoreError/Code/invalidArgument`` for a key that is too
    ///   long, a window out of range or a time out of range.
    public func failures(
        _ key: String, at now: Date, window: TimeInterval
    ) async throws(SessionStoreError) -> FailureRecord? {
        let entryKey = try entryKey(.failures, key)
        let nowMicros = try Self.microseconds(now)
        let windowMicros = try Self.duration(window)
        return shard(entryKey).mutex.withLock { shard in
            shard.removeExpired(at: nowMicros, limit: Self.sweepBatch)
            return Self.liveFailures(shard, entryKey, now: nowMicros, window: windowMicros)
        }
    }

    /// Forgets `key`'s failures (after a successful login). Its rate-limit state stays.
    ///
    /// - Parameter key: The key given to ``recordFailure(_:at:window:)``.
    /// - Throws: ``SessionStoreError`` with code ``SessionStoreError/Code/invalidArgument`` for a key that is too
    ///   long (no such key can be stored).
    public func clearFailures(_ key: String) async throws(SessionStoreError) {
        let entryKey = try entryKey(.failures, key)
        shard(entryKey).mutex.withLock { $0.remove(entryKey) }
    }

    // MARK: - Maintenance

    /// Deletes every entry that has expired by `now`, one shard at a time.
    ///
    /// - Parameter now: The time of the purge.
    /// - Returns: How many entries were deleted by this call (operations may have deleted others before).
    /// - Throws: ``SessionStoreError`` with code ``SessionStoreError/Code/invalidArgument`` for a time out of
    ///   range.
    @discardableResult
    public func purgeExpired(at now: Date) async throws(SessionStoreError) -> Int {
        let nowMicros = try Self.microseconds(now)
        var count = 0
        for shard in shards {
            count += shard.mutex.withLock { $0.removeExpired(at: nowMicros) }
        }
        return count
    }

    /// How many entries the store holds, expired or not, for tests of its bounds.
    package var entryCount: Int {
        shards.reduce(0) { total, shard in total + shard.mutex.withLock { $0.count } }
    }

    // MARK: - Internals

    private func shard(_ key: RateLimitEntryKey) -> Locked<RateLimitShard> { shards[key.shard(of: shards.count)] }

    private func entryKey(_ kind: RateLimitEntryKey.Kind, _ key: String) throws(SessionStoreError) -> RateLimitEntryKey {
        guard key.utf8.count <= maximumKeyLength else {
            throw SessionStoreError(.invalidArgument, "the key is longer than \(maximumKeyLength) bytes")
        }
        return RateLimitEntryKey(kind: kind, name: key)
    }

    /// The record under `key` if it is live at `now` for a question with `window`: not expired under the window
    /// it was recorded with, and its last failure less than `window` before `now`.
    private static func liveFailures(
        _ shard: borrowing RateLimitShard, _ key: RateLimitEntryKey, now: Int64, window: Int64
    ) -> FailureRecord? {
        guard let (value, expiresAt) = shard.entry(key), case .failures(let record) = value, now < expiresAt,
            now - GCRA.microseconds(record.lastFailureAt) < window
        else { return nil }
        return record
    }

    /// `date` in microseconds since 1970, if it is within range.
    private static func microseconds(_ date: Date) throws(SessionStoreError) -> Int64 {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) <= latestInstant else {
            throw SessionStoreError(.invalidArgument, "the time is out of range")
        }
        return GCRA.microseconds(date)
    }

    /// `interval` seconds in whole microseconds (rounded down, as ``GCRA`` rounds a period), if within range.
    private static func duration(_ interval: TimeInterval) throws(SessionStoreError) -> Int64 {
        guard interval.isFinite, interval >= 0, interval * 1_000_000 <= Double(longestDuration) else {
            throw SessionStoreError(.invalidArgument, "the window must be between 0 and about 31 years")
        }
        return Int64(interval * 1_000_000)
    }

    /// Checks the arguments of ``acquire(_:limit:cost:at:)`` so that ``GCRA`` can neither trap nor overflow.
    private static func validate(_ limit: RateLimit, cost: Int) throws(SessionStoreError) {
        guard limit.limit >= 1 else {
            throw SessionStoreError(.invalidArgument, "the limit must be at least 1")
        }
        guard limit.period.isFinite, limit.period * 1_000_000 >= 1,
            limit.period * 1_000_000 <= Double(longestDuration)
        else {
            throw SessionStoreError(.invalidArgument, "the period must be between 1 µs and about 31 years")
        }
        // The same emission as GCRA.evaluate.
        let period = Int64(limit.period * 1_000_000)
        let emission = max(1, period / Int64(limit.limit))
        let (increment, overflow) = emission.multipliedReportingOverflow(by: Int64(max(0, cost)))
        guard cost >= 0, !overflow, increment <= largestIncrement else {
            throw SessionStoreError(.invalidArgument, "the cost must be between 0 and what the period can hold")
        }
    }
}
