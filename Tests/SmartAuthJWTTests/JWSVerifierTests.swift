import Foundation
import SmartAuthJWT
import Testing

/// One negative test per verification rule, each on a token that is otherwise valid.
@Suite struct JWSVerifierTests {
    let verifier: JWSVerifier

    init() throws {
        verifier = JWSVerifier(keys: JWKSet(keys: [try TokenFactory.key()]), algorithms: [.hs256])
    }

    func code(_ token: String, _ verifier: JWSVerifier? = nil) -> JWTError.Code? {
        do {
            _ = try (verifier ?? self.verifier).verify(token)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func acceptsAWellFormedToken() throws {
        let verified = try verifier.verify(try TokenFactory.token(header: #"{"alg":"HS256"}"#, payload: Array("hi".utf8)))
        #expect(verified.payload == Array("hi".utf8))
    }

    @Test(arguments: ["", ".", "..", "a.b", "a.b.c.d", "a.b.c.d.e", "{\"alg\":\"HS256\"}"])
    func rejectsWrongSegmentCounts(_ token: String) {
        #expect(code(token) != nil)
    }

    @Test func rejectsJWEShapedTokens() throws {
        let token = try TokenFactory.token(header: #"{"alg":"HS256"}"#)
        #expect(code(token + ".AAAA.BBBB") == .malformed)
    }

    @Test func rejectsNonBase64URLSegments() throws {
        let token = try TokenFactory.token(header: #"{"alg":"HS256"}"#)
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        #expect(code(parts[0] + "=." + parts[1] + "." + parts[2]) == .malformed)
        #expect(code(parts[0] + "." + parts[1] + "." + parts[2] + "=") == .malformed)
        #expect(code(parts[0] + "." + parts[1] + "." + "/" + parts[2].dropFirst()) == .malformed)
        #expect(code(parts[0] + "." + parts[1] + "." + parts[2] + " ") == .malformed)
        #expect(code(parts[0] + ".\n" + parts[1] + "." + parts[2]) == .malformed)
    }

    @Test func rejectsAlgNoneEvenWhenListed() throws {
        #expect(code(try TokenFactory.token(header: #"{"alg":"none"}"#)) == .unsupportedAlgorithm)
        let unsigned = Base64URL.encode(Array(#"{"alg":"none"}"#.utf8)) + "." + Base64URL.encode(Array("{}".utf8)) + "."
        #expect(code(unsigned) == .unsupportedAlgorithm)
    }

    @Test func rejectsAlgorithmsOutsideTheAllowList() throws {
        let only384 = JWSVerifier(keys: verifier.keySet, algorithms: [.hs384])
        #expect(code(try TokenFactory.token(header: #"{"alg":"HS256"}"#), only384) == .algorithmNotAllowed)
        #expect(code(try TokenFactory.token(header: #"{"alg":"hs256"}"#)) == .unsupportedAlgorithm)
        #expect(code(try TokenFactory.token(header: #"{"alg":["HS256"]}"#)) == .malformed)
        #expect(code(try TokenFactory.token(header: #"{"typ":"JWT"}"#)) == .malformed)
    }

    @Test func rejectsAnyCritHeader() throws {
        for crit in [#"["exp"]"#, "[]", #"["alg"]"#, "\"exp\"", "5"] {
            #expect(code(try TokenFactory.token(header: #"{"alg":"HS256","crit":\#(crit),"exp":1}"#)) == .unsupportedHeader)
        }
    }

    @Test func rejectsUnencodedPayloads() throws {
        #expect(code(try TokenFactory.token(header: #"{"alg":"HS256","b64":false,"crit":["b64"]}"#)) == .unsupportedHeader)
        #expect(code(try TokenFactory.token(header: #"{"alg":"HS256","b64":false}"#)) == .unsupportedHeader)
        #expect(code(try TokenFactory.token(header: #"{"alg":"HS256","b64":"false"}"#)) == .malformed)
        #expect(code(try TokenFactory.token(header: #"{"alg":"HS256","b64":true}"#)) == nil)
    }

    @Test func rejectsDuplicateHeaderMembers() throws {
        #expect(code(try TokenFactory.token(header: #"{"alg":"HS256","alg":"HS256"}"#)) == .malformed)
        #expect(code(try TokenFactory.token(header: #"{"alg":"HS512","alg":"HS256"}"#)) == .malformed)
    }

    @Test func rejectsHeadersThatAreNotJSONObjects() throws {
        for header in ["[]", "\"HS256\"", "{\"alg\":\"HS256\"", "{\"alg\":\"HS256\"} ", "{'alg':'HS256'}"] {
            let result = code(try TokenFactory.token(header: header))
            if header == "{\"alg\":\"HS256\"} " {
                #expect(result == nil)  // trailing white space is allowed JSON
            } else {
                #expect(result == .malformed, "\(header)")
            }
        }
    }

    @Test func neverUsesKeysFromTheToken() throws {
        // A token that carries its own key (jwk), or points at one (jku, x5u), signed with a key the verifier
        // does not have: the embedded key must not be used.
        let attackerKey = try JWK.generate(for: .es256)
        let publicJWK = attackerKey.publicKey!.publicJSON
        let token = try JWSSigner(key: attackerKey).sign(
            payload: Array("{}".utf8),
            extraHeader: try JSONObject.fromJSON(#"{"jwk":\#(publicJWK),"jku":"https://evil.example/jwks","x5u":"https://evil.example/x"}"#))
        let victim = JWSVerifier(keys: JWKSet(keys: [try JWK.generate(for: .es256).publicKey!]), algorithms: [.es256])
        #expect(code(token, victim) != nil)
    }

    @Test func kidSelectsExactlyOneKey() throws {
        let a = try JWK.generate(for: .es256, keyID: "a")
        let b = try JWK.generate(for: .es256, keyID: "b")
        let set = JWKSet(keys: [a.publicKey!, b.publicKey!])
        let verifier = JWSVerifier(keys: set, algorithms: [.es256])
        let tokenA = try JWSSigner(key: a).sign(payload: [])
        #expect(try verifier.verify(tokenA).key.keyID == "a")
        // The right kid but the wrong key's signature fails: kid is not a hint to try others.
        var wrong = b
        wrong.keyID = "a"
        #expect(code(try JWSSigner(key: wrong).sign(payload: []), verifier) == .badSignature)
        // Unknown kid.
        var unknown = a
        unknown.keyID = "zzz"
        #expect(code(try JWSSigner(key: unknown).sign(payload: []), verifier) == .unknownKey)
        // Duplicate kid.
        let duplicate = JWSVerifier(keys: JWKSet(keys: [a.publicKey!, a.publicKey!]), algorithms: [.es256])
        #expect(code(tokenA, duplicate) == .ambiguousKey)
        // kid must be a string.
        #expect(code(try TokenFactory.token(header: #"{"alg":"HS256","kid":5}"#)) == .malformed)
    }

    @Test func aSingleKeyWithoutKidIsUsedForAnyKid() throws {
        #expect(code(try TokenFactory.token(header: #"{"alg":"HS256","kid":"whatever"}"#)) == nil)
        var named = try TokenFactory.key()
        named.keyID = "k1"
        let strict = JWSVerifier(keys: JWKSet(keys: [named]), algorithms: [.hs256])
        #expect(code(try TokenFactory.token(header: #"{"alg":"HS256","kid":"other"}"#), strict) == .unknownKey)
    }

    @Test func withoutKidOnlyKeysForTheAlgorithmAreTried() throws {
        let ec = try JWK.generate(for: .es256, keyID: "ec")
        var hmac = try TokenFactory.key()
        hmac.keyID = "mac"
        let set = JWKSet(keys: [ec.publicKey!, hmac])
        let verifier = JWSVerifier(keys: set, algorithms: [.hs256, .es256])
        #expect(code(try TokenFactory.token(header: #"{"alg":"HS256"}"#), verifier) == nil)
        let only = JWSVerifier(keys: JWKSet(keys: [ec.publicKey!, ec.publicKey!]), algorithms: [.hs256, .es256])
        #expect(code(try TokenFactory.token(header: #"{"alg":"HS256"}"#), only) == .unknownKey)
    }

    /// The classic attack: HS256 with the RSA public key's bytes as the secret.
    @Test func publicKeysAreNeverHMACSecrets() throws {
        let rsa = try JWK.generate(for: .rs256)
        let publicKey = rsa.publicKey!
        let verifier = JWSVerifier(keys: JWKSet(keys: [publicKey]), algorithms: SignatureAlgorithm.allCases)
        for secretText in [publicKey.publicJSON, publicKey.pemRepresentation()!] {
            let forged = try JWK(json: #"{"kty":"oct","k":"\#(Base64URL.encode(Array(secretText.utf8)))"}"#)
            let token = try JWSSigner(key: forged, algorithm: .hs256).sign(payload: Array("{}".utf8))
            #expect(code(token, verifier) == .keyMismatch)
        }
    }

    @Test func keyMembersRestrictUse() throws {
        let key = try TokenFactory.key()
        func verifier(_ extra: String) throws -> JWSVerifier {
            var object = try JSONObject.fromJSON(key.privateJSON)
            for member in try JSONObject.fromJSON(extra) { object[member.name] = member.value }
            return JWSVerifier(keys: JWKSet(keys: [try JWK(jsonObject: object)]), algorithms: [.hs256, .hs384])
        }
        let token = try TokenFactory.token(header: #"{"alg":"HS256"}"#)
        #expect(code(token, try verifier(#"{"use":"enc"}"#)) == .keyMismatch)
        #expect(code(token, try verifier(#"{"key_ops":["sign"]}"#)) == .keyMismatch)
        #expect(code(token, try verifier(#"{"alg":"HS384"}"#)) == .keyMismatch)
        #expect(code(token, try verifier(#"{"use":"sig","key_ops":["verify"],"alg":"HS256"}"#)) == nil)
    }

    @Test func shortHMACKeysAreWeak() throws {
        let short = try JWK(json: #"{"kty":"oct","k":"\#(Base64URL.encode(Array(repeating: 7, count: 31)))"}"#)
        let verifier = JWSVerifier(keys: JWKSet(keys: [short]), algorithms: [.hs256])
        #expect(code(try TokenFactory.token(header: #"{"alg":"HS256"}"#), verifier) == .weakKey)
        #expect(throws: JWTError.self) { try JWK(json: #"{"kty":"oct","k":""}"#) }
    }

    @Test func rejectsOversizedTokensBeforeWork() throws {
        let huge = String(repeating: "A", count: 1_000_000) + ".e30.AAAA"
        #expect(code(huge) == .tooLarge)
    }

    @Test func rejectsDeeplyNestedHeaders() throws {
        let nested = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
        let token = try TokenFactory.token(header: #"{"alg":"HS256","x":\#(nested)}"#)
        let roomy = JWSVerifier(keys: verifier.keySet, algorithms: [.hs256], limits: JOSELimits(maximumTokenByteCount: 1 << 20))
        #expect(code(token, roomy) == .malformed)
    }

    @Test func signatureMustMatchTheSigningInputAsReceived() throws {
        // Same header JSON re-encoded differently (extra space) changes the signing input.
        let token = try TokenFactory.token(header: #"{"alg":"HS256"}"#)
        let parts = token.split(separator: ".").map(String.init)
        let respaced = Base64URL.encode(Array(#"{"alg": "HS256"}"#.utf8))
        #expect(code(respaced + "." + parts[1] + "." + parts[2]) == .badSignature)
    }
}

extension JSONObject {
    static func fromJSON(_ text: String) throws -> JSONObject {
        try #require(try JSONParser().parse(Array(text.utf8)).objectValue)
    }
}
