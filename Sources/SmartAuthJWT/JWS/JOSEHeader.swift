/// The protected header of a verified (or to-be-signed) JWS.
public struct JOSEHeader: Sendable, Hashable {
    /// One reference for the whole header, so handing a header around (it is cached and returned with every
    /// verified token) costs one retain instead of one per member.
    private final class Storage: Sendable {
        let algorithm: SignatureAlgorithm
        let keyID: KeyID?
        let type: String?
        let contentType: String?
        let members: JSONObject

        init(algorithm: SignatureAlgorithm, keyID: KeyID?, type: String?, contentType: String?, members: JSONObject) {
            self.algorithm = algorithm
            self.keyID = keyID
            self.type = type
            self.contentType = contentType
            self.members = members
        }
    }

    private let storage: Storage

    /// The `alg` header.
    public var algorithm: SignatureAlgorithm { storage.algorithm }
    /// The `kid` header, if any.
    public var keyID: KeyID? { storage.keyID }
    /// The `typ` header, if any (e.g. `JWT`, `at+jwt`).
    public var type: String? { storage.type }
    /// The `cty` header, if any.
    public var contentType: String? { storage.contentType }
    /// Every header member, as received.
    public var members: JSONObject { storage.members }

    public static func == (lhs: JOSEHeader, rhs: JOSEHeader) -> Bool { lhs.members == rhs.members }
    public func hash(into hasher: inout Hasher) { hasher.combine(members) }

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
        self.storage = Storage(
            algorithm: algorithm, keyID: try JOSEHeader.optionalString(object, "kid").map { KeyID($0) },
            type: try JOSEHeader.optionalString(object, "typ"), contentType: try JOSEHeader.optionalString(object, "cty"),
            members: object)
    }

    private static func optionalString(_ object: JSONObject, _ name: String) throws(JWTError) -> String? {
        guard let value = object[name] else { return nil }
        guard case .string(let string) = value else { throw JWTError.malformed("header \(name) is not a string") }
        return string
    }
}
