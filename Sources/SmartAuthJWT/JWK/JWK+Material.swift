import SmartAuthCrypto

extension JWK {
    /// The parsed key, already validated by SmartAuthCrypto. HMAC keys carry ready-keyed MAC contexts for each
    /// hash they are long enough for, so verification never re-keys.
    enum Material: Sendable {
        case symmetric(SymmetricKey)
        case rsaPublic(RSAPublicKey)
        case rsaPrivate(RSAPrivateKey)
        case ecPublic(ECPublicKey)
        case ecPrivate(ECPrivateKey)
        case ed25519Public(Ed25519PublicKey)
        case ed25519Private(Ed25519PrivateKey)

        var keyType: KeyType {
            switch self {
            case .symmetric: .octetSequence
            case .rsaPublic, .rsaPrivate: .rsa
            case .ecPublic, .ecPrivate: .ellipticCurve
            case .ed25519Public, .ed25519Private: .octetKeyPair
            }
        }

        var isPrivate: Bool {
            switch self {
            case .symmetric, .rsaPrivate, .ecPrivate, .ed25519Private: true
            case .rsaPublic, .ecPublic, .ed25519Public: false
            }
        }

        /// The same key without its private part; `nil` for symmetric keys, which have none.
        var publicMaterial: Material? {
            switch self {
            case .symmetric: nil
            case .rsaPublic, .ecPublic, .ed25519Public: self
            case .rsaPrivate(let key): .rsaPublic(key.publicKey)
            case .ecPrivate(let key): .ecPublic(key.publicKey)
            case .ed25519Private(let key): .ed25519Public(key.publicKey)
            }
        }
    }

    /// An HMAC secret with one keyed context per hash function it is long enough for.
    final class SymmetricKey: Sendable {
        let secret: SecretBytes
        let sha256: HMACKey?
        let sha384: HMACKey?
        let sha512: HMACKey?

        init(secret: SecretBytes) {
            self.secret = secret
            // HMACKey refuses secrets shorter than the hash output (RFC 7518 §3.2), leaving that hash unusable.
            sha256 = try? HMACKey(secret: secret, hash: .sha256)
            sha384 = try? HMACKey(secret: secret, hash: .sha384)
            sha512 = try? HMACKey(secret: secret, hash: .sha512)
        }

        func key(for hash: HashFunction) -> HMACKey? {
            switch hash {
            case .sha256: sha256
            case .sha384: sha384
            case .sha512: sha512
            default: nil
            }
        }
    }
}
