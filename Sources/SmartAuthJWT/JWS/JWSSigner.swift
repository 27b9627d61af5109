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
    }

    /// Signs `payload` and returns the compact serialization.
    ///
    /// The header is `alg`, then `kid` (when the key has one), then `typ` (when given), then `extraHeader`'s
    /// members (which may not override `alg`, `kid`, `crit` or `b64`).
    /// - Throws: `JWTError` `.signingFailed`.
    public func sign(payload: [UInt8], type: String? = nil, extraHeader: JSONObject = JSONObject()) throws(JWTError) -> String {
        var header = JSONObject()
        header["alg"] = .string(algorithm.name)
        if let keyID = key.keyID { header["kid"] = .string(keyID.rawValue) }
        if let type { header["typ"] = .string(type) }
        for member in extraHeader where !["alg", "kid", "crit", "b64"].contains(member.name) {
            header[member.name] = member.value
        }
        var signingInput = Base64URL.encodeToBytes(JSONWriter.bytes(of: .object(header)))
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
