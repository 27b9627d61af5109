import Foundation
import SmartAuthCore
import Testing

@testable import SmartAuthRedisStore

/// The shared test server and fresh namespaces on it.
enum LiveRedis {
    /// The test server's URL (`SMARTAUTH_TEST_REDIS_URL`); cancels the test with a note when it is not set, and
    /// records an issue first under `CI=true`, where a live store that is not tested is a failure.
    static func url(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["SMARTAUTH_TEST_REDIS_URL"], !url.isEmpty { return url }
        try unavailable(
            "SMARTAUTH_TEST_REDIS_URL is not set (eval \"$(scripts/services.sh start)\")",
            sourceLocation: sourceLocation)
    }

    /// Cancels the current test because something it needs is missing (a failure under `CI=true`).
    static func unavailable(_ note: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Never {
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record(Comment(rawValue: note), sourceLocation: sourceLocation)
        } else {
            print("note: \(note); test skipped")
        }
        try Test.cancel(Comment(rawValue: note), sourceLocation: sourceLocation)
    }

    /// A random key prefix, so that tests running at once (here and in other worktrees) never see each other's keys.
    static func freshPrefix() -> String { "smartauth-test:\(UUID().uuidString):" }

    /// A store on the test server under a fresh prefix.
    static func store(
        prefix: String = freshPrefix(), poolSize: Int = 4, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> RedisStore {
        try RedisStore(
            url: url(sourceLocation: sourceLocation),
            configuration: .init(keyPrefix: prefix, poolSize: poolSize, commandTimeout: 15))
    }
}

extension LiveRedis {
    /// Runs `body` with a store under a fresh prefix, then deletes every key under that prefix (users and shared
    /// values never expire on their own), whether `body` threw or not.
    static func withStore(
        sourceLocation: SourceLocation = #_sourceLocation, _ body: (RedisStore) async throws -> Void
    ) async throws {
        let store = try store(sourceLocation: sourceLocation)
        do {
            try await body(store)
        } catch {
            try? await store.dropNamespace()
            throw error
        }
        try await store.dropNamespace()
    }
}

extension RedisStore {
    /// Deletes every key under the store's prefix.
    func dropNamespace() async throws {
        var cursor = Array("0".utf8)
        repeat {
            let reply = try await raw(
                "SCAN", cursor, Array("MATCH".utf8), keys.pattern(""), Array("COUNT".utf8), Array("1000".utf8))
            let parts = try #require(reply.elements)
            cursor = try #require(parts.first?.bytes)
            let found = try #require(parts.last?.elements).compactMap(\.bytes)
            if !found.isEmpty { _ = try await pool.command(RedisCommand("DEL", found)) }
        } while cursor != Array("0".utf8)
    }

    /// Sends a raw command through the store's pool (for looking at TTLs and keys the API does not show).
    func raw(_ name: String, _ arguments: [UInt8]...) async throws -> RedisValue {
        try await pool.command(RedisCommand(name, arguments))
    }

    /// The key's remaining TTL in milliseconds (-1: none, -2: no such key).
    func pttl(_ key: [UInt8]) async throws -> Int64 {
        try #require(try await raw("PTTL", key).integer)
    }

    /// Polls `ping()` until the server answers, for at most `timeout` seconds; returns whether it did.
    func waitUntilAnswering(timeout: Double) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while ContinuousClock.now < deadline {
            if (try? await ping()) != nil { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}

/// Runs `body` and returns how long it took, in seconds.
func elapsed<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let result = try await body()
    let duration = ContinuousClock.now - start
    return (result, Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
}

/// Runs `count` tasks at once, each calling `body` with its index, and returns their results in index order.
func race<Result: Sendable>(
    _ count: Int, _ body: @escaping @Sendable (Int) async throws -> Result
) async throws -> [Result] {
    try await withThrowingTaskGroup(of: (Int, Result).self) { group in
        for index in 0..<count { group.addTask { (index, try await body(index)) } }
        var results: [Result?] = Array(repeating: nil, count: count)
        for try await (index, result) in group { results[index] = result }
        return results.map { $0! }
    }
}
