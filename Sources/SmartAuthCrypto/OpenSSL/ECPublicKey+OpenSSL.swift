internal import CSmartAuthOpenSSL

/// An ECDSA public key on P-256, P-384 or P-521, for verifying JWS `ES256`/`ES384`/`ES512` signatures.
///
/// Every way of making one checks that the point is on its curve and is not the point at infinity.
/// Verifying is safe from many threads at once; it reuses configured OpenSSL contexts from a per-key pool.
public final class ECPublicKey: Sendable {
    /// The key's curve.
    public let curve: EllipticCurve
    /// The point's x coordinate, big-endian, exactly ``EllipticCurve/coordinateByteCount`` bytes.
    public let x: [UInt8]
    /// The point's y coordinate, big-endian, exactly ``EllipticCurve/coordinateByteCount`` bytes.
    public let y: [UInt8]

    let key: EVPKey
    private let verifyContexts = PKeyContextPool(slotCount: HashFunction.indexCount)

    /// Makes a key from its affine coordinates, for example from a JWK's `x` and `y`.
    ///
    /// - Parameters:
    ///   - curve: The curve.
    ///   - x: The x coordinate, big-endian, exactly ``EllipticCurve/coordinateByteCount`` bytes.
    ///   - y: The y coordinate, big-endian, exactly ``EllipticCurve/coordinateByteCount`` bytes.
    /// - Throws: ``CryptoError/Code/invalidKey`` if a coordinate has the wrong length or the point is not on
    ///   the curve (or is the point at infinity).
    public convenience init(curve: EllipticCurve, x: [UInt8], y: [UInt8]) throws(CryptoError) {
        let length = curve.coordinateByteCount
        guard x.count == length, y.count == length else {
            throw .invalidKey("\(curve) coordinates must be \(length) bytes each, got \(x.count) and \(y.count)")
        }
        let parameters = try ParamBuilder()
        try parameters.pushUTF8("group", curve.openSSLGroupName)  // OSSL_PKEY_PARAM_GROUP_NAME
        try parameters.pushOctets("pub", [0x04] + x + y)  // OSSL_PKEY_PARAM_PUB_KEY, uncompressed SEC1 point
        // EVP_PKEY_fromdata already refuses points off the curve; the explicit check also covers infinity
        // and the subgroup order.
        let key = try EVPKey.fromData(keyType: "EC", selection: EVPKey.publicSelection, parameters: parameters)
        try key.check("EC public key check") { EVP_PKEY_public_check($0) }
        self.init(validatedKey: key, curve: curve, x: x, y: y)
    }

    /// Reads a key from a PEM `PUBLIC KEY` block (SubjectPublicKeyInfo with a named curve).
    ///
    /// - Parameter pem: The PEM text: exactly one block, nothing else but surrounding whitespace.
    /// - Throws: ``CryptoError/Code/invalidPEM`` if the text is not one well-formed `PUBLIC KEY` block;
    ///   ``CryptoError/Code/invalidKey`` if it holds a key that is not EC or an invalid point;
    ///   ``CryptoError/Code/unsupported`` if the curve is not P-256, P-384 or P-521.
    public convenience init(pem: String) throws(CryptoError) {
        try self.init(decoded: EVPKey.decodePublicKey(pem: pem))
    }

    /// Reads a key from DER SubjectPublicKeyInfo with a named curve.
    ///
    /// - Parameter derSPKI: The DER bytes, exactly one structure.
    /// - Throws: ``CryptoError/Code/invalidPEM`` if the bytes are not a SubjectPublicKeyInfo;
    ///   ``CryptoError/Code/invalidKey`` if they hold a key that is not EC or an invalid point;
    ///   ``CryptoError/Code/unsupported`` if the curve is not P-256, P-384 or P-521.
    public convenience init(derSPKI: [UInt8]) throws(CryptoError) {
        try self.init(decoded: EVPKey.decodePublicKey(derSPKI: derSPKI))
    }

    /// Re-builds and validates a decoded key from its coordinates.
    convenience init(decoded: EVPKey) throws(CryptoError) {
        let (curve, x, y) = try Self.curveAndPoint(of: decoded)
        try self.init(curve: curve, x: x, y: y)
    }

    /// The named curve and fixed-length coordinates of a decoded EC key.
    static func curveAndPoint(of key: EVPKey) throws(CryptoError) -> (EllipticCurve, [UInt8], [UInt8]) {
        guard key.isA("EC") else {
            throw .invalidKey("the key is not an EC key")
        }
        guard let groupName = key.utf8Parameter("group") else {
            throw .unsupported("EC keys with explicit curve parameters are not supported")
        }
        guard let curve = EllipticCurve(openSSLGroupName: groupName) else {
            throw .unsupported("the EC curve \(groupName) is not supported")
        }
        // OSSL_PKEY_PARAM_EC_PUB_X / _Y
        guard let x = key.publicBigNumber("qx")?.leftPadded(to: curve.coordinateByteCount),
            let y = key.publicBigNumber("qy")?.leftPadded(to: curve.coordinateByteCount)
        else {
            throw .invalidKey("the EC key has no valid public point")
        }
        return (curve, x, y)
    }

    /// Wraps a key that has been built from, and checked against, `curve`, `x` and `y`.
    init(validatedKey key: EVPKey, curve: EllipticCurve, x: [UInt8], y: [UInt8]) {
        self.key = key
        self.curve = curve
        self.x = x
        self.y = y
    }

    /// The key as PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`).
    public var pemRepresentation: String {
        PEMDocument(label: "PUBLIC KEY", der: derRepresentation).pemString
    }

    /// The key as DER SubjectPublicKeyInfo.
    public var derRepresentation: [UInt8] {
        key.subjectPublicKeyInfoDER()
    }

    /// Verifies an ECDSA signature over a message.
    ///
    /// The signature must be in the IEEE P1363 form JWS uses, `r || s`, exactly
    /// ``EllipticCurve/signatureByteCount`` bytes, with `r` and `s` in `[1, n - 1]`. DER-encoded signatures are
    /// refused.
    ///
    /// - Parameters:
    ///   - signature: The `r || s` signature.
    ///   - message: The signed message (it is hashed here).
    ///   - hash: The hash function the signer used.
    /// - Returns: `true` only if the signature is valid; `false` for any failure.
    public func isValidSignature(
        _ signature: UnsafeRawBufferPointer,
        for message: UnsafeRawBufferPointer,
        hash: HashFunction
    ) -> Bool {
        let half = curve.coordinateByteCount
        guard signature.count == 2 * half else { return false }
        let r = UnsafeRawBufferPointer(rebasing: signature[0..<half])
        let s = UnsafeRawBufferPointer(rebasing: signature[half...])
        guard curve.isValidSignatureScalar(r), curve.isValidSignatureScalar(s) else { return false }
        let status = ECDSASignatureDER.withDER(r: r, s: s) { der in
            hash.withDigest(of: message) { digest in
                verifyContexts.withContext(slot: hash.index, make: { makeVerifyContext(hash: hash) }) { context in
                    EVP_PKEY_verify(
                        context,
                        der.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        der.count,
                        digest.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        digest.count
                    )
                }
            }
        }
        guard status == 1 else {
            OpenSSLErrorStack.clear()
            return false
        }
        return true
    }

    /// Verifies an ECDSA signature over a message. See
    /// ``isValidSignature(_:for:hash:)-(UnsafeRawBufferPointer,UnsafeRawBufferPointer,_)``.
    ///
    /// - Parameters:
    ///   - signature: The `r || s` signature, exactly ``EllipticCurve/signatureByteCount`` bytes.
    ///   - message: The signed message (it is hashed here).
    ///   - hash: The hash function the signer used.
    /// - Returns: `true` only if the signature is valid; `false` for any failure.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8], hash: HashFunction) -> Bool {
        signature.withUnsafeBytes { signature in
            message.withUnsafeBytes { message in isValidSignature(signature, for: message, hash: hash) }
        }
    }

    /// A new context through `EVP_PKEY_verify_init` with the signature digest set, owned by the caller (a
    /// ``ContextPool``). `nil` (error queue cleared) on failure.
    private func makeVerifyContext(hash: HashFunction) -> OpaquePointer? {
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, key.pointer, nil) else {
            OpenSSLErrorStack.clear()
            return nil
        }
        guard EVP_PKEY_verify_init(context) == 1, EVP_PKEY_CTX_set_signature_md(context, hash.evpMD) == 1 else {
            EVP_PKEY_CTX_free(context)
            OpenSSLErrorStack.clear()
            return nil
        }
        return context
    }
}

/// Converts between the P1363 `r || s` form JWS uses and the DER `ECDSA-Sig-Value` OpenSSL uses, with
/// `ECDSA_SIG`, `i2d_ECDSA_SIG` and `d2i_ECDSA_SIG`.
enum ECDSASignatureDER {
    /// DER-encodes `r` and `s` (big-endian) into a temporary buffer and calls `body` with it.
    /// Returns `nil` if OpenSSL fails.
    static func withDER<R>(
        r: UnsafeRawBufferPointer,
        s: UnsafeRawBufferPointer,
        _ body: (UnsafeRawBufferPointer) -> R?
    ) -> R? {
        guard let signature = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(signature) }
        guard let rNumber = BN_bin2bn(r.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(r.count), nil)
        else { return nil }
        guard let sNumber = BN_bin2bn(s.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(s.count), nil)
        else {
            BN_free(rNumber)
            return nil
        }
        // ECDSA_SIG_set0 takes ownership of both numbers on success only.
        guard ECDSA_SIG_set0(signature, rNumber, sNumber) == 1 else {
            BN_free(rNumber)
            BN_free(sNumber)
            return nil
        }
        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { return nil }
        return withUnsafeTemporaryAllocation(byteCount: Int(length), alignment: 1) { buffer in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            guard i2d_ECDSA_SIG(signature, &cursor) == length else { return nil }
            return body(UnsafeRawBufferPointer(buffer))
        }
    }

    /// Decodes a DER `ECDSA-Sig-Value` into `r || s`, each left-padded to `coordinateByteCount` bytes.
    static func rawSignature(fromDER der: UnsafeRawBufferPointer, coordinateByteCount: Int) -> [UInt8]? {
        var cursor: UnsafePointer<UInt8>? = der.baseAddress?.assumingMemoryBound(to: UInt8.self)
        guard let signature = d2i_ECDSA_SIG(nil, &cursor, der.count) else { return nil }
        defer { ECDSA_SIG_free(signature) }
        let r = ECDSA_SIG_get0_r(signature)
        let s = ECDSA_SIG_get0_s(signature)
        let count = 2 * coordinateByteCount
        let raw = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let base = buffer.baseAddress!
            let width = Int32(coordinateByteCount)
            guard BN_bn2binpad(r, base, width) == width,
                BN_bn2binpad(s, base + coordinateByteCount, width) == width
            else { return }
            initialized = count
        }
        return raw.count == count ? raw : nil
    }
}
