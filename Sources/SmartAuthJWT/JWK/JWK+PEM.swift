import SmartAuthCrypto

extension JWK {
    /// Imports a key from PEM: `PUBLIC KEY` (SPKI), `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` or
    /// `EC PRIVATE KEY`, for RSA, EC (P-256/384/521) or Ed25519.
    /// - Parameters:
    ///   - pem: the PEM text.
    ///   - keyID: the `kid` to give the key; `nil` uses the RFC 7638 thumbprint.
    ///   - algorithm: the `alg` to bind the key to, if any.
    /// - Throws: `JWTError` `.invalidKey`, `.weakKey`, or `.keyMismatch` when `algorithm` does not fit the key.
    public init(pem: String, keyID: KeyID? = nil, algorithm: SignatureAlgorithm? = nil) throws(JWTError) {
        let material: Material
        do {
            switch try PEMKey(pem: pem) {
            case .rsaPublic(let key): material = .rsaPublic(key)
            case .rsaPrivate(let key): material = .rsaPrivate(key)
            case .ecPublic(let key): material = .ecPublic(key)
            case .ecPrivate(let key): material = .ecPrivate(key)
            case .ed25519Public(let key): material = .ed25519Public(key)
            case .ed25519Private(let key): material = .ed25519Private(key)
            }
        } catch {
            throw JWTError.fromCrypto(error)
        }
        self.init(material: material, keyID: keyID, use: "sig", algorithmName: algorithm?.name)
        if let algorithm, !fits(algorithm) { throw JWTError.keyMismatch("\(algorithm) does not fit this \(keyType) key") }
        if keyID == nil { self.keyID = KeyID(thumbprint()) }
    }

    /// The key as PEM: SPKI `PUBLIC KEY` for the public form, PKCS#8 `PRIVATE KEY` for the private form.
    /// `nil` for `oct` keys (which have no PEM form) and when asking a public key for its private form.
    /// - Warning: The private form contains secret key material; never log it.
    public func pemRepresentation(includingPrivate: Bool = false) -> String? {
        switch material {
        case .symmetric: return nil
        case .rsaPublic(let key): return includingPrivate ? nil : key.pemRepresentation
        case .rsaPrivate(let key): return includingPrivate ? key.pemRepresentation : key.publicKey.pemRepresentation
        case .ecPublic(let key): return includingPrivate ? nil : key.pemRepresentation
        case .ecPrivate(let key): return includingPrivate ? key.pemRepresentation : key.publicKey.pemRepresentation
        case .ed25519Public(let key): return includingPrivate ? nil : key.pemRepresentation
        case .ed25519Private(let key):
            return includingPrivate ? key.pemRepresentation : key.publicKey.pemRepresentation
        }
    }
}
