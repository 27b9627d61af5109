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
        let values = headers.values("Authorization")
        guard !values.isEmpty else { return .absent }
        guard values.count == 1 else { return .malformed }
        let value = values[0]
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts[0].caseInsensitiveEqualsBearer else { return .absent }
        guard parts.count == 2 else { return .malformed }
        let token = parts[1].drop { $0 == " " }
        // b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
        guard !token.isEmpty, token.utf8.count <= 16 * 1024 else { return .malformed }
        var sawPadding = false
        for byte in token.utf8 {
            switch byte {
            case UInt8(ascii: "="): sawPadding = true
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                if sawPadding { return .malformed }
            default:
                return .malformed
            }
        }
        return .token(String(token))
    }
}

extension Substring {
    fileprivate var caseInsensitiveEqualsBearer: Bool { String(self).caseInsensitiveEquals("Bearer") }
}
