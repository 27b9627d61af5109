import SmartAuthCrypto
import Testing

@Suite struct PEMKeyTests {
    @Test func detectsEveryKeyType() throws {
        guard case .rsaPublic = try PEMKey(pem: Fixtures.rsaPublic) else { Issue.record("RSA public"); return }
        guard case .rsaPrivate = try PEMKey(pem: Fixtures.rsaPKCS8) else { Issue.record("RSA PKCS#8"); return }
        guard case .rsaPrivate = try PEMKey(pem: Fixtures.rsaPKCS1) else { Issue.record("RSA PKCS#1"); return }
        guard case .ecPublic(let ecPublic) = try PEMKey(pem: Fixtures.ecPublic) else { Issue.record("EC"); return }
        #expect(ecPublic.curve == .p256)
        guard case .ecPrivate = try PEMKey(pem: Fixtures.ecPKCS8) else { Issue.record("EC PKCS#8"); return }
        guard case .ecPrivate = try PEMKey(pem: Fixtures.ecSEC1) else { Issue.record("EC SEC1"); return }
        let ed = try Ed25519PrivateKey.generate()
        guard case .ed25519Private(let edPrivate) = try PEMKey(pem: ed.pemRepresentation) else {
            Issue.record("Ed25519 private")
            return
        }
        #expect(edPrivate.seed.constantTimeEquals(ed.seed))
        guard case .ed25519Public(let edPublic) = try PEMKey(pem: ed.publicKey.pemRepresentation) else {
            Issue.record("Ed25519 public")
            return
        }
        #expect(edPublic.rawRepresentation == ed.publicKey.rawRepresentation)
    }

    @Test func appliesKeyValidation() {
        let weak = #expect(throws: CryptoError.self) { try PEMKey(pem: Fixtures.rsa1024Public) }
        #expect(weak?.code == .weakKey)
        let curve = #expect(throws: CryptoError.self) { try PEMKey(pem: Fixtures.secp256k1Public) }
        #expect(curve?.code == .unsupported)
    }

    @Test func toleratesSurroundingWhitespaceAndCRLF() throws {
        let crlf = "\n  " + Fixtures.ecPublic.split(separator: "\n").joined(separator: "\r\n") + "\r\n\n"
        guard case .ecPublic = try PEMKey(pem: crlf) else { Issue.record("CRLF"); return }
    }

    @Test(arguments: PEMCorruption.all)
    func malformedPEMIsRejected(corruption: PEMCorruption) {
        let error = #expect(throws: CryptoError.self) { try PEMKey(pem: corruption.pem) }
        #expect(error?.code == corruption.expected)
    }
}

/// A way of breaking a PEM document, with the error code it must produce.
struct PEMCorruption: CustomTestStringConvertible, Sendable {
    var name: String
    var pem: String
    var expected: CryptoError.Code

    var testDescription: String { name }

    static var all: [PEMCorruption] {
        let good = Fixtures.ecPublic
        var lines = good.split(separator: "\n").map(String.init)
        let body = lines[1..<(lines.count - 1)].joined()
        lines[1] = String(lines[1].dropLast()) + "!"
        let badCharacter = lines.joined(separator: "\n")
        return [
            PEMCorruption(name: "empty", pem: "", expected: .invalidPEM),
            PEMCorruption(name: "text before", pem: "key:\n" + good, expected: .invalidPEM),
            PEMCorruption(name: "text after", pem: good + "\ntrailer", expected: .invalidPEM),
            PEMCorruption(name: "two blocks", pem: good + "\n" + good, expected: .invalidPEM),
            PEMCorruption(
                name: "mismatched END",
                pem: good.replacingOccurrences("END PUBLIC KEY", with: "END PRIVATE KEY"),
                expected: .invalidPEM
            ),
            PEMCorruption(name: "bad base64 character", pem: badCharacter, expected: .invalidPEM),
            PEMCorruption(
                name: "truncated body",
                pem: "-----BEGIN PUBLIC KEY-----\n\(body.dropLast(8))\n-----END PUBLIC KEY-----",
                expected: .invalidPEM
            ),
            PEMCorruption(
                name: "trailing DER bytes",
                pem: "-----BEGIN PUBLIC KEY-----\n\(body.dropLast(4) + "AAAA")\n-----END PUBLIC KEY-----",
                expected: .invalidPEM
            ),
            PEMCorruption(
                name: "headers",
                pem: good.replacingOccurrences("KEY-----\n", with: "KEY-----\nProc-Type: 4,ENCRYPTED\n", once: true),
                expected: .invalidPEM
            ),
            PEMCorruption(
                name: "certificate label",
                pem: good.replacingOccurrences("PUBLIC KEY", with: "CERTIFICATE"),
                expected: .unsupported
            ),
            PEMCorruption(
                name: "encrypted private key label",
                pem: good.replacingOccurrences("PUBLIC KEY", with: "ENCRYPTED PRIVATE KEY"),
                expected: .unsupported
            ),
            PEMCorruption(
                name: "public key under a private label",
                pem: good.replacingOccurrences("PUBLIC KEY", with: "PRIVATE KEY"),
                expected: .invalidPEM
            ),
        ]
    }
}

extension String {
    /// Replaces occurrences of `target` (all, or the first only) without Foundation.
    func replacingOccurrences(_ target: String, with replacement: String, once: Bool = false) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
            if once { break }
        }
        return result + rest
    }
}
