import Foundation
import SmartAuthCore
import SmartAuthPostgresStore
import Testing

/// The shared test server (`SMARTAUTH_TEST_POSTGRES_URL`, started by `scripts/services.sh start`) and fresh
/// schemas on it.
enum TestDatabase {
    /// The server's URL. Without it the calling test is skipped with a printed note, except under `CI=true`,
    /// where a missing server is a failure.
    static func url() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["SMARTAUTH_TEST_POSTGRES_URL"] { return url }
        if environment["CI"] == "true" {
            Issue.record("SMARTAUTH_TEST_POSTGRES_URL is not set; run scripts/services.sh start")
            throw SessionStoreError.unavailable("no PostgreSQL server for the tests")
        }
        print("note: SMARTAUTH_TEST_POSTGRES_URL is not set; skipping a PostgreSQL test")
        try Test.cancel("SMARTAUTH_TEST_POSTGRES_URL is not set")
    }

    /// A schema name no other test uses.
    static func freshSchema() -> String {
        "sa_store_" + (0..<12).map { _ in String(Int.random(in: 0..<36), radix: 36) }.joined()
    }

    /// A configuration for a fresh schema that is dropped when the store goes away.
    static func configuration(schema: String = freshSchema(), poolSize: Int = 4) -> PostgresStore.Configuration {
        var configuration = PostgresStore.Configuration(schema: schema, poolSize: poolSize)
        configuration.dropsSchemaOnDeinit = true
        return configuration
    }

    /// A store on the shared server in a fresh schema.
    static func store(poolSize: Int = 4) throws -> PostgresStore {
        try PostgresStore(url: url(), configuration: configuration(poolSize: poolSize))
    }
}

/// Runs `body` and returns its error and how long it took.
func measure<Value>(_ body: () async throws -> Value) async -> (error: SessionStoreError?, seconds: Double) {
    let start = ContinuousClock.now
    var failure: SessionStoreError?
    do { _ = try await body() } catch { failure = error as? SessionStoreError }
    let elapsed = start.duration(to: .now)
    return (failure, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

/// Polls `condition` every 20 ms until it holds or `timeout` seconds pass (waiting for a server or a listener,
/// never for a clock).
func waitUntil(timeout: Double, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(timeout * 1000)))
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

extension RotationOutcome {
    /// The session a ``rotated(_:previousClient:)`` outcome carries.
    var rotatedSession: Session? {
        if case .rotated(let session, _) = self { return session }
        return nil
    }
}
