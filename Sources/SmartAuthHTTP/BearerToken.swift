/// Reads an RFC 6750 §2.1 bearer token from an `Authorization` header.
public enum BearerToken {
    /// What the header holds.
    public enum Extraction: Hashable, Sendable {
        /// No `Authorization` header, or another scheme: the request carries no bearer credentials.
        case absent
        /// `Bearer <token>` with a syntactically valid token.
        case token(String)
        /// `Bearer` with a missing or malformed token, or several `Authorization` headers.
        case malformed
    }

    /// Extracts the bearer token from `headers`.
    public static func extract(from headers: HTTPHeaders) -> Extraction {
        var found: String?
        for field in headers.fields where field.name.caseInsensitiveEquals("Authorization") {
            guard found == nil else { return .malformed }
            found = field.value
        }
        guard var value = found else { return .absent }
        return value.withUTF8 { extract(fromValue: $0) }
    }

    /// `credentials = auth-scheme [ 1*SP token68 ]` with the scheme `Bearer` (any case).
    private static func extract(fromValue value: UnsafeBufferPointer<UInt8>) -> Extraction {
        let space = UInt8(ascii: " ")
        let schemeEnd = value.firstIndex(of: space) ?? value.count
        var bearer = "Bearer"
        let isBearer = bearer.withUTF8 { String.caseInsensitiveEquals(UnsafeBufferPointer(rebasing: value[..<schemeEnd]), $0) }
        guard isBearer else { return .absent }
        guard schemeEnd < value.count else { return .malformed }
        var start = schemeEnd + 1
        while start < value.count, value[start] == space { start += 1 }
        let token = UnsafeBufferPointer(rebasing: value[start...])
        // b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
        guard !token.isEmpty, token.count <= 16 * 1024 else { return .malformed }
        // Token characters first, then only "=" to the end.
        var index = 0
        // Read once: a static's accessor inside the loop would run its initialization check for every byte.
        let isTokenCharacter = isToken68Character
        while index < token.count, isTokenCharacter[Int(token[index])] { index += 1 }
        guard index > 0 else { return .malformed }
        while index < token.count, token[index] == UInt8(ascii: "=") { index += 1 }
        guard index == token.count else { return .malformed }
        return .token(String(decoding: token, as: UTF8.self))
    }

    /// `ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/"`, by byte value.
    private static let isToken68Character: [Bool] = (0..<256).map { value in
        switch UInt8(value) {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"):
            true
        default:
            false
        }
    }
}
