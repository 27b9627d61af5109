internal import CSmartAuthOpenSSL

/// Comparisons whose running time does not depend on the contents compared, for MACs and secrets.
public enum ConstantTime {
    /// Compares two buffers: lengths first, then contents with `CRYPTO_memcmp`.
    ///
    /// The running time depends on the lengths only.
    ///
    /// - Parameters:
    ///   - a: Some bytes.
    ///   - b: Other bytes.
    /// - Returns: `true` if the buffers have the same length and contents; `false` on a length mismatch.
    public static func equals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard let left = a.baseAddress, let right = b.baseAddress, a.count > 0 else { return true }
        return CRYPTO_memcmp(left, right, a.count) == 0
    }

    /// Compares two arrays: lengths first, then contents with `CRYPTO_memcmp`.
    ///
    /// - Parameters:
    ///   - a: Some bytes.
    ///   - b: Other bytes.
    /// - Returns: `true` if the arrays have the same length and contents; `false` on a length mismatch.
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { left in
            b.withUnsafeBytes { right in equals(left, right) }
        }
    }
}
