internal import CSmartAuthOpenSSL

/// Overwrites a buffer with zeros in a way the optimiser may not remove (`OPENSSL_cleanse`).
func secureZero(_ buffer: UnsafeMutableRawBufferPointer) {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return }
    OPENSSL_cleanse(base, buffer.count)
}

/// Zeroes an array that held secret material (a temporary copy), then empties it.
func secureZero(_ array: inout [UInt8]) {
    array.withUnsafeMutableBytes { secureZero($0) }
    array.removeAll()
}

extension SecretBytes {
    /// Constant-time equality: compares lengths, then the contents with `CRYPTO_memcmp`.
    ///
    /// The time taken depends on the lengths only, never on where the contents differ.
    ///
    /// - Parameter other: Other secret bytes.
    /// - Returns: `true` if both have the same length and contents.
    public func constantTimeEquals(_ other: SecretBytes) -> Bool {
        withUnsafeBytes { mine in
            other.withUnsafeBytes { theirs in ConstantTime.equals(mine, theirs) }
        }
    }

    /// Constant-time equality with plain bytes: compares lengths, then the contents with `CRYPTO_memcmp`.
    ///
    /// - Parameter bytes: Bytes to compare with.
    /// - Returns: `true` if both have the same length and contents.
    public func constantTimeEquals(_ bytes: [UInt8]) -> Bool {
        withUnsafeBytes { mine in
            bytes.withUnsafeBytes { theirs in ConstantTime.equals(mine, theirs) }
        }
    }

    /// Fills new secret storage with cryptographically secure random bytes (`RAND_bytes`), for example a new
    /// HMAC secret.
    ///
    /// - Parameter randomCount: The number of bytes; must not be negative.
    /// - Throws: ``CryptoError/Code/randomFailure`` if the random generator fails.
    public init(randomCount: Int) throws(CryptoError) {
        precondition(randomCount >= 0, "negative byte count")
        try self.init(count: randomCount) { (buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) in
            try SecureRandom.fill(buffer)
        }
    }
}
