import Foundation
import Testing

/// The real `smart-auth` binary, driven through real pipes as a JOSE test harness would.
@Suite struct ProcessTests {
    /// The binary built next to the test bundle.
    static func binary() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent(),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug"),
        ].map { $0.appendingPathComponent("smart-auth") }
        return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) })
    }

    static func run(_ arguments: [String], input: Data) throws -> Int32 {
        signal(SIGPIPE, SIG_IGN)  // the child may close its standard input before reading it all
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // Write from another thread: the child may stop reading early (input too large) and close the pipe.
        let writer = Thread {
            try? stdin.fileHandleForWriting.write(contentsOf: input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        process.waitUntilExit()
        return process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
    }

    @Test func hugeAndHostileInputsExitOne() throws {
        let keyPath = NSTemporaryDirectory() + "smartauth-process-\(UUID().uuidString).json"
        try #"{"kty":"oct","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}"#.write(toFile: keyPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: keyPath) }
        let arguments = ["jwt", "verify", "--jwk", keyPath, "--alg", "HS256", "--now", "0", "--leeway", "0"]
        let nested = "eyJhbGciOiJIUzI1NiJ9." + String(repeating: "W", count: 4 << 20) + ".AAAA"
        for input in [Data(), Data(repeating: 0xFF, count: 100), Data(nested.utf8), Data(repeating: 0x2E, count: 70 << 20)] {
            #expect(try Self.run(arguments, input: input) == 1)
        }
    }
}
