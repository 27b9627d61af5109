import Foundation
import SmartAuthCore
import SmartAuthPostgresStore
import SmartAuthRedisStore
import Testing

/// The server-backed stores for the user, counter and shared-value suites, and pairs of stores sharing one
/// namespace for the cluster tests (two "nodes" on one server).
enum ServerStores {
    static func url(_ variable: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment[variable], !url.isEmpty else {
            let note = "\(variable) is not set (eval \"$(scripts/services.sh start)\")"
            if environment["CI"] == "true" { Issue.record(Comment(rawValue: note)) }
            try Test.cancel(Comment(rawValue: note))
        }
        return url
    }

    /// `count` Redis stores (separate connection pools) under one fresh key prefix.
    static func redis(count: Int = 1) throws -> [RedisStore] {
        let url = try url("SMARTAUTH_TEST_REDIS_URL")
        let prefix = "smartauth-test:cluster:\(UUID().uuidString):"
        return try (0..<count).map { _ in
            try RedisStore(url: url, configuration: .init(keyPrefix: prefix, poolSize: 4, commandTimeout: 15))
        }
    }

    /// `count` PostgreSQL stores (separate pools) in one fresh schema; the first drops it when it goes away.
    static func postgres(count: Int = 1) throws -> [PostgresStore] {
        let url = try url("SMARTAUTH_TEST_POSTGRES_URL")
        let suffix = (0..<12).map { _ in String(Int.random(in: 0..<36), radix: 36) }.joined()
        return try (0..<count).map { index in
            var configuration = PostgresStore.Configuration(schema: "sa_cluster_\(suffix)", poolSize: 4)
            configuration.dropsSchemaOnDeinit = index == 0
            return try PostgresStore(url: url, configuration: configuration)
        }
    }
}

extension AuthStoreFactory {
    /// ``RedisStore`` on the test server, fresh key prefix.
    static let redis = AuthStoreFactory(name: "redis") { try ServerStores.redis()[0] }
    /// ``PostgresStore`` on the test server, fresh schema.
    static let postgres = AuthStoreFactory(name: "postgres") { try ServerStores.postgres()[0] }
}
