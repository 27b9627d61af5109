import Foundation
import SmartAuthCore
import SmartAuthPostgresStore
import Testing

extension StoreFactory {
    /// ``PostgresStore`` against the server in `SMARTAUTH_TEST_POSTGRES_URL`, in a fresh random schema per test
    /// (dropped when the store goes away), with four connections so that the races run across several of them.
    /// Without the variable the test is skipped, except under `CI=true`, where a missing server is a failure.
    static let postgres = StoreFactory(name: "postgres") {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["SMARTAUTH_TEST_POSTGRES_URL"] else {
            if environment["CI"] == "true" {
                Issue.record("SMARTAUTH_TEST_POSTGRES_URL is not set; run scripts/services.sh start")
                throw SessionStoreError.unavailable("no PostgreSQL server for the tests")
            }
            print("note: SMARTAUTH_TEST_POSTGRES_URL is not set; skipping the PostgreSQL store")
            try Test.cancel("SMARTAUTH_TEST_POSTGRES_URL is not set")
        }
        let suffix = (0..<12).map { _ in String(Int.random(in: 0..<36), radix: 36) }.joined()
        var configuration = PostgresStore.Configuration(schema: "sa_conformance_\(suffix)", poolSize: 4)
        configuration.dropsSchemaOnDeinit = true
        return try PostgresStore(url: url, configuration: configuration)
    }
}
