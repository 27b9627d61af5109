internal import CSmartAuthOpenSSL

/// An ECDSA private key on P-256, P-384 or P-521, for JWS `ES256`/`ES384`/`ES512` signatures.
///
/// Signing is safe from many threads at once.
public final class ECPrivateKey: Sendable {
    /// The matching public key.
    public let publicKey: ECPublicKey

    let key: EVPKey
    private let signContexts = PKeyContextPool(slotCount: HashFunction.indexCount)

    /// Makes a key from its private scalar, for example from a JWK's `d` (and optionally `x`, `y`).
    ///
    /// The public point is computed from `d`. If `x` and `y` are given they must match it. OpenSSL then checks
    /// the key pair (`d` in `[1, n - 1]`, point on the curve).
    ///
    /// - Parameters:
    ///   - curve: The curve.
    ///   - d: The private scalar, big-endian, exactly ``EllipticCurve/coordinateByteCount`` bytes.
    ///   - x: The public x coordinate, or `nil`. Must be given together with `y`.
    ///   - y: The public y coordinate, or `nil`. Must be given together with `x`.
    /// - Throws: ``CryptoError/Code/invalidKey`` if `d` has the wrong length or is out of range, only one of
    ///   `x` and `y` is given, or they do not match `d`.
    public convenience init(
        curve: EllipticCurve,
        d: SecretBytes,
        x: [UInt8]? = nil,
        y: [UInt8]? = nil
    ) throws(CryptoError) {
        let length = curve.coordinateByteCount
        guard d.count == length else {
            throw .invalidKey("a \(curve) private scalar must be \(length) bytes, got \(d.count)")
        }
        guard (x == nil) == (y == nil) else {
            throw .invalidKey("the EC public coordinates x and y must be given together")
        }
        let point = try Self.publicPoint(curve: curve, d: d)
        let computedX = Array(point[1...length])
        let computedY = Array(point[(length + 1)...])
        if let x, let y {
            guard x == computedX, y == computedY else {
                throw .invalidKey("the EC public point does not match the private scalar")
            }
        }
        let publicKey = try ECPublicKey(curve: curve, x: computedX, y: computedY)
        let parameters = try ParamBuilder()
        try parameters.pushUTF8("group", curve.openSSLGroupName)  // OSSL_PKEY_PARAM_GROUP_NAME
        try parameters.pushBigNumber("priv", d)  // OSSL_PKEY_PARAM_PRIV_KEY
        try parameters.pushOctets("pub", point)  // OSSL_PKEY_PARAM_PUB_KEY
        let key = try EVPKey.fromData(keyType: "EC", selection: EVPKey.keyPairSelection, parameters: parameters)
        try key.check("EC key pair check") { EVP_PKEY_check($0) }
        self.init(key: key, publicKey: publicKey)
    }

    /// Reads a key from PEM: a PKCS#8 `PRIVATE KEY` or a SEC1 `EC PRIVATE KEY` block, with a named curve.
    /// Encrypted keys are not supported. The key is validated as in ``init(curve:d:x:y:)``.
    ///
    /// - Parameter pem: The PEM text: exactly one block, nothing else but surrounding whitespace.
    /// - Throws: ``CryptoError/Code/invalidPEM`` if the text is not one well-formed block of those kinds;
    ///   ``CryptoError/Code/invalidKey`` if it holds a key that is not EC or is inconsistent;
    ///   ``CryptoError/Code/unsupported`` if the curve is not P-256, P-384 or P-521.
    public convenience init(pem: String) throws(CryptoError) {
        var document = try PEMDocument(parsing: pem)
        let structure: StaticString
        switch document.label {
        case "PRIVATE KEY": structure = "PrivateKeyInfo"
        case "EC PRIVATE KEY": structure = "type-specific"
        default: throw .invalidPEM("expected a PEM PRIVATE KEY or EC PRIVATE KEY block, got \(document.label)")
        }
        // Zero the decoded DER in place (the document is its only owner) once it has been parsed.
        defer { secureZero(&document.der) }
        let decoded = try EVPKey.decode(
            der: document.der,
            structure: structure,
            keyType: document.label == "EC PRIVATE KEY" ? "EC" : nil,
            selection: EVPKey.keyPairSelection
        )
        try self.init(decoded: decoded)
    }

    /// Re-builds and validates a decoded private key from its scalar and point.
    convenience init(decoded: EVPKey) throws(CryptoError) {
        let (curve, x, y) = try ECPublicKey.curveAndPoint(of: decoded)
        guard let d = decoded.secretBigNumber("priv", paddedCount: curve.coordinateByteCount) else {
            throw .invalidKey("the EC key has no valid private scalar")
        }
        try self.init(curve: curve, d: d, x: x, y: y)
    }

    private init(key: EVPKey, publicKey: ECPublicKey) {
        self.key = key
        self.publicKey = publicKey
    }

    /// Generates a new key.
    ///
    /// - Parameter curve: The curve.
    /// - Returns: The key.
    /// - Throws: ``CryptoError/Code/internalFailure`` if OpenSSL fails.
    public static func generate(curve: EllipticCurve) throws(CryptoError) -> ECPrivateKey {
        let key = try EVPKey.generate(keyType: "EC") { context in
            EVP_PKEY_CTX_set_group_name(context, curve.openSSLGroupName.cString)
        }
        let (_, x, y) = try ECPublicKey.curveAndPoint(of: key)
        let publicKey = try ECPublicKey(curve: curve, x: x, y: y)
        return ECPrivateKey(key: key, publicKey: publicKey)
    }

    /// The key's curve.
    public var curve: EllipticCurve {
        publicKey.curve
    }

    /// The private scalar, big-endian, exactly ``EllipticCurve/coordinateByteCount`` bytes.
    public var d: SecretBytes {
        guard let d = key.secretBigNumber("priv", paddedCount: curve.coordinateByteCount) else {
            // The key was built or checked with a scalar of this length; reading it back fails only on
            // memory exhaustion.
            fatalError("OpenSSL could not read back an EC private scalar")
        }
        return d
    }

    /// The key as PEM PKCS#8 (`-----BEGIN PRIVATE KEY-----`), unencrypted.
    ///
    /// - Warning: The string holds the private key and cannot be zeroed; handle it accordingly.
    public var pemRepresentation: String {
        key.privateKeyInfoPEM()
    }

    /// Signs a message with ECDSA.
    ///
    /// - Parameters:
    ///   - message: The message (it is hashed here).
    ///   - hash: The hash function.
    /// - Returns: The signature in IEEE P1363 form, `r || s`, exactly ``EllipticCurve/signatureByteCount`` bytes.
    /// - Throws: ``CryptoError/Code/signingFailed`` if OpenSSL fails.
    public func signature(for message: UnsafeRawBufferPointer, hash: HashFunction) throws(CryptoError) -> [UInt8] {
        let maximumDERLength = Int(EVP_PKEY_get_size(key.pointer))
        let coordinateByteCount = curve.coordinateByteCount
        let signature = hash.withDigest(of: message) { digest in
            signContexts.withContext(slot: hash.index, make: { makeSignContext(hash: hash) }) { context in
                withUnsafeTemporaryAllocation(byteCount: max(maximumDERLength, 1), alignment: 1) { buffer -> [UInt8]? in
                    var length = buffer.count
                    guard
                        EVP_PKEY_sign(
                            context,
                            buffer.baseAddress!.assumingMemoryBound(to: UInt8.self),
                            &length,
                            digest.baseAddress!.assumingMemoryBound(to: UInt8.self),
                            digest.count
                        ) == 1
                    else { return nil }
                    return ECDSASignatureDER.rawSignature(
                        fromDER: UnsafeRawBufferPointer(rebasing: buffer[0..<length]),
                        coordinateByteCount: coordinateByteCount
                    )
                }
            }
        }
        guard case .some(.some(.some(let signature))) = signature else {
            throw CryptoError.openSSL(.signingFailed, "ECDSA \(curve) signing with \(hash) failed")
        }
        return signature
    }

    /// Signs a message with ECDSA. See ``signature(for:hash:)-(UnsafeRawBufferPointer,_)``.
    ///
    /// - Parameters:
    ///   - message: The message (it is hashed here).
    ///   - hash: The hash function.
    /// - Returns: The signature in IEEE P1363 form, `r || s`, exactly ``EllipticCurve/signatureByteCount`` bytes.
    /// - Throws: ``CryptoError/Code/signingFailed`` if OpenSSL fails.
    public func signature(for message: [UInt8], hash: HashFunction) throws(CryptoError) -> [UInt8] {
        try message.withTypedUnsafeBytes { (message) throws(CryptoError) in
            try signature(for: message, hash: hash)
        }
    }

    /// A new context through `EVP_PKEY_sign_init` with the signature digest set, owned by the caller (a
    /// ``ContextPool``). `nil` (error queue cleared) on failure.
    private func makeSignContext(hash: HashFunction) -> OpaquePointer? {
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, key.pointer, nil) else {
            OpenSSLErrorStack.clear()
            return nil
        }
        guard EVP_PKEY_sign_init(context) == 1, EVP_PKEY_CTX_set_signature_md(context, hash.evpMD) == 1 else {
            EVP_PKEY_CTX_free(context)
            OpenSSLErrorStack.clear()
            return nil
        }
        return context
    }

    /// The uncompressed SEC1 encoding (`04 || x || y`) of `d * G`, computed with `EC_POINT_mul`.
    private static func publicPoint(curve: EllipticCurve, d: SecretBytes) throws(CryptoError) -> [UInt8] {
        let group = try checkOpenSSL(
            EC_GROUP_new_by_curve_name_ex(nil, nil, curve.nid),
            .internalFailure,
            "EC_GROUP_new_by_curve_name_ex failed"
        )
        defer { EC_GROUP_free(group) }
        let point = try checkOpenSSL(EC_POINT_new(group), .internalFailure, "EC_POINT_new failed")
        defer { EC_POINT_free(point) }
        let context = try checkOpenSSL(BN_CTX_secure_new(), .internalFailure, "BN_CTX_secure_new failed")
        defer { BN_CTX_free(context) }
        let scalar = try checkOpenSSL(BN_secure_new(), .internalFailure, "BN_secure_new failed")
        defer { BN_clear_free(scalar) }
        let converted = d.withUnsafeBytes { bytes in
            BN_bin2bn(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(bytes.count), scalar)
        }
        _ = try checkOpenSSL(converted, .internalFailure, "BN_bin2bn failed")
        guard BN_is_zero(scalar) == 0 else {
            throw .invalidKey("the EC private scalar is zero")
        }
        try checkOpenSSL(EC_POINT_mul(group, point, scalar, nil, nil, context), .invalidKey, "EC_POINT_mul failed")
        let length = 1 + 2 * curve.coordinateByteCount
        let encoded = [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            initialized = EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, buffer.baseAddress, length, context)
        }
        guard encoded.count == length else {
            throw CryptoError.openSSL(.invalidKey, "the EC public point could not be encoded")
        }
        return encoded
    }
}

extension EllipticCurve {
    /// OpenSSL's NID for the curve.
    var nid: Int32 {
        switch kind {
        case .p256: NID_X9_62_prime256v1
        case .p384: NID_secp384r1
        case .p521: NID_secp521r1
        }
    }
}
