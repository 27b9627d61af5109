import Foundation
import SmartAuthJWT
import Testing

/// Every Wycheproof vector: `valid` must verify, `invalid` must be rejected, `acceptable` may go either way.
@Suite struct WycheproofTests {
    /// JWS and JWK files: compact tokens with keys, through the JWS verifier (payloads are arbitrary bytes).
    @Test(arguments: ["json_web_signature_test.json", "json_web_key_test.json"])
    func compactTokensMatchVerdicts(file: String) throws {
        guard wycheproofAvailable() else { return }
        let overrides = try Wycheproof.overrides(for: file)
        var checked = 0
        for test in try Wycheproof.load(file) {
            var expected = test.result
            var algorithms = SignatureAlgorithm.allCases
            if let override = overrides[test.id] {
                expected = override["expect"] as? String ?? expected
                if let names = override["alg"] as? [String] { algorithms = names.compactMap(SignatureAlgorithm.init(name:)) }
            }
            let token = try #require(test.string("jws"))
            let accepted: Bool
            do {
                let keyJSON = try Wycheproof.jsonText(try #require(test.group["public"] ?? test.group["private"]))
                let keys = try JWKSet(json: keyJSON)
                _ = try JWSVerifier(keys: keys, algorithms: algorithms).verify(token)
                accepted = true
            } catch {
                accepted = false
            }
            check(expected: expected, accepted: accepted, test)
            checked += 1
        }
        #expect(checked > 20)
    }

    /// Raw signature files, each through the JWS algorithm it stands for, with the JWK key rules.
    @Test(arguments: [
        RawFile(file: "ecdsa_secp256r1_sha256_p1363_test.json", algorithm: .es256),
        RawFile(file: "ecdsa_secp384r1_sha384_p1363_test.json", algorithm: .es384),
        RawFile(file: "ed25519_test.json", algorithm: .eddsa),
        RawFile(file: "rsa_signature_2048_sha256_test.json", algorithm: .rs256),
        RawFile(file: "rsa_pss_2048_sha256_mgf1_32_test.json", algorithm: .ps256),
        RawFile(file: "hmac_sha256_test.json", algorithm: .hs256),
    ])
    func rawSignaturesMatchVerdicts(_ raw: RawFile) throws {
        guard wycheproofAvailable() else { return }
        var checked = 0
        for test in try Wycheproof.load(raw.file) {
            var expected = test.result
            let key: JWK
            do {
                if raw.algorithm == .hs256 {
                    let secret = try #require(Hex.decode(test.string("key") ?? ""))
                    key = try JWK(json: #"{"kty":"oct","k":"\#(Base64URL.encode(secret))"}"#)
                    // JWS HS256 needs the full 32-byte tag and a key of at least 32 bytes.
                    if (test.group["tagSize"] as? Int ?? 0) < 256 || (test.group["keySize"] as? Int ?? 0) < 256 {
                        expected = "invalid"
                    }
                } else {
                    let jwk = try #require(test.group["publicKeyJwk"] ?? test.group["keyJwk"])
                    key = try JWK(json: try Wycheproof.jsonText(jwk))
                }
            } catch {
                check(expected: expected, accepted: false, test)
                checked += 1
                continue
            }
            let message = try #require(Hex.decode(test.string("msg") ?? ""))
            let signature = try #require(Hex.decode(test.string(raw.algorithm == .hs256 ? "tag" : "sig") ?? ""))
            let accepted = (try? key.isValidSignature(signature, for: message, algorithm: raw.algorithm)) ?? false
            check(expected: expected, accepted: accepted, test)
            checked += 1
        }
        #expect(checked > 50)
    }

    struct RawFile: CustomTestStringConvertible, Sendable {
        let file: String
        let algorithm: SignatureAlgorithm
        var testDescription: String { "\(file) as \(algorithm)" }
    }

    private func check(expected: String, accepted: Bool, _ test: Wycheproof.TestCase) {
        switch expected {
        case "valid": #expect(accepted, "\(test) must verify")
        case "invalid": #expect(!accepted, "\(test) must be rejected")
        default: break  // acceptable: either outcome is fine
        }
    }
}
