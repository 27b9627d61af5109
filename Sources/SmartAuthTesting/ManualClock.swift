public import Foundation
public import SmartAuthCore
import Synchronization

/// A clock that moves only when told to, for tests of anything time-dependent (no sleeping).
public final class ManualClock: AuthClock {
    private let current: Mutex<Date>

    /// A clock set to `start` (default: 2030-01-01T00:00:00Z, a fixed and readable instant).
    public init(_ start: Date = Date(timeIntervalSince1970: 1_893_456_000)) {
        current = Mutex(start)
    }

    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward by `interval` seconds.
    public func advance(by interval: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(interval) }
    }

    /// Sets the clock to `date`.
    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
