import SmartAuthCore
import Testing

/// One store under test. Each test calls ``make`` for a fresh, empty store (for a server-backed store: a fresh
/// namespace), so tests never see each other's sessions.
///
/// Adding a store to the conformance suite is one line in ``all``.
struct StoreFactory: Sendable, CustomTestStringConvertible {
    /// The store's name, as the test report shows it.
    let name: String
    /// Makes a fresh, empty store.
    let make: @Sendable () async throws -> any SessionStore

    var testDescription: String { name }

    /// Every store the suite checks.
    static let all: [StoreFactory] = [.memory, .memorySingleShard, .sqlite, .redis, .postgres]

    /// The in-memory store as the engine uses it by default.
    static let memory = StoreFactory(name: "memory") { MemorySessionStore() }

    /// The in-memory store with one shard, so that every session and every user share one lock.
    static let memorySingleShard = StoreFactory(name: "memory (1 shard)") { MemorySessionStore(shardCount: 1) }
}
