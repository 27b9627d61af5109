internal import CSmartAuthOpenSSL

/// Cryptographically secure random bytes from OpenSSL's default DRBG (`RAND_bytes`).
public enum SecureRandom {
    /// Returns `count` random bytes.
    ///
    /// - Parameter count: The number of bytes; must not be negative.
    /// - Returns: The bytes.
    /// - Throws: ``CryptoError/Code/randomFailure`` if the generator fails (for example, it cannot be seeded).
    public static func bytes(count: Int) throws(CryptoError) -> [UInt8] {
        precondition(count >= 0, "negative byte count")
        return try [UInt8](unsafeUninitializedCapacity: count) {
            (buffer: inout UnsafeMutableBufferPointer<UInt8>, initialized: inout Int) throws(CryptoError) in
            try fill(UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// Fills a buffer with random bytes, in chunks that fit RAND_bytes' `int` length.
    static func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {
            let chunk = min(buffer.count - offset, Int(Int32.max))
            let status = RAND_bytes(base.advanced(by: offset).assumingMemoryBound(to: UInt8.self), Int32(chunk))
            guard status == 1 else {
                throw CryptoError.openSSL(.randomFailure, "RAND_bytes failed")
            }
            offset += chunk
        }
    }
}
