import Foundation
import SmartAuthJWT
import Testing

/// Published examples: RFC 7515 appendix A, RFC 8037 appendix A, RFC 7638 §3.1, RFC 7517 appendix A.
@Suite struct RFCVectorTests {
    static let payloadSegment = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    static let payload = "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"
    /// Before the examples' `exp` (2011-03-22T18:43:00Z).
    static let beforeExpiry = Date(timeIntervalSince1970: 1_300_819_000)

    static let hmacKey = #"{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#
    static let hmacToken = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." + payloadSegment
        + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    static let rsaKey = """
        {"kty":"RSA","e":"AQAB","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"}
        """
    static let rsaToken = "eyJhbGciOiJSUzI1NiJ9." + payloadSegment + "."
        + "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4"
        + "BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqv"
        + "hJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"

    static let es256Key = #"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}"#
    static let es256Token = "eyJhbGciOiJFUzI1NiJ9." + payloadSegment
        + ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"

    static let es512Key = """
        {"kty":"EC","crv":"P-521","x":"AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk","y":"ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2","d":"AY5pb7A0UFiB3RELSD64fTLOSV_jazdF7fLYyuTw8lOfRhWg6Y6rUrPAxerEzgdRhajnu0ferB0d53vM9mE15j2C"}
        """
    static let es512Token = "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA."
        + "AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZqwqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8Kp"
        + "EHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn"

    static let ed25519Key = #"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#
    static let ed25519Token = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
        + "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"

    struct Example: CustomTestStringConvertible, Sendable {
        let name: String
        let key: String
        let token: String
        let algorithm: SignatureAlgorithm
        let payload: String
        var testDescription: String { name }
    }

    static let examples = [
        Example(name: "RFC 7515 A.1 HS256", key: hmacKey, token: hmacToken, algorithm: .hs256, payload: payload),
        Example(name: "RFC 7515 A.2 RS256", key: rsaKey, token: rsaToken, algorithm: .rs256, payload: payload),
        Example(name: "RFC 7515 A.3 ES256", key: es256Key, token: es256Token, algorithm: .es256, payload: payload),
        Example(name: "RFC 7515 A.4 ES512", key: es512Key, token: es512Token, algorithm: .es512, payload: "Payload"),
        Example(name: "RFC 8037 A.4 EdDSA", key: ed25519Key, token: ed25519Token, algorithm: .eddsa, payload: "Example of Ed25519 signing"),
    ]

    @Test(arguments: examples)
    func publishedExampleVerifies(_ example: Example) throws {
        let key = try JWK(json: example.key)
        let verificationKey = key.publicKey ?? key
        let verified = try JWSVerifier(keys: JWKSet(keys: [verificationKey]), algorithms: [example.algorithm]).verify(example.token)
        #expect(verified.header.algorithm == example.algorithm)
        #expect(String(decoding: verified.payload, as: UTF8.self) == example.payload)
    }

    @Test(arguments: examples)
    func publishedExampleFailsWithAnyByteChanged(_ example: Example) throws {
        let key = try JWK(json: example.key)
        let verifier = JWSVerifier(keys: JWKSet(keys: [key.publicKey ?? key]), algorithms: [example.algorithm])
        let bytes = Array(example.token.utf8)
        // Every position of a short token, or a spread of positions in a long one, in each of the three parts.
        let stride = max(1, bytes.count / 97)
        for index in Swift.stride(from: 0, to: bytes.count, by: stride) where bytes[index] != UInt8(ascii: ".") {
            var tampered = bytes
            tampered[index] = bytes[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            #expect(throws: JWTError.self, "byte \(index) changed") {
                try verifier.verify(String(decoding: tampered, as: UTF8.self))
            }
        }
    }

    @Test func publishedJWTExampleValidatesClaims() throws {
        let verifier = JWTVerifier(keys: try JWKSet(json: Self.hmacKey), algorithms: [.hs256])
        let verified = try verifier.verify(Self.hmacToken, now: Self.beforeExpiry)
        #expect(verified.claims.issuer == "joe")
        #expect(verified.claims.expiresAt == Date(timeIntervalSince1970: 1_300_819_380))
        #expect(verified.claims.additional["http://example.com/is_root"] == .bool(true))
        #expect(verified.header.type == "JWT")
        let error = #expect(throws: JWTError.self) { try verifier.verify(Self.hmacToken, now: Date()) }
        #expect(error?.code == .expired)
    }

    /// RFC 7515 A.5: an unsecured JWS is never accepted, whatever the allow-list.
    @Test func unsecuredExampleIsRejected() throws {
        let token = "eyJhbGciOiJub25lIn0." + Self.payloadSegment + "."
        let verifier = JWSVerifier(keys: try JWKSet(json: Self.hmacKey), algorithms: SignatureAlgorithm.allCases)
        let error = #expect(throws: JWTError.self) { try verifier.verify(token) }
        #expect(error?.code == .unsupportedAlgorithm)
        #expect(SignatureAlgorithm(name: "none") == nil)
    }

    /// RFC 8037 A.3: the Ed25519 key's thumbprint.
    @Test func ed25519Thumbprint() throws {
        let key = try JWK(json: Self.ed25519Key)
        #expect(key.thumbprint() == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
        #expect(key.publicKey?.thumbprint() == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
    }

    /// RFC 7638 §3.1 (the RSA key of RFC 7517 A.1).
    @Test func rsaThumbprint() throws {
        let key = try JWK(json: """
            {"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}
            """)
        #expect(key.thumbprint() == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        #expect(key.keyID == "2011-04-29")
        #expect(key.algorithm == .rs256)
    }

    /// RFC 7517 A.1: the example public key set parses, with both keys found by kid.
    @Test func rfc7517PublicKeySetParses() throws {
        let set = try JWKSet(json: """
            {"keys":[
              {"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","use":"enc","kid":"1"},
              {"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}
            ]}
            """)
        #expect(set.keys.count == 2)
        #expect(set.keys(withID: "1").first?.keyType == .ellipticCurve)
        #expect(set.keys(withID: "1").first?.use == "enc")
        #expect(set.keys(withID: "2011-04-29").first?.keyType == .rsa)
    }

    /// RFC 7515 A.3/A.4 and RFC 8037: the private example keys export and re-import to the same key.
    @Test(arguments: [es256Key, es512Key, ed25519Key])
    func privateExampleKeysRoundTrip(_ json: String) throws {
        let key = try JWK(json: json)
        let again = try JWK(json: key.privateJSON)
        #expect(again.thumbprint() == key.thumbprint())
        #expect(again.privateJSON == key.privateJSON)
        #expect(key.publicKey?.isPrivate == false)
        #expect(!(key.publicKey?.publicJSON.contains("\"d\"") ?? true))
    }
}
