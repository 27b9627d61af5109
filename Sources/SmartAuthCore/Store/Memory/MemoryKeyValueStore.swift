import Synchronization

/// A ``KeyValueStore`` in this process's memory: for tests, development and single-process deployments.
///
/// The values are few and small (a key ring, a secret) and change rarely, so one `Mutex` guards them all; the
/// compare-and-set of ``setValue(_:for:ifCurrentValueIs:)`` compares and writes in one critical section.
///
/// - Important: Values may hold private key material, and this store keeps them in ordinary process memory,
///   in `[UInt8]` arrays that are not zeroed when they are replaced or the store goes away.
public final class MemoryKeyValueStore: KeyValueStore {
    private let values = Mutex<[String: [UInt8]]>([:])

    /// An empty store.
    public init() {}

    /// The value stored under `key`, or `nil`.
    ///
    /// - Parameter key: The value's name.
    /// - Returns: The bytes last set (possibly empty), or `nil` if none were.
    public func value(for key: String) async throws(SessionStoreError) -> [UInt8]? {
        values.withLock { $0[key] }
    }

    /// Atomically sets `key` to `value` if its current value is `expected`.
    ///
    /// - Parameters:
    ///   - value: The new bytes (any, including none).
    ///   - key: The value's name.
    ///   - expected: The value the caller last read, byte for byte, or `nil` to set the value only if `key` has
    ///     none. An empty array is a value, distinct from `nil`.
    /// - Returns: Whether the value was set; `false` leaves the stored value as it was.
    public func setValue(
        _ value: [UInt8], for key: String, ifCurrentValueIs expected: [UInt8]?
    ) async throws(SessionStoreError) -> Bool {
        values.withLock { values in
            guard values[key] == expected else { return false }
            values[key] = value
            return true
        }
    }
}
