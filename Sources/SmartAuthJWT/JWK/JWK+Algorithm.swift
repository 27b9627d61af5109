import SmartAuthCrypto

extension JWK {
    /// Whether the key's type (and curve, and for HMAC its length) fits `algorithm`. A public key never fits
    /// an HMAC algorithm, whatever the allow-list says, which rules out algorithm-confusion attacks.
    public func fits(_ algorithm: SignatureAlgorithm) -> Bool {
        switch (algorithm.family, material) {
        case (.hmac(let hash), .symmetric(let key)): key.key(for: hash) != nil
        case (.rsa, .rsaPublic), (.rsa, .rsaPrivate): true
        case (.ecdsa(let curve, _), .ecPublic(let key)): key.curve == curve
        case (.ecdsa(let curve, _), .ecPrivate(let key)): key.curve == curve
        case (.ed25519, .ed25519Public), (.ed25519, .ed25519Private): true
        default: false
        }
    }

    /// Checks that this key may verify a signature made with `algorithm`: its type fits, and its `use`,
    /// `key_ops` and `alg` members (when present) allow it.
    /// - Throws: `JWTError` `.keyMismatch` naming the rule, or `.weakKey` for an HMAC key shorter than the hash.
    func checkUsable(for algorithm: SignatureAlgorithm, operation: String) throws(JWTError) {
        if let use, use != "sig" { throw JWTError.keyMismatch("key use is not sig") }
        if let keyOperations, !keyOperations.contains(operation) {
            throw JWTError.keyMismatch("key_ops does not allow \(operation)")
        }
        if let algorithmName, algorithmName != algorithm.name {
            throw JWTError.keyMismatch("key is bound to another algorithm")
        }
        guard fits(algorithm) else {
            if case .hmac = algorithm.family, case .symmetric = material {
                throw JWTError.weakKey("HMAC key shorter than the \(algorithm) hash output")
            }
            throw JWTError.keyMismatch("\(algorithm) does not fit a \(keyType) key")
        }
    }

    /// Verifies `signature` over `signingInput` with `algorithm`. The caller has checked ``checkUsable(for:operation:)``.
    func isValidSignature(
        _ signature: UnsafeRawBufferPointer, for signingInput: UnsafeRawBufferPointer, algorithm: SignatureAlgorithm
    ) -> Bool {
        switch (algorithm.family, material) {
        case (.hmac(let hash), .symmetric(let key)):
            return key.key(for: hash)?.isValidAuthenticationCode(signature, for: signingInput) ?? false
        case (.rsa(let hash, let padding), .rsaPublic(let key)):
            return key.isValidSignature(signature, for: signingInput, hash: hash, padding: padding)
        case (.rsa(let hash, let padding), .rsaPrivate(let key)):
            return key.publicKey.isValidSignature(signature, for: signingInput, hash: hash, padding: padding)
        case (.ecdsa(_, let hash), .ecPublic(let key)):
            return key.isValidSignature(signature, for: signingInput, hash: hash)
        case (.ecdsa(_, let hash), .ecPrivate(let key)):
            return key.publicKey.isValidSignature(signature, for: signingInput, hash: hash)
        case (.ed25519, .ed25519Public(let key)):
            return key.isValidSignature(signature, for: signingInput)
        case (.ed25519, .ed25519Private(let key)):
            return key.publicKey.isValidSignature(signature, for: signingInput)
        default:
            return false
        }
    }

    /// Signs `signingInput` with `algorithm`.
    /// - Throws: `JWTError` `.keyMismatch` for a public key or a key that does not fit, `.signingFailed`.
    func signature(for signingInput: UnsafeRawBufferPointer, algorithm: SignatureAlgorithm) throws(JWTError) -> [UInt8] {
        do {
            switch (algorithm.family, material) {
            case (.hmac(let hash), .symmetric(let key)):
                guard let mac = key.key(for: hash) else { throw JWTError.weakKey("HMAC key shorter than the hash output") }
                return mac.authenticationCode(for: signingInput)
            case (.rsa(let hash, let padding), .rsaPrivate(let key)):
                return try key.signature(for: signingInput, hash: hash, padding: padding)
            case (.ecdsa(_, let hash), .ecPrivate(let key)):
                return try key.signature(for: signingInput, hash: hash)
            case (.ed25519, .ed25519Private(let key)):
                return try key.signature(for: signingInput)
            default:
                throw JWTError.keyMismatch("a private \(algorithm) key is needed to sign")
            }
        } catch let error as JWTError {
            throw error
        } catch {
            throw JWTError.signingFailed("signing failed", underlying: error)
        }
    }
}

extension JWK {
    /// Verifies `signature` over the raw `message` bytes exactly as JWS `algorithm` would over a signing input,
    /// after the same key checks as token verification (type, curve, length, `use`, `key_ops`, `alg`).
    /// - Returns: whether the signature or MAC is valid.
    /// - Throws: `JWTError` `.keyMismatch` or `.weakKey` when this key may not be used with `algorithm`.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8], algorithm: SignatureAlgorithm) throws(JWTError) -> Bool {
        try checkUsable(for: algorithm, operation: "verify")
        return signature.withUnsafeBytes { signature in
            message.withUnsafeBytes { message in isValidSignature(signature, for: message, algorithm: algorithm) }
        }
    }
}
