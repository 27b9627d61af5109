import SmartAuthCore
import Testing

/// One ``AuthStore`` under test, for the user, rate-limit and key-value suites. Each test calls ``make`` for a
/// fresh, empty store (for a server-backed store: a fresh namespace), so tests never see each other's data.
///
/// The suites use nothing but the ``AuthStore`` requirements, so adding a store is one line in ``all``.
struct AuthStoreFactory: Sendable, CustomTestStringConvertible {
    /// The store's name, as the test report shows it.
    let name: String
    /// Makes a fresh, empty store.
    let make: @Sendable () async throws -> any AuthStore

    var testDescription: String { name }

    /// Every store the suites check.
    static let all: [AuthStoreFactory] = [.memory, .sqlite, .redis, .postgres]

    /// The in-memory store with its default settings.
    static let memory = AuthStoreFactory(name: "memory") { MemoryAuthStore() }
}
