/// A hash function from the SHA-2 family, as used by HMAC, RSA and ECDSA signatures.
///
/// An open set: more functions may be added later, so `switch` over values with a `default` case.
public struct HashFunction: Hashable, Sendable, CustomStringConvertible {
    enum Kind: Hashable, Sendable, CaseIterable {
        case sha256
        case sha384
        case sha512
    }

    let kind: Kind

    private init(_ kind: Kind) {
        self.kind = kind
    }

    /// SHA-256 (FIPS 180-4), 32-byte digest.
    public static let sha256 = HashFunction(.sha256)
    /// SHA-384 (FIPS 180-4), 48-byte digest.
    public static let sha384 = HashFunction(.sha384)
    /// SHA-512 (FIPS 180-4), 64-byte digest.
    public static let sha512 = HashFunction(.sha512)

    /// The length of this function's digest in bytes: 32, 48 or 64.
    public var digestByteCount: Int {
        switch kind {
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    /// The function's name: `SHA-256`, `SHA-384` or `SHA-512`.
    public var description: String {
        switch kind {
        case .sha256: "SHA-256"
        case .sha384: "SHA-384"
        case .sha512: "SHA-512"
        }
    }

    /// The largest digest of any supported function, for stack buffers.
    static let maximumDigestByteCount = 64

    /// A small dense index (0, 1, 2), used to pick a slot in per-key context pools.
    var index: Int {
        switch kind {
        case .sha256: 0
        case .sha384: 1
        case .sha512: 2
        }
    }

    /// The number of distinct ``index`` values.
    static let indexCount = 3

    /// The algorithm name OpenSSL fetches it by. A `StaticString` so that the pointer stays valid for as long as
    /// OpenSSL keeps it (OSSL_PARAM stores pointers, not copies).
    var openSSLName: StaticString {
        switch kind {
        case .sha256: "SHA256"
        case .sha384: "SHA384"
        case .sha512: "SHA512"
        }
    }
}
