import SmartAuthCrypto

/// A JWS signature algorithm (RFC 7518 §3, RFC 8037 §3.1).
///
/// `none` does not exist here: an unsecured JWS can never be produced or accepted.
public struct SignatureAlgorithm: Hashable, Sendable, CustomStringConvertible {
    private enum Kind: String, Hashable, Sendable, CaseIterable {
        case hs256 = "HS256", hs384 = "HS384", hs512 = "HS512"
        case rs256 = "RS256", rs384 = "RS384", rs512 = "RS512"
        case ps256 = "PS256", ps384 = "PS384", ps512 = "PS512"
        case es256 = "ES256", es384 = "ES384", es512 = "ES512"
        case eddsa = "EdDSA"
    }
    private let kind: Kind
    private init(_ kind: Kind) { self.kind = kind }

    /// HMAC with SHA-256.
    public static let hs256 = SignatureAlgorithm(.hs256)
    /// HMAC with SHA-384.
    public static let hs384 = SignatureAlgorithm(.hs384)
    /// HMAC with SHA-512.
    public static let hs512 = SignatureAlgorithm(.hs512)
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    public static let rs256 = SignatureAlgorithm(.rs256)
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    public static let rs384 = SignatureAlgorithm(.rs384)
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    public static let rs512 = SignatureAlgorithm(.rs512)
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt.
    public static let ps256 = SignatureAlgorithm(.ps256)
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384, 48-byte salt.
    public static let ps384 = SignatureAlgorithm(.ps384)
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512, 64-byte salt.
    public static let ps512 = SignatureAlgorithm(.ps512)
    /// ECDSA on P-256 with SHA-256, signature in the 64-byte `r‖s` form.
    public static let es256 = SignatureAlgorithm(.es256)
    /// ECDSA on P-384 with SHA-384, signature in the 96-byte `r‖s` form.
    public static let es384 = SignatureAlgorithm(.es384)
    /// ECDSA on P-521 with SHA-512, signature in the 132-byte `r‖s` form.
    public static let es512 = SignatureAlgorithm(.es512)
    /// EdDSA with Ed25519 (RFC 8037).
    public static let eddsa = SignatureAlgorithm(.eddsa)

    /// Every algorithm SmartAuth implements.
    public static let allCases: [SignatureAlgorithm] = Kind.allCases.map(SignatureAlgorithm.init)

    /// The algorithm with this exact (case-sensitive) JWS name, or `nil`.
    public init?(name: String) {
        guard let kind = Kind(rawValue: name) else { return nil }
        self.kind = kind
    }

    /// A distinct bit per algorithm, for sets kept as masks on hot paths.
    var bit: UInt16 {
        switch kind {
        case .hs256: 1 << 0
        case .hs384: 1 << 1
        case .hs512: 1 << 2
        case .rs256: 1 << 3
        case .rs384: 1 << 4
        case .rs512: 1 << 5
        case .ps256: 1 << 6
        case .ps384: 1 << 7
        case .ps512: 1 << 8
        case .es256: 1 << 9
        case .es384: 1 << 10
        case .es512: 1 << 11
        case .eddsa: 1 << 12
        }
    }

    /// The JWS `alg` name, e.g. `ES256`.
    public var name: String { kind.rawValue }
    public var description: String { kind.rawValue }

    /// The key family this algorithm needs.
    enum Family: Hashable {
        case hmac(HashFunction)
        case rsa(HashFunction, RSAPadding)
        case ecdsa(EllipticCurve, HashFunction)
        case ed25519
    }

    var family: Family {
        switch kind {
        case .hs256: .hmac(.sha256)
        case .hs384: .hmac(.sha384)
        case .hs512: .hmac(.sha512)
        case .rs256: .rsa(.sha256, .pkcs1v15)
        case .rs384: .rsa(.sha384, .pkcs1v15)
        case .rs512: .rsa(.sha512, .pkcs1v15)
        case .ps256: .rsa(.sha256, .pss)
        case .ps384: .rsa(.sha384, .pss)
        case .ps512: .rsa(.sha512, .pss)
        case .es256: .ecdsa(.p256, .sha256)
        case .es384: .ecdsa(.p384, .sha384)
        case .es512: .ecdsa(.p521, .sha512)
        case .eddsa: .ed25519
        }
    }
}
