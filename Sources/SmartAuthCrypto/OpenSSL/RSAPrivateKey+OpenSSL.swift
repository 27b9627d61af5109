internal import CSmartAuthOpenSSL

/// An RSA private key for RSASSA-PKCS1-v1_5 and RSASSA-PSS signatures (JWS `RS*`, `PS*`).
///
/// The public part obeys the same policy as ``RSAPublicKey`` (2048 to 16384 bits, odd exponent ≥ 3, no ROCA
/// fingerprint). Only two-prime keys with all CRT parameters are supported. Signing is safe from many threads.
public final class RSAPrivateKey: Sendable {
    /// The integers of an RSA private key (RFC 8017 §3.2), as a JWK carries them (RFC 7518 §6.3).
    ///
    /// All integers are big-endian unsigned; leading zero bytes are tolerated on input.
    public struct Components: Sendable {
        /// The modulus `n` (JWK `n`).
        public var modulus: [UInt8]
        /// The public exponent `e` (JWK `e`).
        public var publicExponent: [UInt8]
        /// The private exponent `d` (JWK `d`).
        public var privateExponent: SecretBytes
        /// The first prime factor `p` (JWK `p`).
        public var prime1: SecretBytes
        /// The second prime factor `q` (JWK `q`).
        public var prime2: SecretBytes
        /// `d mod (p - 1)` (JWK `dp`).
        public var exponent1: SecretBytes
        /// `d mod (q - 1)` (JWK `dq`).
        public var exponent2: SecretBytes
        /// `q^-1 mod p` (JWK `qi`).
        public var coefficient: SecretBytes

        /// Makes a set of components.
        ///
        /// - Parameters:
        ///   - modulus: The modulus `n`.
        ///   - publicExponent: The public exponent `e`.
        ///   - privateExponent: The private exponent `d`.
        ///   - prime1: The first prime factor `p`, or empty if unknown.
        ///   - prime2: The second prime factor `q`, or empty if unknown.
        ///   - exponent1: `d mod (p - 1)`, or empty if unknown.
        ///   - exponent2: `d mod (q - 1)`, or empty if unknown.
        ///   - coefficient: `q^-1 mod p`, or empty if unknown.
        public init(
            modulus: [UInt8],
            publicExponent: [UInt8],
            privateExponent: SecretBytes,
            prime1: SecretBytes,
            prime2: SecretBytes,
            exponent1: SecretBytes,
            exponent2: SecretBytes,
            coefficient: SecretBytes
        ) {
            self.modulus = modulus
            self.publicExponent = publicExponent
            self.privateExponent = privateExponent
            self.prime1 = prime1
            self.prime2 = prime2
            self.exponent1 = exponent1
            self.exponent2 = exponent2
            self.coefficient = coefficient
        }
    }

    /// The matching public key.
    public let publicKey: RSAPublicKey

    let key: EVPKey
    private let signContexts = PKeyContextPool(slotCount: HashFunction.indexCount * RSAPadding.indexCount)

    /// Makes a key from its components, for example from a JWK.
    ///
    /// `n`, `e` and `d` are required. The CRT parameters `p`, `q`, `dp`, `dq`, `qi` are all or nothing, and
    /// for now all are required: a key with only `d` is refused as unsupported. OpenSSL then checks that the
    /// components form a consistent key pair.
    ///
    /// - Parameter components: The key's integers.
    /// - Throws: ``CryptoError/Code/unsupported`` if the CRT parameters are all missing;
    ///   ``CryptoError/Code/invalidKey`` if some are missing, `d` is missing, or the components are inconsistent;
    ///   the validation errors of ``RSAPublicKey/init(modulus:exponent:)``.
    public convenience init(components: Components) throws(CryptoError) {
        let publicKey = try RSAPublicKey(modulus: components.modulus, exponent: components.publicExponent)
        guard components.privateExponent.count > 0 else {
            throw .invalidKey("the RSA private exponent d is missing")
        }
        let crt = [components.prime1, components.prime2, components.exponent1, components.exponent2,
                   components.coefficient]
        let missing = crt.filter { $0.count == 0 }.count
        guard missing == 0 else {
            if missing == crt.count {
                throw .unsupported("RSA private keys without the CRT parameters p, q, dp, dq, qi are not supported")
            }
            throw .invalidKey("the RSA CRT parameters p, q, dp, dq, qi must be given all together")
        }
        let parameters = try ParamBuilder()
        // OSSL_PKEY_PARAM_RSA_N, _E, _D, _FACTOR1/2, _EXPONENT1/2, _COEFFICIENT1.
        try parameters.pushBigNumber("n", publicKey.modulus)
        try parameters.pushBigNumber("e", publicKey.exponent)
        try parameters.pushBigNumber("d", components.privateExponent)
        try parameters.pushBigNumber("rsa-factor1", components.prime1)
        try parameters.pushBigNumber("rsa-factor2", components.prime2)
        try parameters.pushBigNumber("rsa-exponent1", components.exponent1)
        try parameters.pushBigNumber("rsa-exponent2", components.exponent2)
        try parameters.pushBigNumber("rsa-coefficient1", components.coefficient)
        let key = try EVPKey.fromData(keyType: "RSA", selection: EVPKey.keyPairSelection, parameters: parameters)
        try key.check("RSA key pair check") { EVP_PKEY_pairwise_check($0) }
        self.init(key: key, publicKey: publicKey)
    }

    /// Reads a key from PEM: a PKCS#8 `PRIVATE KEY` or a PKCS#1 `RSA PRIVATE KEY` block. Encrypted keys are not
    /// supported. The key is validated as in ``init(components:)``.
    ///
    /// - Parameter pem: The PEM text: exactly one block, nothing else but surrounding whitespace.
    /// - Throws: ``CryptoError/Code/invalidPEM`` if the text is not one well-formed block of those kinds;
    ///   ``CryptoError/Code/invalidKey`` if it holds a key that is not RSA; the errors of ``init(components:)``.
    public convenience init(pem: String) throws(CryptoError) {
        var document = try PEMDocument(parsing: pem)
        let structure: StaticString
        switch document.label {
        case "PRIVATE KEY": structure = "PrivateKeyInfo"
        case "RSA PRIVATE KEY": structure = "type-specific"
        default: throw .invalidPEM("expected a PEM PRIVATE KEY or RSA PRIVATE KEY block, got \(document.label)")
        }
        // Zero the decoded DER in place (the document is its only owner) once it has been parsed.
        defer { secureZero(&document.der) }
        let decoded = try EVPKey.decode(
            der: document.der,
            structure: structure,
            keyType: document.label == "RSA PRIVATE KEY" ? "RSA" : nil,
            selection: EVPKey.keyPairSelection
        )
        try self.init(decoded: decoded)
    }

    /// Re-builds and validates a decoded private key from its components.
    convenience init(decoded: EVPKey) throws(CryptoError) {
        guard decoded.isA("RSA") else {
            throw .invalidKey("the key is not an RSA key")
        }
        guard decoded.publicBigNumber("rsa-factor3") == nil else {
            throw .unsupported("multi-prime RSA keys are not supported")
        }
        try self.init(components: Self.components(of: decoded))
    }

    private init(key: EVPKey, publicKey: RSAPublicKey) {
        self.key = key
        self.publicKey = publicKey
    }

    /// Generates a new key.
    ///
    /// - Parameter bits: The modulus size: at least 2048, at most 16384. Defaults to 2048.
    /// - Returns: The key, with public exponent 65537.
    /// - Throws: ``CryptoError/Code/weakKey`` if `bits` is under 2048; ``CryptoError/Code/unsupported`` if it is
    ///   over 16384; ``CryptoError/Code/internalFailure`` if OpenSSL fails.
    public static func generate(bits: Int = 2048) throws(CryptoError) -> RSAPrivateKey {
        guard bits >= RSAPublicKey.minimumModulusBitCount else {
            throw .weakKey("RSA keys need at least \(RSAPublicKey.minimumModulusBitCount) bits, asked for \(bits)")
        }
        guard bits <= RSAPublicKey.maximumModulusBitCount else {
            throw .unsupported("RSA keys of more than \(RSAPublicKey.maximumModulusBitCount) bits are not supported")
        }
        let key = try EVPKey.generate(keyType: "RSA") { EVP_PKEY_CTX_set_rsa_keygen_bits($0, Int32(bits)) }
        guard let modulus = key.publicBigNumber("n"), let exponent = key.publicBigNumber("e") else {
            throw .internalFailure("the generated RSA key has no modulus")
        }
        // The public policy is still applied (a generated modulus could in theory have the ROCA fingerprint).
        try RSAPublicKey.validate(modulus: modulus, exponent: exponent)
        let parameters = try ParamBuilder()
        try parameters.pushBigNumber("n", modulus)
        try parameters.pushBigNumber("e", exponent)
        let publicEVPKey = try EVPKey.fromData(
            keyType: "RSA",
            selection: EVPKey.publicSelection,
            parameters: parameters,
            failureCode: .internalFailure
        )
        let publicKey = RSAPublicKey(validatedKey: publicEVPKey, modulus: modulus, exponent: exponent)
        return RSAPrivateKey(key: key, publicKey: publicKey)
    }

    /// The key's integers, for example to export a JWK.
    public var components: Components {
        Self.components(of: key)
    }

    private static func components(of key: EVPKey) -> Components {
        func secret(_ name: StaticString) -> SecretBytes {
            key.secretBigNumber(name) ?? SecretBytes([])
        }
        return Components(
            modulus: key.publicBigNumber("n") ?? [],
            publicExponent: key.publicBigNumber("e") ?? [],
            privateExponent: secret("d"),
            prime1: secret("rsa-factor1"),
            prime2: secret("rsa-factor2"),
            exponent1: secret("rsa-exponent1"),
            exponent2: secret("rsa-exponent2"),
            coefficient: secret("rsa-coefficient1")
        )
    }

    /// The key as PEM PKCS#8 (`-----BEGIN PRIVATE KEY-----`), unencrypted.
    ///
    /// - Warning: The string holds the private key and cannot be zeroed; handle it accordingly.
    public var pemRepresentation: String {
        key.privateKeyInfoPEM()
    }

    /// Signs a message.
    ///
    /// With ``RSAPadding/pss`` the salt is as long as the digest and MGF1 uses `hash`, as JWS `PS*` requires.
    ///
    /// - Parameters:
    ///   - message: The message (it is hashed here).
    ///   - hash: The hash function.
    ///   - padding: The padding scheme.
    /// - Returns: The signature, exactly as long as the modulus.
    /// - Throws: ``CryptoError/Code/signingFailed`` if OpenSSL fails.
    public func signature(
        for message: UnsafeRawBufferPointer,
        hash: HashFunction,
        padding: RSAPadding
    ) throws(CryptoError) -> [UInt8] {
        let slot = hash.index * RSAPadding.indexCount + padding.index
        let length = publicKey.modulus.count
        let signature = hash.withDigest(of: message) { digest in
            signContexts.withContext(
                slot: slot,
                make: { RSAPublicKey.makeContext(for: key, hash: hash, padding: padding, verifying: false) }
            ) { context in
                [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
                    var written = length
                    let status = EVP_PKEY_sign(
                        context,
                        buffer.baseAddress,
                        &written,
                        digest.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        digest.count
                    )
                    initialized = status == 1 && written == length ? length : 0
                }
            }
        }
        guard let signature = signature ?? nil, signature.count == length else {
            throw CryptoError.openSSL(.signingFailed, "RSA \(padding) signing with \(hash) failed")
        }
        return signature
    }

    /// Signs a message. See ``signature(for:hash:padding:)-(UnsafeRawBufferPointer,_,_)``.
    ///
    /// - Parameters:
    ///   - message: The message (it is hashed here).
    ///   - hash: The hash function.
    ///   - padding: The padding scheme.
    /// - Returns: The signature, exactly as long as the modulus.
    /// - Throws: ``CryptoError/Code/signingFailed`` if OpenSSL fails.
    public func signature(for message: [UInt8], hash: HashFunction, padding: RSAPadding) throws(CryptoError) -> [UInt8] {
        try message.withTypedUnsafeBytes { (message) throws(CryptoError) in
            try signature(for: message, hash: hash, padding: padding)
        }
    }
}
