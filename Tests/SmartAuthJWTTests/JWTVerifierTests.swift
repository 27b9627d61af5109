import Foundation
import SmartAuthJWT
import Testing

@Suite struct JWTVerifierTests {
    let key: JWK
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    init() throws { key = try TokenFactory.key() }

    func token(_ payload: String, header: String = #"{"alg":"HS256"}"#) throws -> String {
        try TokenFactory.token(header: header, payload: Array(payload.utf8))
    }

    func code(_ token: String, _ validation: ClaimsValidation = ClaimsValidation(), at time: Date? = nil) -> JWTError.Code? {
        let verifier = JWTVerifier(keys: JWKSet(keys: [key]), algorithms: [.hs256], validation: validation)
        do {
            _ = try verifier.verify(token, now: time ?? now)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func expiryHonoursLeeway() throws {
        let t = try token(#"{"exp":1800000000}"#)
        #expect(code(t) == .expired)  // now == exp is expired
        #expect(code(t, at: now.addingTimeInterval(-1)) == nil)
        #expect(code(t, ClaimsValidation(leeway: 30), at: now.addingTimeInterval(29)) == nil)
        #expect(code(t, ClaimsValidation(leeway: 30), at: now.addingTimeInterval(30)) == .expired)
        #expect(code(try token(#"{"exp":1799999999.5}"#)) == .expired)
        #expect(code(try token(#"{"exp":1800000000.5}"#)) == nil)
    }

    @Test func notBeforeHonoursLeeway() throws {
        let t = try token(#"{"nbf":1800000010}"#)
        #expect(code(t) == .notYetValid)
        #expect(code(t, ClaimsValidation(leeway: 10)) == nil)
        #expect(code(t, at: now.addingTimeInterval(10)) == nil)
    }

    @Test func issuedAtInTheFutureIsRejected() throws {
        let t = try token(#"{"iat":1800000005}"#)
        #expect(code(t) == .issuedInFuture)
        #expect(code(t, ClaimsValidation(leeway: 5)) == nil)
    }

    @Test(arguments: [
        #"{"exp":"1800000100"}"#, #"{"nbf":true}"#, #"{"iat":null}"#, #"{"exp":[1]}"#, #"{"iss":5}"#, #"{"sub":{}}"#,
        #"{"aud":7}"#, #"{"aud":["a",1]}"#, #"{"jti":false}"#,
    ])
    func registeredClaimsMustHaveTheirTypes(_ payload: String) throws {
        #expect(code(try token(payload)) == .invalidClaim)
    }

    @Test func hugeNumericDatesDoNotCrash() throws {
        #expect(code(try token(#"{"exp":1e400}"#)) == nil)  // +infinity: never expires
        #expect(code(try token(#"{"exp":-1e400}"#)) == .expired)
        #expect(code(try token(#"{"exp":123456789012345678901234567890}"#)) == nil)
    }

    @Test func issuerMustMatchExactly() throws {
        let validation = ClaimsValidation(issuer: "https://a.example")
        #expect(code(try token(#"{"iss":"https://a.example"}"#), validation) == nil)
        #expect(code(try token(#"{"iss":"https://a.example/"}"#), validation) == .invalidIssuer)
        #expect(code(try token(#"{}"#), validation) == .invalidIssuer)
    }

    @Test func audienceRules() throws {
        let api = ClaimsValidation(audience: "api")
        #expect(code(try token(#"{"aud":"api"}"#), api) == nil)
        #expect(code(try token(#"{"aud":["x","api"]}"#), api) == nil)
        #expect(code(try token(#"{"aud":["x"]}"#), api) == .invalidAudience)
        #expect(code(try token(#"{"aud":[]}"#), api) == .invalidAudience)
        #expect(code(try token(#"{}"#), api) == .invalidAudience)
        // No audience configured: a token meant for someone is not for us.
        #expect(code(try token(#"{"aud":"api"}"#)) == .invalidAudience)
        #expect(code(try token(#"{"aud":[]}"#)) == nil)
        #expect(code(try token(#"{}"#)) == nil)
    }

    @Test func requiredTypeIsChecked() throws {
        let validation = ClaimsValidation(requiredType: "at+jwt")
        #expect(code(try token("{}", header: #"{"alg":"HS256","typ":"at+jwt"}"#), validation) == nil)
        #expect(code(try token("{}", header: #"{"alg":"HS256","typ":"application/AT+JWT"}"#), validation) == nil)
        #expect(code(try token("{}", header: #"{"alg":"HS256","typ":"JWT"}"#), validation) == .invalidType)
        #expect(code(try token("{}"), validation) == .invalidType)
        #expect(code(try token("{}", header: #"{"alg":"HS256","typ":1}"#)) == .malformed)
    }

    @Test func requiredClaimsMustBePresent() throws {
        let validation = ClaimsValidation(requiredClaims: ["exp", "sid"])
        #expect(code(try token(#"{"exp":1900000000,"sid":"s"}"#), validation) == nil)
        #expect(code(try token(#"{"sid":"s"}"#), validation) == .missingClaim)
        #expect(code(try token(#"{"exp":1900000000}"#), validation) == .missingClaim)
    }

    @Test(arguments: ["[]", "\"x\"", "1", "", "{", #"{"a":1,"a":2}"#, "{} {}"])
    func payloadMustBeOneJSONObject(_ payload: String) throws {
        #expect(code(try token(payload)) == .malformed)
    }

    @Test func deeplyNestedPayloadIsRejectedQuickly() throws {
        let nested = String(repeating: "{\"a\":", count: 3_000) + "1" + String(repeating: "}", count: 3_000)
        #expect(code(try token(nested)) != nil)
    }

    struct AccessClaims: Codable, Equatable {
        var sub: String
        var exp: Double
        var roles: [String]
        var sid: String
    }

    @Test func signsAndDecodesApplicationClaims() throws {
        let signer = try JWTSigner(key: key, algorithm: .hs256)
        let claims = try JWTClaims(encoding: AccessClaims(sub: "u1", exp: 1_900_000_000, roles: ["a", "b"], sid: "s1"))
        let token = try signer.sign(claims, type: "at+jwt")
        let verified = try JWTVerifier(
            keys: JWKSet(keys: [key]), algorithms: [.hs256], validation: ClaimsValidation(requiredType: "at+jwt")
        ).verify(token, now: now)
        #expect(verified.claims.subject == "u1")
        #expect(verified.claims.expiresAt == Date(timeIntervalSince1970: 1_900_000_000))
        #expect(try verified.claims.decode(AccessClaims.self) == AccessClaims(sub: "u1", exp: 1_900_000_000, roles: ["a", "b"], sid: "s1"))
        #expect(throws: JWTError.self) { try verified.claims.decode([String: Int].self) }
    }

    @Test func audienceFormSurvivesARoundTrip() throws {
        var single = JWTClaims(audience: ["api"])
        #expect(JSONWriter.string(of: .object(single.jsonObject)) == #"{"aud":"api"}"#)
        single.audienceIsArray = true
        #expect(JSONWriter.string(of: .object(single.jsonObject)) == #"{"aud":["api"]}"#)
    }
}
