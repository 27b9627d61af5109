internal import CSmartAuthOpenSSL

/// An `EVP_MD` fetched once from the default provider (fetching per call is slow in OpenSSL 3).
///
/// `@unchecked Sendable`: a fetched `EVP_MD` is immutable and documented as safe to use from many threads at
/// once; this class is its only owner and frees it in `deinit`.
final class FetchedDigest: @unchecked Sendable {
    let pointer: OpaquePointer

    init(name: StaticString) {
        guard let pointer = EVP_MD_fetch(nil, name.cString, nil) else {
            // Not input-dependent: the default provider always has SHA-2. A missing one means a broken install.
            fatalError("OpenSSL could not fetch \(name): \(OpenSSLErrorStack.drain())")
        }
        self.pointer = pointer
    }

    deinit {
        EVP_MD_free(pointer)
    }

    private static let sha256 = FetchedDigest(name: HashFunction.sha256.openSSLName)
    private static let sha384 = FetchedDigest(name: HashFunction.sha384.openSSLName)
    private static let sha512 = FetchedDigest(name: HashFunction.sha512.openSSLName)

    static func forHash(_ hash: HashFunction) -> FetchedDigest {
        switch hash.kind {
        case .sha256: sha256
        case .sha384: sha384
        case .sha512: sha512
        }
    }
}

extension HashFunction {
    /// The pre-fetched `EVP_MD`.
    var evpMD: OpaquePointer {
        FetchedDigest.forHash(self).pointer
    }

    /// Hashes `message` into a stack buffer and calls `body` with the digest.
    ///
    /// Returns `nil` without calling `body` if OpenSSL fails (only on memory exhaustion).
    func withDigest<R>(of message: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        withUnsafeTemporaryAllocation(byteCount: HashFunction.maximumDigestByteCount, alignment: 16) { buffer in
            var length: UInt32 = 0
            let status = message.withNonNullBaseAddress { base, count in
                EVP_Digest(base, count, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), &length, evpMD, nil)
            }
            guard status == 1, Int(length) == digestByteCount else {
                OpenSSLErrorStack.clear()
                return nil
            }
            return body(UnsafeRawBufferPointer(rebasing: buffer[0..<Int(length)]))
        }
    }
}

/// One-shot message digests.
public enum Digest {
    /// Hashes a message.
    ///
    /// - Parameters:
    ///   - message: The bytes to hash.
    ///   - hash: The hash function.
    /// - Returns: The digest, ``HashFunction/digestByteCount`` bytes.
    public static func hash(_ message: UnsafeRawBufferPointer, using hash: HashFunction) -> [UInt8] {
        guard let digest = hash.withDigest(of: message, { Array($0) }) else {
            // EVP_Digest with a fetched SHA-2 fails only if memory allocation fails.
            fatalError("EVP_Digest failed (out of memory)")
        }
        return digest
    }

    /// Hashes a message.
    ///
    /// - Parameters:
    ///   - message: The bytes to hash.
    ///   - hash: The hash function.
    /// - Returns: The digest, ``HashFunction/digestByteCount`` bytes.
    public static func hash(_ message: [UInt8], using hash: HashFunction) -> [UInt8] {
        message.withUnsafeBytes { Self.hash($0, using: hash) }
    }
}
