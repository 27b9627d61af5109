public import Foundation

/// Where the engine gets the time. Inject a manual clock in tests; nothing in SmartAuth reads the system
/// clock except ``SystemClock``.
public protocol AuthClock: Sendable {
    /// The current time.
    func now() -> Date
}

/// The system's wall clock.
public struct SystemClock: AuthClock {
    /// The system clock.
    public init() {}
    public func now() -> Date { Date() }
}
