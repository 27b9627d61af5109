import SmartAuthHTTP
import Testing

/// RFC 6750 §2.1 bearer credentials in `Authorization`.
@Suite struct BearerTokenTests {
    private func extract(_ values: String...) -> BearerToken.Extraction {
        BearerToken.extract(from: HTTPHeaders(values.map { ("Authorization", $0) }))
    }

    @Test func tokenAfterTheSchemeIsReturned() {
        #expect(extract("Bearer abc.DEF-ghi_~+/09") == .token("abc.DEF-ghi_~+/09"))
        #expect(extract("Bearer mF_9.B5f-4.1JqM==") == .token("mF_9.B5f-4.1JqM=="))
    }

    @Test func schemeIsCaseInsensitiveAndExtraSpacesAreSkipped() {
        #expect(extract("bearer abc") == .token("abc"))
        #expect(extract("BEARER abc") == .token("abc"))
        #expect(extract("Bearer    abc") == .token("abc"))
        let headers = HTTPHeaders([("authorization", "Bearer abc")])
        #expect(BearerToken.extract(from: headers) == .token("abc"))
    }

    @Test func noHeaderOrAnotherSchemeIsAbsent() {
        #expect(BearerToken.extract(from: HTTPHeaders()) == .absent)
        #expect(extract("Basic dXNlcjpwYXNz") == .absent)
        #expect(extract("Bearerabc") == .absent)
        #expect(extract("") == .absent)
    }

    @Test(arguments: [
        "Bearer", "Bearer ", "Bearer   ", "Bearer a b", "Bearer a=b", "Bearer ===", "Bearer a\tb", "Bearer a,b",
        "Bearer é", "Bearer a\u{0}b",
    ])
    func malformedTokensAreRefused(_ value: String) {
        #expect(extract(value) == .malformed)
    }

    @Test func twoAuthorizationHeadersAreMalformed() {
        #expect(extract("Bearer a", "Bearer b") == .malformed)
    }

    @Test func tokensOver16KiBAreRefused() {
        let limit = String(repeating: "a", count: 16 * 1024)
        #expect(extract("Bearer " + limit) == .token(limit))
        #expect(extract("Bearer " + limit + "a") == .malformed)
    }
}

/// Header lookup is ASCII case-insensitive and keeps every value in order.
@Suite struct HTTPHeadersTests {
    @Test func lookupIgnoresASCIICaseOnly() {
        let headers = HTTPHeaders([("Content-Type", "a"), ("X-Two", "1"), ("x-two", "2")])
        #expect(headers["content-type"] == "a")
        #expect(headers["CONTENT-TYPE"] == "a")
        #expect(headers.values("X-TWO") == ["1", "2"])
        #expect(headers["Content-Typ"] == nil)
        // Only letters fold: "\r" | 0x20 is "-", yet they are different characters.
        #expect(headers["Content\rType"] == nil)
    }
}
