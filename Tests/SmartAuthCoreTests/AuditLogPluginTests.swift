import Foundation
@testable import SmartAuthCore
import SmartAuthJWT
import Synchronization
import Testing

@Suite struct AuditLogPluginTests {
    static let time = Date(timeIntervalSince1970: 1_893_456_000)  // 2030-01-01T00:00:00Z

    /// The lines a plugin made with `init(write:)` wrote for `events`.
    static func lines(for events: [AuthEvent]) -> [String] {
        let lines = Mutex<[String]>([])
        let plugin = AuditLogPlugin { line in lines.withLock { $0.append(line) } }
        for event in events { plugin.observe(event) }
        return lines.withLock { $0 }
    }

    static func line(for event: AuthEvent) throws -> String {
        let lines = lines(for: [event])
        try #require(lines.count == 1)
        return lines[0]
    }

    /// Parses a line back with the strict parser.
    static func object(_ line: String) throws -> JSONObject {
        try #require(try JSONParser().parse(Array(line.utf8)).objectValue)
    }

    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("smartauth-audit-\(UUID().uuidString).log").path
    }

    // MARK: Line format

    @Test func sessionCreatedLine() throws {
        let event = AuthEvent(
            kind: .sessionCreated, time: Self.time, userID: "user-1", sessionID: "AAAAAAAAAAAAAAAAAAAAAA",
            client: ClientInfo(ipAddress: "192.0.2.1", userAgent: "curl/8.5.0", deviceName: "Work laptop"),
            generation: 0
        )
        let line = try Self.line(for: event)
        #expect(
            line == #"{"time":"2030-01-01T00:00:00.000Z","event":"sessionCreated","user":"user-1","#
                + #""session":"AAAAAAAAAAAAAAAAAAAAAA","ip":"192.0.2.1","user_agent":"curl/8.5.0","#
                + #""device":"Work laptop","generation":0}"#
        )
        let object = try Self.object(line)
        #expect(object["event"] == .string("sessionCreated"))
        #expect(object["device"] == .string("Work laptop"))
        #expect(object["generation"]?.numberValue?.int64Value == 0)
    }

    @Test func clientChangedLineCarriesBothClients() throws {
        let event = AuthEvent(
            kind: .clientChanged, time: Self.time, userID: "user-1", sessionID: "s1",
            client: ClientInfo(ipAddress: "2001:db8::2", userAgent: "Firefox/126"),
            previousClient: ClientInfo(ipAddress: "192.0.2.1", userAgent: "Firefox/125", deviceName: "ignored"),
            generation: 4
        )
        let object = try Self.object(try Self.line(for: event))
        #expect(object.members.map(\.name) == [
            "time", "event", "user", "session", "ip", "user_agent", "generation", "previous_ip", "previous_user_agent",
        ])
        #expect(object["ip"] == .string("2001:db8::2"))
        #expect(object["user_agent"] == .string("Firefox/126"))
        #expect(object["previous_ip"] == .string("192.0.2.1"))
        #expect(object["previous_user_agent"] == .string("Firefox/125"))
        #expect(object["generation"]?.numberValue?.int64Value == 4)
    }

    @Test func revokedAndReuseLinesCarryReasonAndGeneration() throws {
        let revoked = try Self.object(try Self.line(for: AuthEvent(
            kind: .sessionRevoked, time: Self.time, userID: "user-1", sessionID: "s1", reason: "logout"
        )))
        #expect(revoked["event"] == .string("sessionRevoked"))
        #expect(revoked["reason"] == .string("logout"))
        #expect(revoked["generation"] == nil)

        let reused = try Self.object(try Self.line(for: AuthEvent(
            kind: .refreshTokenReused, time: Self.time, userID: "user-1", sessionID: "s1", reason: "reuse",
            generation: 17
        )))
        #expect(reused["event"] == .string("refreshTokenReused"))
        #expect(reused["generation"]?.numberValue?.int64Value == 17)
    }

    @Test func absentMembersAreOmitted() throws {
        let line = try Self.line(for: AuthEvent(kind: .loginFailed, time: Self.time, reason: "bad_credentials"))
        #expect(line == #"{"time":"2030-01-01T00:00:00.000Z","event":"loginFailed","reason":"bad_credentials"}"#)

        let custom = try Self.line(for: AuthEvent(kind: AuthEvent.Kind("passwordChanged"), time: Self.time))
        #expect(custom == #"{"time":"2030-01-01T00:00:00.000Z","event":"passwordChanged"}"#)
    }

    @Test func largestGenerationIsWrittenExactly() throws {
        let line = try Self.line(for: AuthEvent(kind: .sessionRefreshed, time: Self.time, generation: .max))
        #expect(line.hasSuffix(#""generation":18446744073709551615}"#))
        #expect(try Self.object(line)["generation"]?.numberValue?.text == "18446744073709551615")
    }

    struct TimestampCase: Sendable, CustomTestStringConvertible {
        let seconds: Double
        let expected: String
        var testDescription: String { expected }
    }

    @Test(arguments: [
        TimestampCase(seconds: 0, expected: "1970-01-01T00:00:00.000Z"),
        TimestampCase(seconds: 1_893_456_000.5, expected: "2030-01-01T00:00:00.500Z"),
        TimestampCase(seconds: 1_709_251_199.999, expected: "2024-02-29T23:59:59.999Z"),
        TimestampCase(seconds: 951_782_400, expected: "2000-02-29T00:00:00.000Z"),
        TimestampCase(seconds: -0.001, expected: "1969-12-31T23:59:59.999Z"),
        TimestampCase(seconds: 253_402_300_799, expected: "9999-12-31T23:59:59.000Z"),
    ])
    func timestampsAreUTCWithMilliseconds(_ example: TimestampCase) {
        #expect(AuditLogPlugin.timestamp(Date(timeIntervalSince1970: example.seconds)) == example.expected)
    }

    @Test func quotesNewlinesAndControlCharactersAreEscaped() throws {
        let hostile = "Mozilla\"}\n{\"event\":\"forged\",\"x\":\"\\\r\t\u{01}é"
        let event = AuthEvent(
            kind: .sessionCreated, time: Self.time, userID: "user \"quoted\"",
            client: ClientInfo(ipAddress: "192.0.2.1", userAgent: hostile, deviceName: "line1\nline2"),
            previousClient: ClientInfo(userAgent: "a\nb")
        )
        let line = try Self.line(for: event)
        #expect(!line.contains("\n"))
        #expect(!line.contains("\r"))
        #expect(line.contains(#""user_agent":"Mozilla\"}\n{\"event\":\"forged\",\"x\":\"\\\r\t\u0001é""#))
        let object = try Self.object(line)
        #expect(object["event"] == .string("sessionCreated"))
        #expect(object["user_agent"] == .string(hostile))
        #expect(object["user"] == .string("user \"quoted\""))
        #expect(object["device"] == .string("line1\nline2"))
        #expect(object["previous_user_agent"] == .string("a\nb"))
        #expect(object["x"] == nil)
    }

    @Test func worksAsAPluginInAChain() throws {
        let lines = Mutex<[String]>([])
        let chain = try PluginChain([AuditLogPlugin { line in lines.withLock { $0.append(line) } }])
        #expect(chain.plugins.map(\.name) == ["audit-log"])
        chain.observe(AuthEvent(kind: .sessionRevoked, time: Self.time, reason: "admin"))
        let expected = #"{"time":"2030-01-01T00:00:00.000Z","event":"sessionRevoked","reason":"admin"}"#
        #expect(lines.withLock { $0 } == [expected])
    }

    // MARK: File

    @Test func fileVariantAppendsLinesWithMode0600() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let events = [
            AuthEvent(kind: .sessionCreated, time: Self.time, userID: "user-1", sessionID: "s1"),
            AuthEvent(kind: .sessionRefreshed, time: Self.time, userID: "user-1", sessionID: "s1", generation: 1),
            AuthEvent(kind: .sessionRevoked, time: Self.time, userID: "user-1", sessionID: "s1", reason: "logout"),
        ]

        let first = try AuditLogPlugin.appendingToFile(atPath: path)
        #expect(first.name == "audit-log")
        for event in events.prefix(2) { first.observe(event) }
        first.flush()

        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        // A second writer appends instead of truncating.
        let second = try AuditLogPlugin.appendingToFile(atPath: path)
        second.observe(events[2])
        second.flush()

        let contents = try String(contentsOfFile: path, encoding: .utf8)
        #expect(contents.hasSuffix("\n"))
        let lines = contents.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(lines == Self.lines(for: events))
        #expect(try lines.map { try Self.object($0)["event"]?.stringValue } == [
            "sessionCreated", "sessionRefreshed", "sessionRevoked",
        ])
        #expect(first.droppedLineCount == 0)
        #expect(second.droppedLineCount == 0)
    }

    @Test func fullQueueDropsLinesWithoutBlocking() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let plugin = try AuditLogPlugin.appendingToFile(atPath: path, queueCapacity: 3)
        let file = try #require(plugin.file)
        // A stuck disk: the writer thread does not run until resumed.
        file.queue.suspend()
        for generation in 0..<10 {
            plugin.observe(AuthEvent(kind: .sessionRefreshed, time: Self.time, generation: UInt64(generation)))
        }
        #expect(plugin.droppedLineCount == 7)
        file.queue.resume()
        plugin.flush()

        let contents = try String(contentsOfFile: path, encoding: .utf8)
        let generations = try contents.split(separator: "\n").map {
            try Self.object(String($0))["generation"]?.numberValue?.int64Value
        }
        #expect(generations == [0, 1, 2])

        // Room again once drained.
        plugin.observe(AuthEvent(kind: .sessionRefreshed, time: Self.time, generation: 10))
        plugin.flush()
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 4)
        #expect(plugin.droppedLineCount == 7)
    }

    @Test func unopenableFileThrowsConfiguration() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("smartauth-missing-\(UUID().uuidString)/audit.log").path
        let error = #expect(throws: AuthError.self) { try AuditLogPlugin.appendingToFile(atPath: path) }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains(path) == true)
    }

    @Test func closurePluginHasNothingToFlush() {
        let plugin = AuditLogPlugin(name: "custom") { _ in }
        plugin.flush()
        #expect(plugin.name == "custom")
        #expect(plugin.droppedLineCount == 0)
    }
}
