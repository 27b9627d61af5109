/// The cost and size settings of Argon2id password hashing (RFC 9106), used by ``PasswordHasher``.
///
/// The defaults, ``owaspDefault``, are the OWASP Password Storage Cheat Sheet's minimum for argon2id:
/// 19 MiB of memory, 2 iterations, 1 lane. Raise ``memoryKiB`` first if the servers can afford it; each
/// concurrent hash holds ``memoryKiB`` KiB for its whole duration.
///
/// Parameters are checked by ``validate()`` when a ``PasswordHasher`` is made, not when they are set, so a
/// value read from configuration can be built field by field.
public struct Argon2Parameters: Hashable, Sendable {
    /// Memory per hash, in KiB (argon2's `m`). Default 19 456 KiB (19 MiB).
    ///
    /// Must be at least 8 × ``parallelism`` (libargon2's minimum of two blocks per lane and slice) and at most
    /// ``maximumMemoryKiB`` (4 GiB).
    public var memoryKiB: Int
    /// Number of passes over the memory (argon2's `t`). Default 2. At least 1, at most `UInt32.max`.
    public var iterations: Int
    /// Number of lanes (argon2's `p`). Default 1. From 1 to ``maximumParallelism``.
    ///
    /// libargon2 starts one thread per lane for each hash, so a hasher with `p` lanes may run
    /// `maximumConcurrentHashes × p` threads at once.
    public var parallelism: Int
    /// Length of the random salt made for each new hash, in bytes. Default 16. From 8 to 64.
    public var saltLength: Int
    /// Length of the hash, in bytes. Default 32. From 16 to 64.
    public var hashLength: Int

    /// The largest accepted ``memoryKiB``: 4 GiB.
    public static let maximumMemoryKiB = 4 * 1024 * 1024
    /// The largest accepted ``parallelism``: 64 lanes.
    public static let maximumParallelism = 64
    /// The accepted range of ``saltLength``, in bytes.
    public static let saltLengthRange = 8...64
    /// The accepted range of ``hashLength``, in bytes.
    public static let hashLengthRange = 16...64

    /// Makes parameters; every argument has the OWASP default.
    ///
    /// - Parameters:
    ///   - memoryKiB: Memory per hash in KiB; default 19 456 (19 MiB).
    ///   - iterations: Passes over the memory; default 2.
    ///   - parallelism: Lanes; default 1.
    ///   - saltLength: Salt length in bytes; default 16.
    ///   - hashLength: Hash length in bytes; default 32.
    public init(
        memoryKiB: Int = 19_456,
        iterations: Int = 2,
        parallelism: Int = 1,
        saltLength: Int = 16,
        hashLength: Int = 32
    ) {
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
        self.saltLength = saltLength
        self.hashLength = hashLength
    }

    /// The OWASP Password Storage Cheat Sheet's minimum for argon2id: m = 19 MiB, t = 2, p = 1, with a 16-byte
    /// salt and a 32-byte hash.
    public static let owaspDefault = Argon2Parameters()

    /// Checks that the parameters are within the bounds documented on each property.
    ///
    /// ``PasswordHasher/init(parameters:maximumConcurrentHashes:)`` calls this.
    ///
    /// - Throws: ``CryptoError/Code/unsupported`` naming the first parameter out of bounds.
    public func validate() throws(CryptoError) {
        guard (1...Self.maximumParallelism).contains(parallelism) else {
            throw .unsupported("Argon2 parallelism must be from 1 to \(Self.maximumParallelism), got \(parallelism)")
        }
        guard memoryKiB >= 8 * parallelism, memoryKiB <= Self.maximumMemoryKiB else {
            throw .unsupported(
                "Argon2 memory must be from 8 × parallelism to \(Self.maximumMemoryKiB) KiB, got \(memoryKiB)")
        }
        guard iterations >= 1, iterations <= Int(UInt32.max) else {
            throw .unsupported("Argon2 iterations must be from 1 to \(UInt32.max), got \(iterations)")
        }
        guard Self.saltLengthRange.contains(saltLength) else {
            throw .unsupported("Argon2 salt length must be from 8 to 64 bytes, got \(saltLength)")
        }
        guard Self.hashLengthRange.contains(hashLength) else {
            throw .unsupported("Argon2 hash length must be from 16 to 64 bytes, got \(hashLength)")
        }
    }
}
