/// A NIST prime curve usable for ECDSA (FIPS 186-4), as used by JWS `ES256`/`ES384`/`ES512`.
///
/// An open set: more curves may be added later, so `switch` over values with a `default` case.
public struct EllipticCurve: Hashable, Sendable, CustomStringConvertible {
    enum Kind: Hashable, Sendable, CaseIterable {
        case p256
        case p384
        case p521
    }

    let kind: Kind

    private init(_ kind: Kind) {
        self.kind = kind
    }

    /// NIST P-256 (secp256r1, prime256v1).
    public static let p256 = EllipticCurve(.p256)
    /// NIST P-384 (secp384r1).
    public static let p384 = EllipticCurve(.p384)
    /// NIST P-521 (secp521r1).
    public static let p521 = EllipticCurve(.p521)

    /// The curve for a JWK `crv` name (RFC 7518 §6.2.1.1), or `nil` if the name is not one of
    /// `P-256`, `P-384` or `P-521`. The match is exact and case-sensitive.
    ///
    /// - Parameter jwkName: A JWK `crv` value.
    public init?(jwkName: String) {
        switch jwkName {
        case "P-256": self = .p256
        case "P-384": self = .p384
        case "P-521": self = .p521
        default: return nil
        }
    }

    /// The length in bytes of one coordinate, and of a private scalar: 32, 48 or 66.
    public var coordinateByteCount: Int {
        switch kind {
        case .p256: 32
        case .p384: 48
        case .p521: 66
        }
    }

    /// The length in bytes of an IEEE P1363 (`r || s`) signature, as JWS uses: 64, 96 or 132.
    public var signatureByteCount: Int {
        2 * coordinateByteCount
    }

    /// The JWK `crv` name: `P-256`, `P-384` or `P-521`.
    public var jwkName: String {
        switch kind {
        case .p256: "P-256"
        case .p384: "P-384"
        case .p521: "P-521"
        }
    }

    /// Same as ``jwkName``.
    public var description: String {
        jwkName
    }

    /// All supported curves.
    static let all: [EllipticCurve] = [.p256, .p384, .p521]

    /// A small dense index (0, 1, 2).
    var index: Int {
        switch kind {
        case .p256: 0
        case .p384: 1
        case .p521: 2
        }
    }

    /// OpenSSL's name for the group, as `EVP_PKEY_get_utf8_string_param(..., "group", ...)` reports it.
    /// A `StaticString` so that the pointer stays valid while OpenSSL holds it.
    var openSSLGroupName: StaticString {
        switch kind {
        case .p256: "prime256v1"
        case .p384: "secp384r1"
        case .p521: "secp521r1"
        }
    }

    /// The curve for an OpenSSL group name (short names and NIST aliases), or `nil`.
    init?(openSSLGroupName name: String) {
        switch name {
        case "prime256v1", "P-256", "secp256r1": self = .p256
        case "secp384r1", "P-384": self = .p384
        case "secp521r1", "P-521": self = .p521
        default: return nil
        }
    }

    /// The order `n` of the base point, big-endian, exactly ``coordinateByteCount`` bytes. A signature's `r`
    /// and `s` must lie in `[1, n - 1]`.
    var order: [UInt8] {
        switch kind {
        case .p256: Self.p256Order
        case .p384: Self.p384Order
        case .p521: Self.p521Order
        }
    }

    // Orders from SEC 2 v2 §2.4.2, §2.5.1, §2.6.1 (checked against OpenSSL in the tests).
    private static let p256Order: [UInt8] = hexBytes(
        "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551"
    )
    private static let p384Order: [UInt8] = hexBytes(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973"
    )
    private static let p521Order: [UInt8] = hexBytes(
        "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
            + "FA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409"
    )

    /// Whether a big-endian scalar of exactly ``coordinateByteCount`` bytes lies in `[1, n - 1]`.
    ///
    /// Not constant time: use it on public values (signature components) only.
    func isValidSignatureScalar(_ scalar: UnsafeRawBufferPointer) -> Bool {
        let order = self.order
        guard scalar.count == order.count else { return false }
        var isZero = true
        for byte in scalar where byte != 0 {
            isZero = false
            break
        }
        if isZero { return false }
        for index in 0..<order.count {
            let byte = scalar[index]
            if byte != order[index] { return byte < order[index] }
        }
        return false  // equal to n
    }
}

/// Decodes a hex string of an even number of digits. For constants only: traps on bad input.
func hexBytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    func value(_ digit: UInt8) -> UInt8 {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: preconditionFailure("not a hex digit")
        }
    }
    return stride(from: 0, to: digits.count, by: 2).map { value(digits[$0]) << 4 | value(digits[$0 + 1]) }
}
