internal import CSmartAuthOpenSSL

/// An Ed25519 public key (RFC 8032), for verifying JWS `EdDSA` signatures (RFC 8037).
///
/// Verifying is safe from many threads at once.
public final class Ed25519PublicKey: Sendable {
    /// The length of a public key and of a seed, in bytes.
    static let keyByteCount = 32
    /// The length of a signature, in bytes.
    static let signatureByteCount = 64

    /// The 32-byte encoded point (RFC 8032 §5.1.5), as in a JWK's `x`.
    public let rawRepresentation: [UInt8]

    let key: EVPKey
    /// `EVP_MD_CTX`s kept between verifications (each is initialised again for every one): saves allocating
    /// and freeing one per signature.
    private let contexts = ContextPool(kind: .digest)

    /// Makes a key from its 32-byte encoding, for example from a JWK's `x`.
    ///
    /// - Parameter rawRepresentation: The encoded point, exactly 32 bytes.
    /// - Throws: ``CryptoError/Code/invalidKey`` if it is not 32 bytes or OpenSSL rejects it.
    public convenience init(rawRepresentation: [UInt8]) throws(CryptoError) {
        guard rawRepresentation.count == Self.keyByteCount else {
            throw .invalidKey("an Ed25519 public key must be 32 bytes, got \(rawRepresentation.count)")
        }
        let keyType: StaticString = "ED25519"
        let pointer = rawRepresentation.withUnsafeBytes { bytes in
            EVP_PKEY_new_raw_public_key_ex(
                nil,
                keyType.cString,
                nil,
                bytes.baseAddress!.assumingMemoryBound(to: UInt8.self),
                bytes.count
            )
        }
        let key = try EVPKey(
            takingOwnershipOf: checkOpenSSL(pointer, .invalidKey, "OpenSSL rejected the Ed25519 public key")
        )
        self.init(key: key, rawRepresentation: rawRepresentation)
    }

    /// Reads a key from a PEM `PUBLIC KEY` block (SubjectPublicKeyInfo).
    ///
    /// - Parameter pem: The PEM text: exactly one block, nothing else but surrounding whitespace.
    /// - Throws: ``CryptoError/Code/invalidPEM`` if the text is not one well-formed `PUBLIC KEY` block;
    ///   ``CryptoError/Code/invalidKey`` if it holds a key that is not Ed25519.
    public convenience init(pem: String) throws(CryptoError) {
        try self.init(decoded: EVPKey.decodePublicKey(pem: pem))
    }

    /// Reads a key from DER SubjectPublicKeyInfo.
    ///
    /// - Parameter derSPKI: The DER bytes, exactly one structure.
    /// - Throws: ``CryptoError/Code/invalidPEM`` if the bytes are not a SubjectPublicKeyInfo;
    ///   ``CryptoError/Code/invalidKey`` if they hold a key that is not Ed25519.
    public convenience init(derSPKI: [UInt8]) throws(CryptoError) {
        try self.init(decoded: EVPKey.decodePublicKey(derSPKI: derSPKI))
    }

    /// Re-builds a decoded key from its raw encoding.
    convenience init(decoded: EVPKey) throws(CryptoError) {
        guard decoded.isA("ED25519") else {
            throw .invalidKey("the key is not an Ed25519 key")
        }
        var raw = [UInt8](repeating: 0, count: Self.keyByteCount)
        var length = raw.count
        guard EVP_PKEY_get_raw_public_key(decoded.pointer, &raw, &length) == 1, length == Self.keyByteCount else {
            throw CryptoError.openSSL(.invalidKey, "the Ed25519 key has no public key")
        }
        try self.init(rawRepresentation: raw)
    }

    private init(key: EVPKey, rawRepresentation: [UInt8]) {
        self.key = key
        self.rawRepresentation = rawRepresentation
    }

    /// The key as PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`).
    public var pemRepresentation: String {
        PEMDocument(label: "PUBLIC KEY", der: derRepresentation).pemString
    }

    /// The key as DER SubjectPublicKeyInfo.
    public var derRepresentation: [UInt8] {
        key.subjectPublicKeyInfoDER()
    }

    /// Verifies an Ed25519 signature over a message (pure Ed25519, no pre-hashing, no context).
    ///
    /// - Parameters:
    ///   - signature: The signature, exactly 64 bytes.
    ///   - message: The signed message.
    /// - Returns: `true` only if the signature is valid; `false` for any failure.
    public func isValidSignature(_ signature: UnsafeRawBufferPointer, for message: UnsafeRawBufferPointer) -> Bool {
        guard signature.count == Self.signatureByteCount, let signatureBase = signature.baseAddress else {
            return false
        }
        let status = contexts.withContext(make: { EVP_MD_CTX_new() }) { context in
            message.withNonNullBaseAddress { base, count in
                guard EVP_DigestVerifyInit_ex(context, nil, nil, nil, nil, key.pointer, nil) == 1 else { return Int32(0) }
                return EVP_DigestVerify(
                    context,
                    signatureBase.assumingMemoryBound(to: UInt8.self),
                    signature.count,
                    base.assumingMemoryBound(to: UInt8.self),
                    count
                )
            }
        }
        guard status == 1 else {
            OpenSSLErrorStack.clear()
            return false
        }
        return true
    }

    /// Verifies an Ed25519 signature over a message. See
    /// ``isValidSignature(_:for:)-(UnsafeRawBufferPointer,UnsafeRawBufferPointer)``.
    ///
    /// - Parameters:
    ///   - signature: The signature, exactly 64 bytes.
    ///   - message: The signed message.
    /// - Returns: `true` only if the signature is valid; `false` for any failure.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        signature.withUnsafeBytes { signature in
            message.withUnsafeBytes { message in isValidSignature(signature, for: message) }
        }
    }
}

/// An Ed25519 private key (RFC 8032), for JWS `EdDSA` signatures (RFC 8037).
///
/// Signing is safe from many threads at once.
public final class Ed25519PrivateKey: Sendable {
    /// The matching public key.
    public let publicKey: Ed25519PublicKey

    let key: EVPKey
    /// `EVP_MD_CTX`s kept between signatures (each is initialised again for every one): saves allocating and
    /// freeing one per signature. An idle context refers to the key, which it keeps alive, and to nothing else.
    private let contexts = ContextPool(kind: .digest)

    /// Makes a key from its 32-byte seed (RFC 8032 §5.1.5), for example from a JWK's `d`.
    ///
    /// - Parameter seed: The seed, exactly 32 bytes.
    /// - Throws: ``CryptoError/Code/invalidKey`` if it is not 32 bytes or OpenSSL rejects it.
    public convenience init(seed: SecretBytes) throws(CryptoError) {
        guard seed.count == Ed25519PublicKey.keyByteCount else {
            throw .invalidKey("an Ed25519 seed must be 32 bytes, got \(seed.count)")
        }
        let keyType: StaticString = "ED25519"
        let pointer = seed.withUnsafeBytes { bytes in
            EVP_PKEY_new_raw_private_key_ex(
                nil,
                keyType.cString,
                nil,
                bytes.baseAddress!.assumingMemoryBound(to: UInt8.self),
                bytes.count
            )
        }
        let key = try EVPKey(
            takingOwnershipOf: checkOpenSSL(pointer, .invalidKey, "OpenSSL rejected the Ed25519 seed")
        )
        try self.init(key: key)
    }

    /// Reads a key from a PEM PKCS#8 `PRIVATE KEY` block. Encrypted keys are not supported.
    ///
    /// - Parameter pem: The PEM text: exactly one block, nothing else but surrounding whitespace.
    /// - Throws: ``CryptoError/Code/invalidPEM`` if the text is not one well-formed `PRIVATE KEY` block;
    ///   ``CryptoError/Code/invalidKey`` if it holds a key that is not Ed25519.
    public convenience init(pem: String) throws(CryptoError) {
        var document = try PEMDocument(parsing: pem)
        guard document.label == "PRIVATE KEY" else {
            throw .invalidPEM("expected a PEM PRIVATE KEY block, got \(document.label)")
        }
        // Zero the decoded DER in place (the document is its only owner) once it has been parsed.
        defer { secureZero(&document.der) }
        let decoded = try EVPKey.decode(
            der: document.der,
            structure: "PrivateKeyInfo",
            keyType: nil,
            selection: EVPKey.keyPairSelection
        )
        try self.init(decoded: decoded)
    }

    /// Re-builds a decoded private key from its seed.
    convenience init(decoded: EVPKey) throws(CryptoError) {
        guard decoded.isA("ED25519") else {
            throw .invalidKey("the key is not an Ed25519 key")
        }
        try self.init(seed: Self.seed(of: decoded))
    }

    private init(key: EVPKey) throws(CryptoError) {
        var raw = [UInt8](repeating: 0, count: Ed25519PublicKey.keyByteCount)
        var length = raw.count
        guard EVP_PKEY_get_raw_public_key(key.pointer, &raw, &length) == 1, length == raw.count else {
            throw CryptoError.openSSL(.internalFailure, "could not derive the Ed25519 public key")
        }
        self.key = key
        self.publicKey = try Ed25519PublicKey(rawRepresentation: raw)
    }

    /// Generates a new key.
    ///
    /// - Returns: The key.
    /// - Throws: ``CryptoError/Code/internalFailure`` if OpenSSL fails.
    public static func generate() throws(CryptoError) -> Ed25519PrivateKey {
        let key = try EVPKey.generate(keyType: "ED25519") { _ in 1 }
        return try Ed25519PrivateKey(key: key)
    }

    /// The 32-byte seed, for example to export a JWK's `d`.
    public var seed: SecretBytes {
        guard let seed = try? Self.seed(of: key) else {
            // The key was made from a seed; reading it back cannot fail except on memory exhaustion.
            fatalError("OpenSSL could not read back an Ed25519 seed")
        }
        return seed
    }

    private static func seed(of key: EVPKey) throws(CryptoError) -> SecretBytes {
        try SecretBytes(count: Ed25519PublicKey.keyByteCount) { (buffer) throws(CryptoError) in
            var length = buffer.count
            let status = EVP_PKEY_get_raw_private_key(
                key.pointer,
                buffer.baseAddress!.assumingMemoryBound(to: UInt8.self),
                &length
            )
            guard status == 1, length == buffer.count else {
                throw CryptoError.openSSL(.invalidKey, "the Ed25519 key has no private key")
            }
        }
    }

    /// The key as PEM PKCS#8 (`-----BEGIN PRIVATE KEY-----`), unencrypted.
    ///
    /// - Warning: The string holds the private key and cannot be zeroed; handle it accordingly.
    public var pemRepresentation: String {
        key.privateKeyInfoPEM()
    }

    /// Signs a message with Ed25519 (pure, no pre-hashing, no context).
    ///
    /// - Parameter message: The message.
    /// - Returns: The 64-byte signature.
    /// - Throws: ``CryptoError/Code/signingFailed`` if OpenSSL fails.
    public func signature(for message: UnsafeRawBufferPointer) throws(CryptoError) -> [UInt8] {
        let count = Ed25519PublicKey.signatureByteCount
        let signature = contexts.withContext(make: { EVP_MD_CTX_new() }) { context in
            message.withNonNullBaseAddress { base, messageCount in
                [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                    var length = count
                    guard EVP_DigestSignInit_ex(context, nil, nil, nil, nil, key.pointer, nil) == 1,
                        EVP_DigestSign(
                            context,
                            buffer.baseAddress,
                            &length,
                            base.assumingMemoryBound(to: UInt8.self),
                            messageCount
                        ) == 1,
                        length == count
                    else { return }
                    initialized = count
                }
            }
        } ?? []
        guard signature.count == count else {
            throw CryptoError.openSSL(.signingFailed, "Ed25519 signing failed")
        }
        return signature
    }

    /// Signs a message with Ed25519. See ``signature(for:)-(UnsafeRawBufferPointer)``.
    ///
    /// - Parameter message: The message.
    /// - Returns: The 64-byte signature.
    /// - Throws: ``CryptoError/Code/signingFailed`` if OpenSSL fails.
    public func signature(for message: [UInt8]) throws(CryptoError) -> [UInt8] {
        try message.withTypedUnsafeBytes { (message) throws(CryptoError) in
            try signature(for: message)
        }
    }
}
