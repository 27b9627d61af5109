public import Foundation

/// Progressive back-off for password logins, in the spirit of Keycloak's brute-force detector.
///
/// Failures are counted per account and per account × client address. Once a counter reaches its
/// threshold, each further attempt must wait `baseDelay × 2^(failures − threshold)`, capped at `maximumDelay`,
/// after the last failure; a success clears both counters. The account × address counter has the lower
/// threshold, so an attacker trips it long before the account-wide one. A client that already holds a valid
/// session of the account (a trusted device) is judged by its own account × address counter only, so attacks
/// from elsewhere cannot lock the owner out of a device they are already using.
public struct BruteForceProtector: Sendable {
    /// Thresholds and delays.
    public struct Policy: Hashable, Sendable {
        /// Failures from one address before its back-off starts. Default 5.
        public var perAddressThreshold: Int = 5
        /// Failures overall before the account-wide back-off starts. Default 20.
        public var perAccountThreshold: Int = 20
        /// The first delay. Default 1 second; it doubles with each further failure.
        public var baseDelay: TimeInterval = 1
        /// The longest delay. Default 15 minutes.
        public var maximumDelay: TimeInterval = 15 * 60
        /// Failures older than this are forgotten. Default 12 hours.
        public var window: TimeInterval = 12 * 3600

        /// The default policy, with any setting changed.
        public init() {}
    }

    /// The failure counters.
    public let store: any RateLimitStore
    /// The policy.
    public let policy: Policy
    /// The time source.
    public let clock: any AuthClock

    /// A protector over `store`.
    public init(store: any RateLimitStore, policy: Policy = Policy(), clock: any AuthClock = SystemClock()) {
        self.store = store
        self.policy = policy
        self.clock = clock
    }

    /// Refuses an attempt that comes too soon after failures.
    /// - Throws: ``AuthError/Code/rateLimited`` with ``AuthError/retryAfter``; `.storeUnavailable` (login fails
    ///   closed when its counters cannot be read).
    public func checkAllowed(account: String, address: String, trustedDevice: Bool = false) async throws(AuthError) {
        let now = clock.now()
        var wait: TimeInterval = 0
        do {
            if let record = try await store.failures(RateLimitKey.account(account, ip: address).rawValue, at: now, window: policy.window) {
                wait = max(wait, remaining(record, threshold: policy.perAddressThreshold, now: now))
            }
            if !trustedDevice,
                let record = try await store.failures(RateLimitKey.account(account).rawValue, at: now, window: policy.window)
            {
                wait = max(wait, remaining(record, threshold: policy.perAccountThreshold, now: now))
            }
        } catch {
            throw AuthError.store(error)
        }
        if wait > 0 {
            throw AuthError(.rateLimited, "too many failed attempts; try again later", retryAfter: wait.rounded(.up))
        }
    }

    /// Records a failed attempt.
    public func recordFailure(account: String, address: String) async throws(AuthError) {
        let now = clock.now()
        do {
            _ = try await store.recordFailure(RateLimitKey.account(account, ip: address).rawValue, at: now, window: policy.window)
            _ = try await store.recordFailure(RateLimitKey.account(account).rawValue, at: now, window: policy.window)
        } catch {
            throw AuthError.store(error)
        }
    }

    /// Clears the counters after a successful login.
    public func recordSuccess(account: String, address: String) async throws(AuthError) {
        do {
            try await store.clearFailures(RateLimitKey.account(account, ip: address).rawValue)
            try await store.clearFailures(RateLimitKey.account(account).rawValue)
        } catch {
            throw AuthError.store(error)
        }
    }

    /// The delay owed after `record.count` failures (0 below the threshold).
    public func delay(afterFailures count: Int, threshold: Int) -> TimeInterval {
        guard count >= threshold else { return 0 }
        let exponent = min(count - threshold, 30)
        return min(policy.maximumDelay, policy.baseDelay * pow(2, Double(exponent)))
    }

    private func remaining(_ record: FailureRecord, threshold: Int, now: Date) -> TimeInterval {
        let owed = delay(afterFailures: record.count, threshold: threshold)
        return max(0, record.lastFailureAt.addingTimeInterval(owed).timeIntervalSince(now))
    }
}
