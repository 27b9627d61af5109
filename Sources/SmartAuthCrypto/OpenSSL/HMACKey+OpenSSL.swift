internal import CSmartAuthOpenSSL

/// An HMAC key (RFC 2104) fixed to one hash function, as used by JWS `HS256`/`HS384`/`HS512`.
///
/// The secret is loaded into OpenSSL once, at initialisation; each call then reuses a keyed context from a
/// small pool (re-initialised without re-keying), so computing a tag does not re-derive the padded key.
/// An `HMACKey` may be used from many threads at once. It keeps no copy of the secret outside OpenSSL.
public final class HMACKey: Sendable {
    /// The hash function this key is used with.
    public let hash: HashFunction

    /// A keyed context that is never computed with, only duplicated when the pool is empty.
    private let template: MACContext
    /// Idle keyed contexts (duplicates of the template).
    private let idle = ContextPool(kind: .mac)

    /// Makes a key from a secret that is at least as long as the hash function's digest.
    ///
    /// RFC 7518 §3.2 requires an HS256/384/512 key of at least the digest size; shorter secrets are refused.
    ///
    /// - Parameters:
    ///   - secret: The secret, at least ``HashFunction/digestByteCount`` bytes.
    ///   - hash: The hash function.
    /// - Throws: ``CryptoError/Code/weakKey`` if the secret is shorter than the digest;
    ///   ``CryptoError/Code/internalFailure`` if OpenSSL fails.
    public convenience init(secret: SecretBytes, hash: HashFunction) throws(CryptoError) {
        guard secret.count >= hash.digestByteCount else {
            throw .weakKey("an HMAC-\(hash) secret must be at least \(hash.digestByteCount) bytes, got \(secret.count)")
        }
        try self.init(unsafeShortSecret: secret, hash: hash)
    }

    /// Makes a key from any non-empty secret, however short.
    ///
    /// - Warning: For raw HMAC test vectors and interoperability only. Short secrets can be brute-forced; use
    ///   ``init(secret:hash:)`` for tokens.
    ///
    /// - Parameters:
    ///   - secret: The secret; must not be empty.
    ///   - hash: The hash function.
    /// - Throws: ``CryptoError/Code/weakKey`` if the secret is empty;
    ///   ``CryptoError/Code/internalFailure`` if OpenSSL fails.
    public init(unsafeShortSecret secret: SecretBytes, hash: HashFunction) throws(CryptoError) {
        guard secret.count > 0 else {
            throw .weakKey("an HMAC secret must not be empty")
        }
        self.hash = hash
        self.template = try MACContext(secret: secret, hash: hash)
    }

    /// Computes the authentication code (tag) of a message.
    ///
    /// - Parameter message: The message.
    /// - Returns: The full-length tag, ``HashFunction/digestByteCount`` bytes.
    public func authenticationCode(for message: UnsafeRawBufferPointer) -> [UInt8] {
        let count = hash.digestByteCount
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard compute(message, into: UnsafeMutableRawBufferPointer(buffer)) else {
                // HMAC with a fetched SHA-2 fails only if memory allocation fails.
                fatalError("HMAC computation failed (out of memory)")
            }
            initialized = count
        }
    }

    /// Computes the authentication code (tag) of a message.
    ///
    /// - Parameter message: The message.
    /// - Returns: The full-length tag, ``HashFunction/digestByteCount`` bytes.
    public func authenticationCode(for message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { authenticationCode(for: $0) }
    }

    /// Checks a tag against a message, in constant time.
    ///
    /// Only a full-length tag (``HashFunction/digestByteCount`` bytes) can be valid: truncated tags are refused.
    ///
    /// - Parameters:
    ///   - tag: The tag to check.
    ///   - message: The message.
    /// - Returns: `true` if the tag is the message's full-length tag under this key.
    public func isValidAuthenticationCode(_ tag: UnsafeRawBufferPointer, for message: UnsafeRawBufferPointer) -> Bool {
        let count = hash.digestByteCount
        guard tag.count == count else { return false }
        return withUnsafeTemporaryAllocation(byteCount: HashFunction.maximumDigestByteCount, alignment: 16) {
            buffer in
            let expected = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
            guard compute(message, into: expected) else { return false }
            return ConstantTime.equals(UnsafeRawBufferPointer(expected), tag)
        }
    }

    /// Checks a tag against a message, in constant time.
    ///
    /// Only a full-length tag (``HashFunction/digestByteCount`` bytes) can be valid: truncated tags are refused.
    ///
    /// - Parameters:
    ///   - tag: The tag to check.
    ///   - message: The message.
    /// - Returns: `true` if the tag is the message's full-length tag under this key.
    public func isValidAuthenticationCode(_ tag: [UInt8], for message: [UInt8]) -> Bool {
        tag.withUnsafeBytes { tag in
            message.withUnsafeBytes { message in isValidAuthenticationCode(tag, for: message) }
        }
    }

    /// Computes the tag into `output` (exactly digestByteCount bytes). `false` if OpenSSL fails.
    private func compute(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        idle.withContext(make: { template.duplicate() }) { context in
            MACContext.compute(context, message, into: output)
        } ?? false
    }
}

/// Owns one keyed `EVP_MAC_CTX` for HMAC.
///
/// `@unchecked Sendable`: the template context is only ever read (duplicated), which OpenSSL allows from
/// several threads at once. This class is the only owner and frees the context once, in `deinit` (OpenSSL
/// clears the key material when freeing).
private final class MACContext: @unchecked Sendable {
    let pointer: OpaquePointer

    /// `EVP_MAC` for HMAC, fetched once. Never freed: it lives as long as the process.
    private static let hmac: HMACAlgorithm = HMACAlgorithm()

    init(takingOwnershipOf pointer: OpaquePointer) {
        self.pointer = pointer
    }

    /// A new context keyed with `secret` for HMAC with `hash`.
    convenience init(secret: SecretBytes, hash: HashFunction) throws(CryptoError) {
        let context = try checkOpenSSL(
            EVP_MAC_CTX_new(Self.hmac.pointer),
            .internalFailure,
            "EVP_MAC_CTX_new failed"
        )
        self.init(takingOwnershipOf: context)
        let digestKey: StaticString = "digest"  // OSSL_MAC_PARAM_DIGEST
        var parameters = [
            OSSL_PARAM_construct_utf8_string(digestKey.cString, UnsafeMutablePointer(mutating: hash.openSSLName.cString), 0),
            OSSL_PARAM_construct_end(),
        ]
        let status = secret.withUnsafeBytes { key in
            EVP_MAC_init(context, key.baseAddress?.assumingMemoryBound(to: UInt8.self), key.count, &parameters)
        }
        try checkOpenSSL(status, .internalFailure, "EVP_MAC_init for HMAC-\(hash) failed")
    }

    deinit {
        EVP_MAC_CTX_free(pointer)
    }

    /// A copy of this (keyed, unused) context, owned by the caller (a ``ContextPool``), or `nil` if OpenSSL
    /// fails.
    func duplicate() -> OpaquePointer? {
        guard let copy = EVP_MAC_CTX_dup(pointer) else {
            OpenSSLErrorStack.clear()
            return nil
        }
        return copy
    }

    /// Re-initialises a keyed context with the key it already has, then MACs `message` into `output`.
    static func compute(
        _ pointer: OpaquePointer,
        _ message: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> Bool {
        var length = 0
        // A NULL key re-initialises the HMAC with the key it already has (OpenSSL's hmac_init).
        let succeeded =
            EVP_MAC_init(pointer, nil, 0, nil) == 1
            && message.withNonNullBaseAddress { base, count in
                EVP_MAC_update(pointer, base.assumingMemoryBound(to: UInt8.self), count)
            } == 1
            && EVP_MAC_final(pointer, output.baseAddress!.assumingMemoryBound(to: UInt8.self), &length, output.count)
                == 1
            && length == output.count
        if !succeeded { OpenSSLErrorStack.clear() }
        return succeeded
    }
}

/// The `EVP_MAC` for HMAC, fetched once.
///
/// `@unchecked Sendable`: a fetched `EVP_MAC` is immutable and safe to share; owned and freed here only.
private final class HMACAlgorithm: @unchecked Sendable {
    let pointer: OpaquePointer

    init() {
        let name: StaticString = "HMAC"
        guard let pointer = EVP_MAC_fetch(nil, name.cString, nil) else {
            // Not input-dependent: the default provider always has HMAC. A missing one means a broken install.
            fatalError("OpenSSL could not fetch HMAC: \(OpenSSLErrorStack.drain())")
        }
        self.pointer = pointer
    }

    deinit {
        EVP_MAC_free(pointer)
    }
}
