import SmartAuthCrypto

/// A JSON Web Key (RFC 7517) for signing or verifying JWS: `oct` (HMAC), `RSA` (≥ 2048 bits), `EC` (P-256,
/// P-384, P-521) or `OKP` (Ed25519, RFC 8037).
///
/// Parsing validates the key material completely (RSA strength and ROCA, EC points on their curve, exact
/// lengths), so a `JWK` value is always usable. Private members are held in zeroing memory; ``description``
/// never prints key material.
public struct JWK: Sendable, CustomStringConvertible {
    /// The JWK `kty` family.
    public struct KeyType: Hashable, Sendable, CustomStringConvertible {
        /// The `kty` value, e.g. `EC`.
        public let name: String
        private init(name: String) { self.name = name }
        /// `oct`: a symmetric (HMAC) secret.
        public static let octetSequence = KeyType(name: "oct")
        /// `RSA`.
        public static let rsa = KeyType(name: "RSA")
        /// `EC`: a NIST curve key.
        public static let ellipticCurve = KeyType(name: "EC")
        /// `OKP`: an Edwards curve key (Ed25519).
        public static let octetKeyPair = KeyType(name: "OKP")
        public var description: String { name }
    }

    /// The key itself.
    let material: Material
    /// The `kid` member.
    public var keyID: KeyID?
    /// The `use` member (`sig` or `enc`), if present.
    public var use: String?
    /// The `key_ops` member, if present.
    public var keyOperations: [String]?
    /// The `alg` member exactly as written (it may name an algorithm SmartAuth does not implement).
    public var algorithmName: String?

    /// The `kty` of this key.
    public var keyType: KeyType { material.keyType }

    /// Whether this JWK holds private (or secret) key material.
    public var isPrivate: Bool { material.isPrivate }

    /// The `alg` member as a ``SignatureAlgorithm``, when it names one SmartAuth implements.
    public var algorithm: SignatureAlgorithm? { algorithmName.flatMap(SignatureAlgorithm.init(name:)) }

    init(material: Material, keyID: KeyID?, use: String? = nil, keyOperations: [String]? = nil, algorithmName: String?) {
        self.material = material
        self.keyID = keyID
        self.use = use
        self.keyOperations = keyOperations
        self.algorithmName = algorithmName
    }

    /// The public half of this key with the same `kid`, `use`, `key_ops` and `alg`; `nil` for `oct` keys,
    /// which have no public half and must never be published.
    public var publicKey: JWK? {
        guard let publicMaterial = material.publicMaterial else { return nil }
        let operations = keyOperations?.filter { $0 == "verify" }
        return JWK(material: publicMaterial, keyID: keyID, use: use, keyOperations: operations, algorithmName: algorithmName)
    }

    public var description: String {
        "JWK(kty: \(keyType), kid: \(keyID?.rawValue ?? "-"), alg: \(algorithmName ?? "-"), \(isPrivate ? "private" : "public"))"
    }
}

// MARK: - Generating keys

extension JWK {
    /// Generates a new private key for `algorithm`: a 256/384/512-bit secret for HS*, a 2048-bit (or larger)
    /// RSA key for RS*/PS*, a key on the algorithm's curve for ES*, an Ed25519 key for EdDSA.
    ///
    /// The JWK's `alg` is set to `algorithm` (binding the key to it) and `use` to `sig`.
    /// - Parameters:
    ///   - algorithm: the algorithm the key is for.
    ///   - keyID: the `kid`; when `nil`, the RFC 7638 thumbprint is used (for `oct` keys, a random identifier).
    ///   - rsaBits: the RSA modulus size (≥ 2048); ignored for other families.
    /// - Throws: `JWTError` `.weakKey` for `rsaBits` < 2048, `.signingFailed` if the random source fails.
    public static func generate(
        for algorithm: SignatureAlgorithm, keyID: KeyID? = nil, rsaBits: Int = 2048
    ) throws(JWTError) -> JWK {
        let material: Material
        do {
            switch algorithm.family {
            case .hmac(let hash):
                material = .symmetric(SymmetricKey(secret: try SecretBytes(randomCount: hash.digestByteCount)))
            case .rsa:
                guard rsaBits >= 2048 else { throw JWTError.weakKey("RSA keys must have at least 2048 bits") }
                material = .rsaPrivate(try RSAPrivateKey.generate(bits: rsaBits))
            case .ecdsa(let curve, _):
                material = .ecPrivate(try ECPrivateKey.generate(curve: curve))
            case .ed25519:
                material = .ed25519Private(try Ed25519PrivateKey.generate())
            }
        } catch let error as JWTError {
            throw error
        } catch {
            throw JWTError.signingFailed("key generation failed", underlying: error)
        }
        var jwk = JWK(material: material, keyID: nil, use: "sig", algorithmName: algorithm.name)
        if let keyID {
            jwk.keyID = keyID
        } else if material.keyType == .octetSequence {
            // A thumbprint of a secret key would publish a hash of the secret: use a random identifier.
            do {
                jwk.keyID = KeyID(Base64URL.encode(try SecureRandom.bytes(count: 16)))
            } catch {
                throw JWTError.signingFailed("random source failed", underlying: error)
            }
        } else {
            jwk.keyID = KeyID(jwk.thumbprint())
        }
        return jwk
    }
}
