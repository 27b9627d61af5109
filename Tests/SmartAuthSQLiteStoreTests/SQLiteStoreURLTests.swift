import Foundation
import SmartAuthCore
import SmartAuthTesting
import Testing

@testable import SmartAuthSQLiteStore

/// `sqlite:` URLs and ``SQLiteStore/Configuration`` validation.
@Suite struct SQLiteStoreURLTests {
    struct URLCase: Sendable, CustomTestStringConvertible {
        let url: String
        let path: String?
        var testDescription: String { url.isEmpty ? "(empty)" : url }
    }

    static let urls: [URLCase] = [
        URLCase(url: "sqlite:./smartauth.db", path: "./smartauth.db"),
        URLCase(url: "sqlite:smartauth.db", path: "smartauth.db"),
        URLCase(url: "sqlite:/var/lib/smartauth/auth.db", path: "/var/lib/smartauth/auth.db"),
        URLCase(url: "sqlite:///var/lib/smartauth/auth.db", path: "/var/lib/smartauth/auth.db"),
        URLCase(url: "SQLite:./Upper.db", path: "./Upper.db"),
        URLCase(url: "sqlite::memory:", path: ":memory:"),
        URLCase(url: "", path: nil),
        URLCase(url: "sqlite:", path: nil),
        URLCase(url: "smartauth.db", path: nil),
        URLCase(url: "postgres://localhost/db", path: nil),
        URLCase(url: "sqlite://host/auth.db", path: nil),
        URLCase(url: "sqlite:auth.db?mode=ro", path: nil),
    ]

    @Test(arguments: urls)
    func urlNamesThePathOrIsRejected(_ testCase: URLCase) throws {
        if let path = testCase.path {
            #expect(try SQLiteStore.path(fromURL: testCase.url) == path)
        } else {
            let error = #expect(throws: SessionStoreError.self) { try SQLiteStore.path(fromURL: testCase.url) }
            #expect(error?.code == .invalidArgument)
        }
    }

    @Test func memoryURLOpensAPrivateInMemoryDatabase() async throws {
        let first = try SQLiteStore(url: "sqlite::memory:")
        let second = try SQLiteStore(url: "sqlite::memory:")
        let clock = ManualClock()
        let session = SessionFixtures.session(createdAt: clock.now())
        try await first.create(session)
        #expect(try await first.session(session.id, at: clock.now()) == session)
        #expect(try await first.sessions(of: session.userID, at: clock.now()) == [session])
        #expect(try await second.session(session.id, at: clock.now()) == nil)
        #expect(first.path == ":memory:")
    }

    @Test func fileURLOpensTheFile() async throws {
        try await withTemporaryDirectory { directory async throws in
            let store = try SQLiteStore(url: "sqlite:\(directory)/via-url.db")
            #expect(store.path == directory + "/via-url.db")
            #expect(FileManager.default.fileExists(atPath: directory + "/via-url.db"))
            await store.close()
        }
    }

    struct ConfigurationCase: Sendable, CustomTestStringConvertible {
        let name: String
        let configuration: SQLiteStore.Configuration
        var testDescription: String { name }
    }

    static let invalidConfigurations: [ConfigurationCase] = [
        ConfigurationCase(name: "negative busy timeout", configuration: .init(busyTimeout: -1)),
        ConfigurationCase(name: "infinite busy timeout", configuration: .init(busyTimeout: .infinity)),
        ConfigurationCase(name: "NaN busy timeout", configuration: .init(busyTimeout: .nan)),
        ConfigurationCase(name: "negative reader count", configuration: .init(readerCount: -1)),
        ConfigurationCase(name: "too many readers", configuration: .init(readerCount: 65)),
    ]

    @Test(arguments: invalidConfigurations)
    func invalidConfigurationIsRejected(_ testCase: ConfigurationCase) async throws {
        let error = #expect(throws: SessionStoreError.self) {
            try SQLiteStore(path: ":memory:", configuration: testCase.configuration)
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test func emptyPathIsRejected() {
        let error = #expect(throws: SessionStoreError.self) { try SQLiteStore(path: "") }
        #expect(error?.code == .invalidArgument)
        let nul = #expect(throws: SessionStoreError.self) { try SQLiteStore(path: "a\u{0}b.db") }
        #expect(nul?.code == .invalidArgument)
    }

    @Test func storeWithoutReadersServesReadsFromTheWriter() async throws {
        try await withStore(configuration: .init(readerCount: 0, synchronous: .normal)) { store, _ async throws in
            let clock = ManualClock()
            let session = SessionFixtures.session(createdAt: clock.now())
            try await store.create(session)
            #expect(try await store.session(session.id, at: clock.now()) == session)
            #expect(try await store.sessions(of: session.userID, at: clock.now()) == [session])
        }
    }

    @Test func synchronousModesAreNamed() {
        #expect(SQLiteStore.Synchronous.full.description == "full")
        #expect(SQLiteStore.Synchronous.normal.description == "normal")
        #expect(SQLiteStore.Configuration().synchronous == .full)
    }
}
