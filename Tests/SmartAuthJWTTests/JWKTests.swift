import Foundation
import SmartAuthJWT
import Testing

@Suite struct JWKTests {
    /// Every algorithm: generate, sign, verify with the public form, and fail with another key of the same kind.
    @Test(arguments: SignatureAlgorithm.allCases)
    func signAndVerifyRoundTrip(_ algorithm: SignatureAlgorithm) throws {
        let key = try JWK.generate(for: algorithm)
        #expect(key.algorithm == algorithm)
        #expect(key.isPrivate)
        let now = Date()
        let claims = JWTClaims(subject: "s", expiresAt: now.addingTimeInterval(60))
        let token = try JWTSigner(key: key).sign(claims)
        let verificationKey = key.publicKey ?? key
        let verified = try JWTVerifier(keys: JWKSet(keys: [verificationKey]), algorithms: [algorithm]).verify(token, now: now)
        #expect(verified.claims.subject == "s")
        #expect(verified.header.keyID == key.keyID)

        var other = try JWK.generate(for: algorithm)
        other.keyID = key.keyID
        let otherVerifier = JWTVerifier(keys: JWKSet(keys: [other.publicKey ?? other]), algorithms: [algorithm])
        let error = #expect(throws: JWTError.self) { try otherVerifier.verify(token, now: now) }
        #expect(error?.code == .badSignature)
    }

    @Test(arguments: SignatureAlgorithm.allCases)
    func privateJSONRoundTripsAndPublicHidesSecrets(_ algorithm: SignatureAlgorithm) throws {
        let key = try JWK.generate(for: algorithm)
        let again = try JWK(json: key.privateJSON)
        #expect(again.privateJSON == key.privateJSON)
        if let publicKey = key.publicKey {
            for secret in ["\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\"", "\"k\""] {
                #expect(!publicKey.publicJSON.contains(secret))
            }
            #expect(try JWK(json: publicKey.publicJSON).thumbprint() == key.thumbprint())
        } else {
            #expect(key.keyType == .octetSequence)
            #expect(!key.publicJSON.contains("\"k\""))
        }
        #expect(!key.description.contains(key.privateJSON))
    }

    @Test(arguments: SignatureAlgorithm.allCases.filter { !$0.name.hasPrefix("HS") })
    func pemRoundTrips(_ algorithm: SignatureAlgorithm) throws {
        let key = try JWK.generate(for: algorithm)
        let privatePEM = try #require(key.pemRepresentation(includingPrivate: true))
        let publicPEM = try #require(key.pemRepresentation())
        #expect(privatePEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        let fromPrivate = try JWK(pem: privatePEM, algorithm: algorithm)
        let fromPublic = try JWK(pem: publicPEM)
        #expect(fromPrivate.thumbprint() == key.thumbprint())
        #expect(fromPublic.thumbprint() == key.thumbprint())
        #expect(fromPublic.keyID?.rawValue == key.thumbprint())
        // A token signed by the PEM-imported private key verifies with the original public key.
        let token = try JWSSigner(key: fromPrivate).sign(payload: [1, 2, 3])
        var verifyKey = key.publicKey!
        verifyKey.keyID = fromPrivate.keyID
        #expect(try JWSVerifier(keys: JWKSet(keys: [verifyKey]), algorithms: [algorithm]).verify(token).payload == [1, 2, 3])
        #expect(throws: JWTError.self) { try JWK(pem: publicPEM, algorithm: algorithm.name.hasPrefix("ES") ? .eddsa : .es256) }
    }

    @Test func hmacKeysHaveNoPEMOrPublicForm() throws {
        let key = try JWK.generate(for: .hs256)
        #expect(key.pemRepresentation(includingPrivate: true) == nil)
        #expect(key.publicKey == nil)
        #expect(JWKSet(keys: [key]).publicJSON == #"{"keys":[]}"#)
    }

    @Test(arguments: [
        #"{}"#, #"{"kty":1}"#, #"{"kty":"XYZ"}"#, #"{"kty":"oct"}"#, #"{"kty":"oct","k":"a=="}"#,
        #"{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}"#, #"{"kty":"EC","crv":"secp256k1","x":"AAAA","y":"AAAA"}"#,
        #"{"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#,
        #"{"kty":"OKP","crv":"Ed25519","x":"AAAA"}"#, #"{"kty":"RSA","n":"AQAB"}"#, #"{"kty":"RSA","e":"AQAB"}"#,
        #"{"kty":"oct","k":"AAAA","kid":5}"#, #"{"kty":"oct","k":"AAAA","key_ops":"verify"}"#, #"[]"#, "not json",
    ])
    func rejectsUnusableJWKs(_ json: String) {
        #expect(throws: JWTError.self, "\(json)") { try JWK(json: json) }
    }

    @Test func rejectsWeakRSAKeys() throws {
        let publicJSON = try JWK.generate(for: .rs256).publicKey!.publicJSON
        let modulusText = try JSONParser().parse(Array(publicJSON.utf8)).objectValue?["n"]?.stringValue
        let strong = try #require(Base64URL.decode(modulusText ?? ""))
        func code(n: [UInt8], e: [UInt8]) -> JWTError.Code? {
            do {
                _ = try JWK(json: #"{"kty":"RSA","n":"\#(Base64URL.encode(n))","e":"\#(Base64URL.encode(e))"}"#)
                return nil
            } catch {
                return error.code
            }
        }
        #expect(code(n: strong, e: [1, 0, 1]) == nil)
        var small = Array(strong.prefix(128))
        small[127] |= 1
        #expect(code(n: small, e: [1, 0, 1]) == .weakKey)  // 1024 bits
        small[127] &= 0xFE
        #expect(code(n: small, e: [1, 0, 1]) == .invalidKey)  // an even modulus is not an RSA modulus
        #expect(code(n: strong, e: [1]) == .weakKey)
        #expect(code(n: strong, e: [1, 0, 0]) == .weakKey)  // even
    }

    @Test func jwkSetRejectsBadMembersAndFindsByKid() throws {
        #expect(throws: JWTError.self) { try JWKSet(json: #"{"keys":{}}"#) }
        #expect(throws: JWTError.self) { try JWKSet(json: #"{"keys":[{"kty":"oct","k":"AAAA"},{"kty":"nope"}]}"#) }
        let a = try JWK.generate(for: .eddsa, keyID: "a")
        let set = try JWKSet(json: JWKSet(keys: [a]).publicJSON)
        #expect(set.keys(withID: "a").count == 1)
        #expect(set.keys(withID: "b").isEmpty)
    }
}
