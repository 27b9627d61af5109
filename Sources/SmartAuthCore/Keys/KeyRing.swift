public import Foundation
public import SmartAuthJWT

/// The engine's signing keys: one active key that signs, verify-only keys that still verify tokens they signed
/// before a rotation, and retired keys that do nothing.
///
/// Rotation overlaps: the key that was active stays verify-only until every token it signed has expired, so
/// no user is logged out by a key rotation. Only public keys are ever published (``publicKeySet``), and
/// symmetric (HS*) keys never are.
public struct KeyRing: Sendable {
    /// What a key may do.
    public struct State: Hashable, Sendable, CustomStringConvertible {
        /// The stable name.
        public let name: String
        private init(_ name: String) { self.name = name }
        /// Signs new tokens (exactly one key is active) and verifies.
        public static let active = State("active")
        /// Verifies tokens signed before a rotation; signs nothing.
        public static let verifyOnly = State("verify_only")
        /// Neither signs nor verifies; kept only as a record.
        public static let retired = State("retired")
        public var description: String { name }
    }

    /// One key of the ring.
    public struct Key: Sendable {
        /// The private (or secret) key, with its `kid`.
        public var jwk: JWK
        /// The algorithm it signs with.
        public var algorithm: SignatureAlgorithm
        /// What it may do.
        public var state: State
        /// When it was added.
        public var createdAt: Date
        /// For a verify-only key: when it retires (when the last token it signed has expired).
        public var verifyUntil: Date?

        /// A key of the ring.
        public init(jwk: JWK, algorithm: SignatureAlgorithm, state: State, createdAt: Date, verifyUntil: Date? = nil) {
            self.jwk = jwk
            self.algorithm = algorithm
            self.state = state
            self.createdAt = createdAt
            self.verifyUntil = verifyUntil
        }

        /// The key's identifier.
        public var keyID: KeyID { jwk.keyID ?? KeyID("") }
    }

    /// Every key, in the order added.
    public private(set) var keys: [Key]

    /// A ring of `keys`.
    /// - Throws: ``AuthError/Code/configuration`` unless exactly one key is active, every key is private with a
    ///   unique non-empty `kid`, and every key can sign with its algorithm.
    public init(keys: [Key]) throws(AuthError) {
        guard keys.filter({ $0.state == .active }).count == 1 else {
            throw AuthError(.configuration, "a key ring needs exactly one active key")
        }
        var seen: Set<KeyID> = []
        for key in keys {
            guard let keyID = key.jwk.keyID, !keyID.rawValue.isEmpty else {
                throw AuthError(.configuration, "every key in the ring needs a kid")
            }
            guard seen.insert(keyID).inserted else { throw AuthError(.configuration, "duplicate kid \(keyID) in the ring") }
            do {
                _ = try JWSSigner(key: key.jwk, algorithm: key.algorithm)
            } catch {
                throw AuthError(.configuration, "key \(keyID) cannot sign \(key.algorithm): \(error.message)", underlying: error)
            }
        }
        self.keys = keys
    }

    /// A ring with one new active key for `algorithm` (default EdDSA).
    /// - Throws: ``AuthError/Code/internalFailure`` if key generation fails.
    public static func generate(algorithm: SignatureAlgorithm = .eddsa, now: Date) throws(AuthError) -> KeyRing {
        try KeyRing(keys: [Key(jwk: try newKey(algorithm), algorithm: algorithm, state: .active, createdAt: now)])
    }

    static func newKey(_ algorithm: SignatureAlgorithm) throws(AuthError) -> JWK {
        do {
            return try JWK.generate(for: algorithm)
        } catch {
            throw AuthError(.internalFailure, "could not generate a \(algorithm) key", underlying: error)
        }
    }

    /// The key that signs.
    public var activeKey: Key { keys.first { $0.state == .active }! }

    /// The keys that verify (active and verify-only), as a key set for a verifier.
    public var verificationKeys: JWKSet {
        JWKSet(keys: keys.filter { $0.state != .retired }.map { $0.jwk.publicKey ?? $0.jwk })
    }

    /// The algorithms of the keys that verify.
    public var verificationAlgorithms: Set<SignatureAlgorithm> {
        Set(keys.filter { $0.state != .retired }.map(\.algorithm))
    }

    /// The public keys that verify, for `/.well-known/jwks.json`. Symmetric keys are never included.
    public var publicKeySet: JWKSet {
        JWKSet(keys: keys.filter { $0.state != .retired }.compactMap(\.jwk.publicKey))
    }

    /// Makes `newKey` the active key. The key that was active becomes verify-only until `now + overlap`
    /// (pass the access-token lifetime plus leeway), after which ``retireExpired(at:)`` retires it.
    /// - Throws: ``AuthError/Code/configuration`` if the new key is unusable or its `kid` is taken.
    public mutating func rotate(to newKey: JWK, algorithm: SignatureAlgorithm, now: Date, overlap: TimeInterval) throws(AuthError) {
        var updated = keys
        for index in updated.indices where updated[index].state == .active {
            updated[index].state = .verifyOnly
            updated[index].verifyUntil = now.addingTimeInterval(overlap)
        }
        updated.append(Key(jwk: newKey, algorithm: algorithm, state: .active, createdAt: now))
        self = try KeyRing(keys: updated)
    }

    /// Retires verify-only keys whose overlap has ended.
    /// - Returns: whether any key changed state.
    @discardableResult
    public mutating func retireExpired(at now: Date) -> Bool {
        var changed = false
        for index in keys.indices where keys[index].state == .verifyOnly {
            if let until = keys[index].verifyUntil, now >= until {
                keys[index].state = .retired
                changed = true
            }
        }
        return changed
    }
}
