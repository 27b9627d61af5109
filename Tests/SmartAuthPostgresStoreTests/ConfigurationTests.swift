import Foundation
import SmartAuthCore
import SmartAuthPostgresStore
import Testing

/// URL and configuration checks: all made by the initialiser, without connecting.
@Suite struct ConfigurationTests {
    struct URLCase: Sendable, CustomTestStringConvertible {
        let url: String
        let valid: Bool
        var testDescription: String { url }
    }

    @Test(arguments: [
        URLCase(url: "postgres://smartauth@127.0.0.1:15432/smartauth_test", valid: true),
        URLCase(url: "postgresql://user:secret@db.internal/app?sslmode=require", valid: true),
        URLCase(url: "POSTGRESQL://localhost", valid: false),
        URLCase(url: "postgresql:///app?host=/var/run/postgresql", valid: true),
        URLCase(url: "mysql://localhost/app", valid: false),
        URLCase(url: "host=localhost dbname=app", valid: false),
        URLCase(url: "", valid: false),
        URLCase(url: "postgresql://localhost/app?nonsense=1", valid: false),
        URLCase(url: "postgresql://[::1/app", valid: false),
    ])
    func urlsAreCheckedWithoutConnecting(_ argument: URLCase) throws {
        if argument.valid {
            _ = try PostgresStore(url: argument.url)
        } else {
            let error = #expect(throws: SessionStoreError.self) { try PostgresStore(url: argument.url) }
            #expect(error?.code == .invalidArgument)
        }
    }

    @Test func aParseErrorKeepsThePasswordOutOfTheMessage() {
        let error = #expect(throws: SessionStoreError.self) {
            try PostgresStore(url: "postgresql://user:hunter2@localhost/app?nonsense=1")
        }
        #expect(error?.message.contains("hunter2") == false)
    }

    struct ConfigurationCase: Sendable, CustomTestStringConvertible {
        let name: String
        let configuration: PostgresStore.Configuration
        let valid: Bool
        var testDescription: String { name }
    }

    @Test(arguments: [
        ConfigurationCase(name: "defaults", configuration: .init(), valid: true),
        ConfigurationCase(name: "schema with digits", configuration: .init(schema: "auth_2"), valid: true),
        ConfigurationCase(name: "schema of 50", configuration: .init(schema: String(repeating: "a", count: 50)), valid: true),
        ConfigurationCase(name: "schema of 51", configuration: .init(schema: String(repeating: "a", count: 51)), valid: false),
        ConfigurationCase(name: "empty schema", configuration: .init(schema: ""), valid: false),
        ConfigurationCase(name: "upper-case schema", configuration: .init(schema: "Auth"), valid: false),
        ConfigurationCase(name: "leading digit", configuration: .init(schema: "1auth"), valid: false),
        ConfigurationCase(name: "quote in schema", configuration: .init(schema: "a\"; DROP TABLE x; --"), valid: false),
        ConfigurationCase(name: "pool of 0", configuration: .init(poolSize: 0), valid: false),
        ConfigurationCase(name: "pool of 65", configuration: .init(poolSize: 65), valid: false),
        ConfigurationCase(name: "zero connect timeout", configuration: .init(connectTimeout: 0), valid: false),
        ConfigurationCase(name: "infinite statement timeout", configuration: .init(statementTimeout: .infinity), valid: false),
        ConfigurationCase(name: "negative pool timeout", configuration: .init(poolTimeout: -1), valid: false),
        ConfigurationCase(name: "NaN reconnect interval", configuration: .init(reconnectInterval: .nan), valid: false),
    ])
    func settingsAreValidated(_ argument: ConfigurationCase) throws {
        let url = "postgres://localhost/app"
        if argument.valid {
            _ = try PostgresStore(url: url, configuration: argument.configuration)
        } else {
            let error = #expect(throws: SessionStoreError.self) {
                try PostgresStore(url: url, configuration: argument.configuration)
            }
            #expect(error?.code == .invalidArgument)
        }
    }
}
