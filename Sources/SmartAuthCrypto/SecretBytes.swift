/// Secret bytes (an HMAC secret, a private scalar, a seed) that are zeroed when the last copy goes away.
///
/// `SecretBytes` is a value type with reference-counted storage: copies share one buffer, which is overwritten
/// with `OPENSSL_cleanse` and freed when the last copy is released. Its ``description`` and ``debugDescription``
/// are `<redacted>`, so secrets do not end up in logs by accident.
///
/// Compare secrets with ``constantTimeEquals(_:)-(SecretBytes)``; there is deliberately no `==`.
///
/// - Important: Bytes you copy out with ``copyBytes()`` or read inside ``withUnsafeBytes(_:)`` are your
///   responsibility.
public struct SecretBytes: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let storage: Storage

    /// Copies bytes into new secret storage.
    ///
    /// - Parameter bytes: The secret. The caller should zero its own copy if it can.
    public init(_ bytes: some Sequence<UInt8>) {
        let copied: Storage? = bytes.withContiguousStorageIfAvailable { buffer in
            let storage = Storage(count: buffer.count)
            if buffer.count > 0 {
                storage.buffer.copyMemory(from: UnsafeRawBufferPointer(buffer))
            }
            return storage
        }
        if let copied {
            self.storage = copied
            return
        }
        // A non-contiguous sequence: grow our own zeroed buffer rather than making an unzeroed Array copy.
        var storage = Storage(count: Swift.max(bytes.underestimatedCount, 16))
        var count = 0
        for byte in bytes {
            if count == storage.buffer.count {
                let larger = Storage(count: storage.buffer.count * 2)
                larger.buffer.copyMemory(from: UnsafeRawBufferPointer(storage.buffer))
                storage = larger  // the smaller buffer is zeroed by its deinit
            }
            storage.buffer[count] = byte
            count += 1
        }
        if count == storage.buffer.count {
            self.storage = storage
        } else {
            let exact = Storage(count: count)
            if count > 0 {
                exact.buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage.buffer[0..<count]))
            }
            self.storage = exact
        }
    }

    /// Makes `count` bytes of secret storage and lets `body` fill all of them (the storage starts zeroed).
    ///
    /// Used to move key material straight from OpenSSL into zeroing storage, without a temporary array.
    init<E: Error>(count: Int, initializingWith body: (UnsafeMutableRawBufferPointer) throws(E) -> Void) throws(E) {
        let storage = Storage(count: count)
        try body(storage.buffer)
        self.storage = storage
    }

    /// The number of bytes.
    public var count: Int {
        storage.buffer.count
    }

    /// Calls `body` with the secret bytes.
    ///
    /// - Parameter body: A closure that reads the bytes. The pointer must not escape it.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(storage.buffer))
    }

    /// Copies the bytes out, for example to export a JWK.
    ///
    /// - Returns: A copy of the secret.
    /// - Important: The returned array is not zeroed when released; the caller is responsible for it.
    public func copyBytes() -> [UInt8] {
        Array(UnsafeRawBufferPointer(storage.buffer))
    }

    /// Always `<redacted>`.
    public var description: String {
        "<redacted>"
    }

    /// Always `<redacted>`.
    public var debugDescription: String {
        "<redacted>"
    }

    /// Owns the secret buffer. Immutable after initialisation (filling happens before the storage is shared), so
    /// it is safe to share between threads; the buffer is zeroed then freed exactly once, in `deinit`.
    private final class Storage: @unchecked Sendable {
        let buffer: UnsafeMutableRawBufferPointer

        init(count: Int) {
            precondition(count >= 0, "negative byte count")
            buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
        }

        deinit {
            secureZero(buffer)
            buffer.deallocate()
        }
    }
}
