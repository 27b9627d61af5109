import SmartAuthCrypto

/// Where the engine gets random bytes (session identifiers). Tests may inject a deterministic source.
public protocol RandomSource: Sendable {
    /// `count` random bytes.
    /// - Throws: when the source fails; the engine then fails closed.
    func bytes(count: Int) throws -> [UInt8]
}

/// OpenSSL's CSPRNG (`RAND_bytes`): the default, and the only choice for production.
public struct SystemRandomSource: RandomSource {
    /// The system random source.
    public init() {}
    public func bytes(count: Int) throws -> [UInt8] { try SecureRandom.bytes(count: count) }
}
