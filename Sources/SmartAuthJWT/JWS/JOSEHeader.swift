/// The protected header of a verified (or to-be-signed) JWS.
public struct JOSEHeader: Sendable, Hashable {
    /// The `alg` header.
    public let algorithm: SignatureAlgorithm
    /// The `kid` header, if any.
    public let keyID: KeyID?
    /// The `typ` header, if any (e.g. `JWT`, `at+jwt`).
    public let type: String?
    /// The `cty` header, if any.
    public let contentType: String?
    /// Every header member, as received.
    public let members: JSONObject

    /// Reads and checks a header object against SmartAuth's rules.
    ///
    /// - `alg` must be a string naming an implemented algorithm (`none` never is) that `allowed` contains;
    /// - `crit` is refused outright: SmartAuth implements no JWS extension, and RFC 7515 §4.1.11 forbids listing
    ///   standard parameters there, so every `crit` is either invalid or names something unsupported;
    /// - `b64` must be `true` if present (RFC 7797 unencoded payloads are not supported);
    /// - `kid`, `typ` and `cty` must be strings when present;
    /// - `jku`, `x5u`, `jwk`, `x5c` are never used to find or trust a key (keys come only from the verifier).
    init(validating object: JSONObject, allowed: Set<SignatureAlgorithm>) throws(JWTError) {
        guard let algValue = object["alg"] else { throw JWTError.malformed("header has no alg") }
        guard case .string(let algName) = algValue else { throw JWTError.malformed("header alg is not a string") }
        guard let algorithm = SignatureAlgorithm(name: algName) else {
            throw JWTError.unsupportedAlgorithm(algName == "none" ? "unsecured JWS (alg none) is never accepted" : "unsupported alg")
        }
        guard allowed.contains(algorithm) else { throw JWTError.algorithmNotAllowed("\(algorithm) is not in the allow-list") }
        if object["crit"] != nil { throw JWTError.unsupportedHeader("crit names extensions SmartAuth does not implement") }
        if let b64 = object["b64"] {
            guard case .bool(let encoded) = b64 else { throw JWTError.malformed("header b64 is not a Boolean") }
            guard encoded else { throw JWTError.unsupportedHeader("unencoded payloads (b64: false) are not supported") }
        }
        self.algorithm = algorithm
        self.keyID = try JOSEHeader.optionalString(object, "kid").map { KeyID($0) }
        self.type = try JOSEHeader.optionalString(object, "typ")
        self.contentType = try JOSEHeader.optionalString(object, "cty")
        self.members = object
    }

    private static func optionalString(_ object: JSONObject, _ name: String) throws(JWTError) -> String? {
        guard let value = object[name] else { return nil }
        guard case .string(let string) = value else { throw JWTError.malformed("header \(name) is not a string") }
        return string
    }
}
