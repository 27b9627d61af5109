internal import CSmartAuthOpenSSL

/// An RSA public key for verifying RSASSA-PKCS1-v1_5 and RSASSA-PSS signatures (JWS `RS*`, `PS*`).
///
/// Every way of making one validates the key: the modulus must have 2048 to 16384 bits, the public exponent
/// must be odd, at least 3 and at most 64 bits, and the modulus must not carry the ROCA fingerprint
/// (CVE-2017-15361). Verifying is safe from many threads at once; it reuses configured OpenSSL contexts from a
/// per-key pool.
public final class RSAPublicKey: Sendable {
    /// The modulus, big-endian, without leading zero bytes.
    public let modulus: [UInt8]
    /// The public exponent, big-endian, without leading zero bytes.
    public let exponent: [UInt8]
    /// The number of significant bits of the modulus (at least 2048).
    public let modulusBitCount: Int

    let key: EVPKey
    /// The modulus length in bytes: the only valid signature length.
    private let modulusByteCount: Int
    private let verifyContexts = PKeyContextPool(slotCount: HashFunction.indexCount * RSAPadding.indexCount)

    /// The smallest accepted modulus, in bits.
    static let minimumModulusBitCount = 2048
    /// The largest accepted modulus, in bits (OpenSSL's `OPENSSL_RSA_MAX_MODULUS_BITS`).
    static let maximumModulusBitCount = 16384
    /// The largest accepted public exponent, in bits (bounds verification cost).
    static let maximumExponentBitCount = 64

    /// Makes a key from its modulus and exponent, for example from a JWK's `n` and `e`.
    ///
    /// - Parameters:
    ///   - modulus: The modulus `n`, big-endian unsigned. Leading zero bytes are tolerated.
    ///   - exponent: The public exponent `e`, big-endian unsigned. Leading zero bytes are tolerated.
    /// - Throws: ``CryptoError/Code/weakKey`` if the modulus is under 2048 bits, the exponent is even or below
    ///   3, or the modulus has the ROCA fingerprint; ``CryptoError/Code/unsupported`` if the modulus is over
    ///   16384 bits or the exponent over 64 bits; ``CryptoError/Code/invalidKey`` if the modulus is even or
    ///   OpenSSL rejects the key.
    public convenience init(modulus: [UInt8], exponent: [UInt8]) throws(CryptoError) {
        let modulus = modulus.withoutLeadingZeros
        let exponent = exponent.withoutLeadingZeros
        try Self.validate(modulus: modulus, exponent: exponent)
        let parameters = try ParamBuilder()
        try parameters.pushBigNumber("n", modulus)  // OSSL_PKEY_PARAM_RSA_N
        try parameters.pushBigNumber("e", exponent)  // OSSL_PKEY_PARAM_RSA_E
        let key = try EVPKey.fromData(keyType: "RSA", selection: EVPKey.publicSelection, parameters: parameters)
        self.init(validatedKey: key, modulus: modulus, exponent: exponent)
    }

    /// Reads a key from a PEM `PUBLIC KEY` block (SubjectPublicKeyInfo), with the same validation as
    /// ``init(modulus:exponent:)``.
    ///
    /// - Parameter pem: The PEM text: exactly one block, nothing else but surrounding whitespace.
    /// - Throws: ``CryptoError/Code/invalidPEM`` if the text is not one well-formed `PUBLIC KEY` block;
    ///   ``CryptoError/Code/invalidKey`` if it holds a key that is not RSA; the validation errors of
    ///   ``init(modulus:exponent:)``.
    public convenience init(pem: String) throws(CryptoError) {
        try self.init(decoded: EVPKey.decodePublicKey(pem: pem))
    }

    /// Reads a key from DER SubjectPublicKeyInfo, with the same validation as ``init(modulus:exponent:)``.
    ///
    /// - Parameter derSPKI: The DER bytes, exactly one structure.
    /// - Throws: ``CryptoError/Code/invalidPEM`` if the bytes are not a SubjectPublicKeyInfo;
    ///   ``CryptoError/Code/invalidKey`` if they hold a key that is not RSA; the validation errors of
    ///   ``init(modulus:exponent:)``.
    public convenience init(derSPKI: [UInt8]) throws(CryptoError) {
        try self.init(decoded: EVPKey.decodePublicKey(derSPKI: derSPKI))
    }

    /// Re-builds and validates a decoded key from its components.
    convenience init(decoded: EVPKey) throws(CryptoError) {
        guard decoded.isA("RSA") else {
            throw .invalidKey("the key is not an RSA key")
        }
        guard let modulus = decoded.publicBigNumber("n"), let exponent = decoded.publicBigNumber("e") else {
            throw .invalidKey("the RSA key has no modulus or exponent")
        }
        try self.init(modulus: modulus, exponent: exponent)
    }

    /// Wraps a key whose components have passed ``validate(modulus:exponent:)``.
    init(validatedKey key: EVPKey, modulus: [UInt8], exponent: [UInt8]) {
        self.key = key
        self.modulus = modulus
        self.exponent = exponent
        self.modulusBitCount = bitCount(ofBigEndian: modulus)
        self.modulusByteCount = modulus.count
    }

    /// The public-key policy shared by every way of making an RSA key. Expects minimal big-endian input.
    static func validate(modulus: [UInt8], exponent: [UInt8]) throws(CryptoError) {
        guard let lastModulusByte = modulus.last else {
            throw .invalidKey("the RSA modulus is empty or zero")
        }
        guard lastModulusByte & 1 == 1 else {
            throw .invalidKey("the RSA modulus is even")
        }
        let bits = bitCount(ofBigEndian: modulus)
        guard bits >= minimumModulusBitCount else {
            throw .weakKey("the RSA modulus has \(bits) bits; at least \(minimumModulusBitCount) are required")
        }
        guard bits <= maximumModulusBitCount else {
            throw .unsupported("the RSA modulus has \(bits) bits; at most \(maximumModulusBitCount) are supported")
        }
        guard let lastExponentByte = exponent.last, lastExponentByte & 1 == 1,
            exponent.count > 1 || lastExponentByte >= 3
        else {
            throw .weakKey("the RSA public exponent must be odd and at least 3")
        }
        guard bitCount(ofBigEndian: exponent) <= maximumExponentBitCount else {
            throw .unsupported("the RSA public exponent has more than \(maximumExponentBitCount) bits")
        }
        guard !ROCA.isVulnerable(modulus: modulus) else {
            throw .weakKey("the RSA modulus has the ROCA fingerprint (CVE-2017-15361) and is factorable")
        }
    }

    /// The key as PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`).
    public var pemRepresentation: String {
        PEMDocument(label: "PUBLIC KEY", der: derRepresentation).pemString
    }

    /// The key as DER SubjectPublicKeyInfo.
    public var derRepresentation: [UInt8] {
        key.subjectPublicKeyInfoDER()
    }

    /// Verifies a signature over a message.
    ///
    /// The signature must be exactly as long as the modulus (``modulusBitCount`` rounded up to bytes); shorter or
    /// longer input is refused without further work, as is a signature whose value is not below the modulus.
    /// With ``RSAPadding/pkcs1v15`` the whole `EMSA-PKCS1-v1_5` encoding is rebuilt and compared; with
    /// ``RSAPadding/pss`` the salt must be exactly as long as the digest and MGF1 must use `hash`.
    ///
    /// - Parameters:
    ///   - signature: The signature.
    ///   - message: The signed message (it is hashed here).
    ///   - hash: The hash function the signer used.
    ///   - padding: The padding the signer used.
    /// - Returns: `true` only if the signature is valid; `false` for any failure.
    public func isValidSignature(
        _ signature: UnsafeRawBufferPointer,
        for message: UnsafeRawBufferPointer,
        hash: HashFunction,
        padding: RSAPadding
    ) -> Bool {
        guard signature.count == modulusByteCount, let signatureBase = signature.baseAddress else { return false }
        let slot = hash.index * RSAPadding.indexCount + padding.index
        let status = hash.withDigest(of: message) { digest in
            verifyContexts.withContext(
                slot: slot,
                make: { RSAPublicKey.makeContext(for: key, hash: hash, padding: padding, verifying: true) }
            ) { context in
                EVP_PKEY_verify(
                    context,
                    signatureBase.assumingMemoryBound(to: UInt8.self),
                    signature.count,
                    digest.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    digest.count
                )
            }
        }
        guard status == 1 else {
            OpenSSLErrorStack.clear()
            return false
        }
        return true
    }

    /// Verifies a signature over a message. See ``isValidSignature(_:for:hash:padding:)-(UnsafeRawBufferPointer,UnsafeRawBufferPointer,_,_)``.
    ///
    /// - Parameters:
    ///   - signature: The signature; must be exactly the modulus length.
    ///   - message: The signed message (it is hashed here).
    ///   - hash: The hash function the signer used.
    ///   - padding: The padding the signer used.
    /// - Returns: `true` only if the signature is valid; `false` for any failure.
    public func isValidSignature(
        _ signature: [UInt8],
        for message: [UInt8],
        hash: HashFunction,
        padding: RSAPadding
    ) -> Bool {
        signature.withUnsafeBytes { signature in
            message.withUnsafeBytes { message in
                isValidSignature(signature, for: message, hash: hash, padding: padding)
            }
        }
    }

    /// A new context through `EVP_PKEY_verify_init` (or `sign_init`) with padding, signature digest and, for
    /// PSS, MGF1 digest and a salt length equal to the digest length, owned by the caller (a ``ContextPool``).
    /// `nil` (error queue cleared) on failure.
    static func makeContext(
        for key: EVPKey,
        hash: HashFunction,
        padding: RSAPadding,
        verifying: Bool
    ) -> OpaquePointer? {
        guard let pointer = EVP_PKEY_CTX_new_from_pkey(nil, key.pointer, nil) else {
            OpenSSLErrorStack.clear()
            return nil
        }
        var succeeded =
            (verifying ? EVP_PKEY_verify_init(pointer) : EVP_PKEY_sign_init(pointer)) == 1
            && EVP_PKEY_CTX_set_rsa_padding(
                pointer,
                padding == .pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING
            ) == 1
            && EVP_PKEY_CTX_set_signature_md(pointer, hash.evpMD) == 1
        if succeeded && padding == .pss {
            succeeded =
                EVP_PKEY_CTX_set_rsa_mgf1_md(pointer, hash.evpMD) == 1
                // RSA_PSS_SALTLEN_DIGEST: salt length = digest length; on verify any other length is rejected.
                && EVP_PKEY_CTX_set_rsa_pss_saltlen(pointer, RSA_PSS_SALTLEN_DIGEST) == 1
        }
        guard succeeded else {
            EVP_PKEY_CTX_free(pointer)
            OpenSSLErrorStack.clear()
            return nil
        }
        return pointer
    }
}
