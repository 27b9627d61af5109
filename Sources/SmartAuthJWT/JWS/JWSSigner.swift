/// Signs payloads as compact JWS with one private key and one algorithm.
public struct JWSSigner: Sendable {
    /// The signing key.
    public let key: JWK
    /// The algorithm, fixed when the signer is made.
    public let algorithm: SignatureAlgorithm

    /// A signer for `key` with `algorithm` (default: the key's own `alg`).
    /// - Throws: `JWTError` `.keyMismatch` when the key is public, does not fit the algorithm, or its `use`,
    ///   `key_ops` or `alg` forbid signing; `.unsupportedAlgorithm` when no algorithm is known.
    public init(key: JWK, algorithm: SignatureAlgorithm? = nil) throws(JWTError) {
        guard let algorithm = algorithm ?? key.algorithm else {
            throw JWTError.unsupportedAlgorithm("the key has no alg; name the algorithm to sign with")
        }
        guard key.isPrivate else { throw JWTError.keyMismatch("a public key cannot sign") }
        try key.checkUsable(for: algorithm, operation: "sign")
        self.key = key
        self.algorithm = algorithm
        var headers: [String?: [UInt8]] = [:]
        for type in Self.commonTypes { headers[type] = Self.encodedHeader(algorithm: algorithm, key: key, type: type, extra: [:]) }
        self.encodedHeaders = headers
    }

    /// `typ` values whose encoded header is computed once, at init: every access token has the same header.
    private static let commonTypes: [String?] = [nil, "JWT", "at+jwt"]
    /// The base64url header for each of ``commonTypes`` (nil: no `typ`) with no extra members.
    private let encodedHeaders: [String?: [UInt8]]

    private static func encodedHeader(algorithm: SignatureAlgorithm, key: JWK, type: String?, extra: JSONObject) -> [UInt8] {
        var header = JSONObject()
        header["alg"] = .string(algorithm.name)
        if let keyID = key.keyID { header["kid"] = .string(keyID.rawValue) }
        if let type { header["typ"] = .string(type) }
        for member in extra where !["alg", "kid", "crit", "b64"].contains(member.name) {
            header[member.name] = member.value
        }
        return Base64URL.encodeToBytes(JSONWriter.bytes(of: .object(header)))
    }

    /// Signs `payload` and returns the compact serialization.
    ///
    /// The header is `alg`, then `kid` (when the key has one), then `typ` (when given), then `extraHeader`'s
    /// members (which may not override `alg`, `kid`, `crit` or `b64`).
    /// - Throws: `JWTError` `.signingFailed`.
    public func sign(payload: [UInt8], type: String? = nil, extraHeader: JSONObject = JSONObject()) throws(JWTError) -> String {
        var signingInput =
            (extraHeader.count == 0 ? encodedHeaders[type] : nil)
            ?? Self.encodedHeader(algorithm: algorithm, key: key, type: type, extra: extraHeader)
        signingInput.append(UInt8(ascii: "."))
        signingInput.append(contentsOf: Base64URL.encodeToBytes(payload))
        let signature = try signingInput.withUnsafeBytes { input in
            Result { () throws(JWTError) -> [UInt8] in try key.signature(for: input, algorithm: algorithm) }
        }.get()
        signingInput.append(UInt8(ascii: "."))
        signingInput.append(contentsOf: Base64URL.encodeToBytes(signature))
        return String(decoding: signingInput, as: UTF8.self)
    }
}
