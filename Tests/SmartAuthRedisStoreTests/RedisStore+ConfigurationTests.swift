import SmartAuthCore
import Testing

@testable import SmartAuthRedisStore

/// Parsing of `redis://` URLs and checking of ``RedisStore/Configuration`` (no server needed: the store connects
/// on first use).
@Suite struct RedisStoreConfigurationTests {
    struct ValidURL: Sendable, CustomTestStringConvertible {
        let url: String
        let expected: RedisEndpoint
        var testDescription: String { url }
    }

    static let validURLs: [ValidURL] = [
        ValidURL(url: "redis://127.0.0.1:16379/0", expected: .init(host: "127.0.0.1", port: 16379, database: 0)),
        ValidURL(url: "redis://localhost", expected: .init(host: "localhost", port: 6379, database: 0)),
        ValidURL(url: "REDIS://cache.internal:7000/", expected: .init(host: "cache.internal", port: 7000, database: 0)),
        ValidURL(url: "redis://[::1]:7001/3", expected: .init(host: "::1", port: 7001, database: 3)),
        ValidURL(url: "redis://[::1]", expected: .init(host: "::1", port: 6379, database: 0)),
        ValidURL(
            url: "redis://:s3cr%40t@10.0.0.5:6380/2",
            expected: .init(host: "10.0.0.5", port: 6380, database: 2, password: Array("s3cr@t".utf8))),
        ValidURL(
            url: "redis://alice:p%3Ass@redis:6379/15",
            expected: .init(host: "redis", port: 6379, database: 15, username: "alice", password: Array("p:ss".utf8))),
        ValidURL(
            url: "redis://bob:a@b@host/1",
            expected: .init(host: "host", port: 6379, database: 1, username: "bob", password: Array("a@b".utf8))),
    ]

    @Test(arguments: validURLs)
    func validURLsParse(_ example: ValidURL) throws {
        #expect(try RedisEndpoint(url: example.url) == example.expected)
        _ = try RedisStore(url: example.url)
    }

    static let invalidURLs = [
        "", "http://localhost", "rediss://localhost:6380", "unix:///tmp/redis.sock", "redis://", "redis://:6379",
        "redis://host:0", "redis://host:65536", "redis://host:", "redis://host:63x9", "redis://host/x",
        "redis://host/-1", "redis://host?db=1", "redis://host#1", "redis://alice@host", "redis://:@host",
        "redis://:%zz@host", "redis://[::1", "redis://[::1]x", "redis://ho st", "redis://hóst",
    ]

    @Test(arguments: invalidURLs)
    func invalidURLsAreRefused(_ url: String) {
        let error = #expect(throws: SessionStoreError.self) { try RedisStore(url: url) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func errorsNeverShowThePassword() {
        for url in ["redis://:topsecret@host:99999", "redis://:topsecret@host/x", "redis://u:topsecret@ho st"] {
            let error = #expect(throws: SessionStoreError.self) { try RedisStore(url: url) }
            #expect(error.map { !"\($0)".contains("topsecret") } == true)
        }
    }

    struct BadConfiguration: Sendable, CustomTestStringConvertible {
        let name: String
        let configuration: RedisStore.Configuration
        var testDescription: String { name }
    }

    static let badConfigurations: [BadConfiguration] = [
        BadConfiguration(name: "no connections", configuration: .init(poolSize: 0)),
        BadConfiguration(name: "too many connections", configuration: .init(poolSize: 257)),
        BadConfiguration(name: "zero connect timeout", configuration: .init(connectTimeout: 0)),
        BadConfiguration(name: "NaN command timeout", configuration: .init(commandTimeout: .nan)),
        BadConfiguration(name: "infinite command timeout", configuration: .init(commandTimeout: .infinity)),
        BadConfiguration(
            name: "huge prefix", configuration: .init(keyPrefix: String(repeating: "p", count: 2000))),
    ]

    @Test(arguments: badConfigurations)
    func badConfigurationsAreRefused(_ example: BadConfiguration) {
        let error = #expect(throws: SessionStoreError.self) {
            try RedisStore(url: "redis://127.0.0.1:6379", configuration: example.configuration)
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test func documentedExamplesConfigure() throws {
        // The examples in RedisStore's doc comment and in Docs.docc/index.md.
        _ = try RedisStore(
            url: "redis://:secret@127.0.0.1:6379/0", configuration: .init(keyPrefix: "myapp:auth:", poolSize: 8))
        _ = try RedisStore(
            url: "redis://:s3cret@10.0.0.5:6379/2",
            configuration: .init(keyPrefix: "shop:auth:", poolSize: 8, connectTimeout: 2, commandTimeout: 3))
    }

    @Test func defaultsAreAsDocumented() {
        let configuration = RedisStore.Configuration()
        #expect(configuration.keyPrefix == "smartauth:")
        #expect(configuration.poolSize == 4)
        #expect(configuration.connectTimeout == 2)
        #expect(configuration.commandTimeout == 3)
    }

    @Test func scanPatternsEscapeTheGlobCharactersOfThePrefix() {
        let keys = RedisKeys(prefix: "app[1]*?\\:")
        #expect(String(decoding: keys.pattern("s:"), as: UTF8.self) == "app\\[1\\]\\*\\?\\\\:s:*")
        #expect(String(decoding: keys.session("abc"), as: UTF8.self) == "app[1]*?\\:s:abc")
    }
}
