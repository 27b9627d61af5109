import Foundation
import SmartAuthCommandLine
import SmartAuthJWT
import Synchronization
import Testing

/// Runs `smart-auth` in-process with captured streams.
struct ToolRun {
    let status: Int32
    let output: String
    let error: String

    init(_ arguments: [String], input: [UInt8] = []) {
        let captured = Mutex<(out: [UInt8], err: [UInt8])>(([], []))
        let console = Console(
            readInput: { limit in input.count > limit ? nil : input },
            writeOutput: { bytes in captured.withLock { $0.out += bytes } },
            writeError: { bytes in captured.withLock { $0.err += bytes } })
        status = SmartAuthTool.run(arguments, console: console)
        let (out, err) = captured.withLock { $0 }
        output = String(decoding: out, as: UTF8.self)
        error = String(decoding: err, as: UTF8.self)
    }

    init(_ arguments: [String], input: String) { self.init(arguments, input: Array(input.utf8)) }
}

/// A temporary file holding `text`, removed when the test's scope ends.
final class TemporaryFile {
    let path: String
    init(_ text: String) throws {
        path = NSTemporaryDirectory() + "smartauth-" + UUID().uuidString + ".json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct CommandLineTests {
    @Test func keysGenerateSignAndVerifyRoundTrip() throws {
        let generated = ToolRun(["keys", "generate", "--alg", "ES256", "--kid", "k1"])
        #expect(generated.status == 0)
        let privateFile = try TemporaryFile(generated.output)
        let publicRun = ToolRun(["keys", "public"], input: generated.output)
        #expect(publicRun.status == 0)
        #expect(!publicRun.output.contains("\"d\""))
        let publicFile = try TemporaryFile(publicRun.output)

        let signed = ToolRun(["jwt", "sign", "--jwk", privateFile.path, "--alg", "ES256"], input: #"{"sub":"u1","exp":2000000000,"aud":"api"}"#)
        #expect(signed.status == 0)
        let token = signed.output.trimmingCharacters(in: .whitespacesAndNewlines)

        let verified = ToolRun(
            ["jwt", "verify", "--jwk", publicFile.path, "--alg", "ES256,RS256", "--now", "1900000000", "--leeway", "0", "--aud", "api"],
            input: token + "\n")
        #expect(verified.status == 0)
        #expect(verified.output.contains("\"sub\":\"u1\""))

        let expired = ToolRun(["jwt", "verify", "--jwk", publicFile.path, "--alg", "ES256", "--now", "2000000000", "--leeway", "0", "--aud", "api"], input: token)
        #expect(expired.status == 1)
        #expect(expired.error.contains("expired"))
        #expect(!expired.error.contains(token))

        let wrongAudience = ToolRun(["jwt", "verify", "--jwk", publicFile.path, "--alg", "ES256", "--now", "1900000000", "--leeway", "0"], input: token)
        #expect(wrongAudience.status == 1)

        let jws = ToolRun(["jws", "verify", "--jwk", publicFile.path, "--alg", "ES256"], input: token)
        #expect(jws.status == 0)
        #expect(jws.output.contains("\"sub\":\"u1\""))
    }

    @Test func onlyOneTrailingNewlineIsIgnored() throws {
        let key = try JWK.generate(for: .hs256)
        let file = try TemporaryFile(key.privateJSON)
        let token = try JWSSigner(key: key).sign(payload: Array("x".utf8))
        for (input, status) in [(token, Int32(0)), (token + "\n", 0), (token + "\r\n", 0), (token + "\n\n", 1), (" " + token, 1), (token + " ", 1)] {
            #expect(ToolRun(["jws", "verify", "--jwk", file.path, "--alg", "HS256"], input: input).status == status, "\(input.debugDescription)")
        }
    }

    @Test func verifyRawChecksSignaturesAndKeyRules() throws {
        let key = try JWK.generate(for: .eddsa)
        let file = try TemporaryFile(key.publicKey!.publicJSON)
        let token = try JWSSigner(key: key).sign(payload: [])
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        let message = Array((parts[0] + "." + parts[1]).utf8)
        let signature = try #require(Base64URL.decode(parts[2]))
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        let ok = ToolRun(["jwt", "verify-raw", "--alg", "EdDSA", "--jwk", file.path, "--message-hex", hex(message), "--signature-hex", hex(signature)])
        #expect(ok.status == 0)
        let bad = ToolRun(["jwt", "verify-raw", "--alg", "EdDSA", "--jwk", file.path, "--message-hex", hex(message + [0]), "--signature-hex", hex(signature)])
        #expect(bad.status == 1)
        let wrongAlg = ToolRun(["jwt", "verify-raw", "--alg", "HS256", "--jwk", file.path, "--message-hex", "", "--signature-hex", ""])
        #expect(wrongAlg.status == 1)
        let badHex = ToolRun(["jwt", "verify-raw", "--alg", "EdDSA", "--jwk", file.path, "--message-hex", "XYZ", "--signature-hex", "00"])
        #expect(badHex.status == 1)
    }

    /// The verifier contract: exit 0 or 1 and nothing else, for any input, including usage mistakes.
    @Test func verifiersExitOnlyZeroOrOne() throws {
        let key = try JWK.generate(for: .hs256)
        let file = try TemporaryFile(key.privateJSON)
        let badKeyFile = try TemporaryFile("{not json")
        var generator = SystemRandomNumberGenerator()
        var inputs: [[UInt8]] = [[], [0], Array("...".utf8), Array(repeating: UInt8(ascii: "A"), count: 3 << 20)]
        for _ in 0..<200 {
            inputs.append((0..<Int.random(in: 0..<300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        for input in inputs {
            for arguments in [
                ["jwt", "verify", "--jwk", file.path, "--alg", "HS256", "--now", "0", "--leeway", "0"],
                ["jws", "verify", "--jwk", file.path, "--alg", "HS256"],
            ] {
                #expect(ToolRun(arguments, input: input).status == 1)
            }
        }
        for arguments in [
            ["jwt", "verify"], ["jwt", "verify", "--jwk", badKeyFile.path, "--alg", "HS256", "--now", "0"],
            ["jwt", "verify", "--jwk", "/nonexistent", "--alg", "HS256", "--now", "0"],
            ["jwt", "verify", "--jwk", file.path, "--alg", "HS256", "--now", "soon"], ["jws", "verify", "--bogus"],
            ["jwt", "verify-raw", "--alg", "ES256"],
        ] {
            #expect(ToolRun(arguments, input: "a.b.c").status == 1, "\(arguments)")
        }
    }

    @Test func everyCommandHasHelp() {
        let overview = ToolRun(["--help"])
        #expect(overview.status == 0)
        for command in ["jwt verify", "jws verify", "jwt verify-raw", "jwt sign", "keys generate", "keys public", "demo", "bench jwt"] {
            #expect(overview.output.contains(command))
            let help = ToolRun(command.split(separator: " ").map(String.init) + ["--help"])
            #expect(help.status == 0, "\(command)")
            #expect(help.output.contains("usage: smart-auth \(command)"), "\(command)")
        }
        #expect(ToolRun(["frobnicate"]).status == 2)
    }

    @Test func publicFormOfASecretKeyIsRefused() throws {
        let key = try JWK.generate(for: .hs256)
        let run = ToolRun(["keys", "public"], input: key.privateJSON)
        #expect(run.status == 1)
        #expect(run.output.isEmpty)
    }

    @Test func demoIssuesAndRejects() {
        let run = ToolRun(["demo"])
        #expect(run.status == 0)
        #expect(run.output.contains("ES512"))
        #expect(run.output.contains("flipped signature byte: rejected (bad_signature)"))
        #expect(run.output.contains("checked 16 minutes later: rejected (expired)"))
        #expect(run.output.contains("HS256 signed with the public key: rejected (key_mismatch)"))
        #expect(!run.output.contains("ACCEPTED"))
    }
}
