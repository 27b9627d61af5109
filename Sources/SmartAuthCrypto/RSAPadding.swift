/// The padding scheme of an RSA signature.
public struct RSAPadding: Hashable, Sendable, CustomStringConvertible {
    enum Kind: Hashable, Sendable {
        case pkcs1v15
        case pss
    }

    let kind: Kind

    private init(_ kind: Kind) {
        self.kind = kind
    }

    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2), as used by JWS `RS256`/`RS384`/`RS512`.
    ///
    /// Verification re-encodes the expected `EMSA-PKCS1-v1_5` block and compares it in full with the recovered
    /// one; it does not parse the DigestInfo leniently.
    public static let pkcs1v15 = RSAPadding(.pkcs1v15)

    /// RSASSA-PSS (RFC 8017 §8.1), as used by JWS `PS256`/`PS384`/`PS512`: MGF1 with the same hash as the
    /// message, and a salt exactly as long as the digest (enforced when verifying).
    public static let pss = RSAPadding(.pss)

    /// `PKCS1v1.5` or `PSS`.
    public var description: String {
        switch kind {
        case .pkcs1v15: "PKCS1v1.5"
        case .pss: "PSS"
        }
    }

    /// A small dense index (0, 1), used to pick a slot in per-key context pools.
    var index: Int {
        switch kind {
        case .pkcs1v15: 0
        case .pss: 1
        }
    }

    /// The number of distinct ``index`` values.
    static let indexCount = 2
}
