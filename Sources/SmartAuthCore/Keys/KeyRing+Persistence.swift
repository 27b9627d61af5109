public import Foundation
public import SmartAuthCrypto
public import SmartAuthJWT

extension KeyRing {
    /// The ring as JSON, private keys included, for a ``KeyValueStore`` every node shares:
    /// `{"keys":[{"jwk":{…private JWK…},"alg":"EdDSA","state":"active","created_at":1893456000,"verify_until":…}]}`.
    /// - Warning: The result holds private key material.
    public var persistentJSON: [UInt8] {
        let keys: [JSONValue] = keys.map { key in
            var object: JSONObject = [
                "jwk": .object(key.jwk.jsonObject(includingPrivate: true)), "alg": .string(key.algorithm.name),
                "state": .string(key.state.name), "created_at": .number(JSONNumber(key.createdAt.timeIntervalSince1970)),
            ]
            if let until = key.verifyUntil { object["verify_until"] = .number(JSONNumber(until.timeIntervalSince1970)) }
            return .object(object)
        }
        return JSONWriter.bytes(of: .object(["keys": .array(keys)]))
    }

    /// Reads a ring written by ``persistentJSON``.
    /// - Throws: ``AuthError/Code/configuration`` if it is malformed or its keys are unusable.
    public init(persistentJSON bytes: [UInt8]) throws(AuthError) {
        guard case .array(let items)? = (try? JSONParser().parse(bytes))?.objectValue?["keys"] else {
            throw AuthError(.configuration, "the stored key ring is malformed")
        }
        var keys: [Key] = []
        for item in items {
            guard let object = item.objectValue, case .object(let jwkObject)? = object["jwk"],
                let algorithm = object["alg"]?.stringValue.flatMap(SignatureAlgorithm.init(name:)),
                let stateName = object["state"]?.stringValue,
                let created = object["created_at"]?.numberValue?.doubleValue
            else { throw AuthError(.configuration, "a stored key is malformed") }
            let state: State
            switch stateName {
            case State.active.name: state = .active
            case State.verifyOnly.name: state = .verifyOnly
            case State.retired.name: state = .retired
            default: throw AuthError(.configuration, "a stored key has an unknown state")
            }
            let jwk: JWK
            do {
                jwk = try JWK(jsonObject: jwkObject)
            } catch {
                throw AuthError(.configuration, "a stored key is unusable", underlying: error)
            }
            keys.append(
                Key(
                    jwk: jwk, algorithm: algorithm, state: state, createdAt: Date(timeIntervalSince1970: created),
                    verifyUntil: object["verify_until"]?.numberValue.map { Date(timeIntervalSince1970: $0.doubleValue) }))
        }
        try self.init(keys: keys)
    }
}

/// The signing keys and refresh-token secret every node of a deployment shares, kept in its store.
///
/// The first node to start generates them and saves them with compare-and-set, so nodes starting together agree
/// on one ring; later nodes (and `smart-auth keys …`) read them.
public enum SharedKeys {
    /// Where the key ring is stored.
    public static let keyRingKey = "smartauth/keyring"
    /// Where the refresh-token secret is stored.
    public static let refreshSecretKey = "smartauth/refresh-secret"

    /// The stored ring, or a new one for `algorithm` saved now.
    public static func loadOrCreateKeyRing(
        in store: any KeyValueStore, algorithm: SignatureAlgorithm, now: Date
    ) async throws(AuthError) -> (ring: KeyRing, created: Bool) {
        if let stored = try await read(store, keyRingKey) { return (try KeyRing(persistentJSON: stored), false) }
        let ring = try KeyRing.generate(algorithm: algorithm, now: now)
        if try await write(store, keyRingKey, ring.persistentJSON, expected: nil) { return (ring, true) }
        // Another node won the race: use its ring.
        guard let stored = try await read(store, keyRingKey) else { throw AuthError(.internalFailure, "the key ring vanished") }
        return (try KeyRing(persistentJSON: stored), false)
    }

    /// The stored ring, if any.
    public static func loadKeyRing(from store: any KeyValueStore) async throws(AuthError) -> KeyRing? {
        guard let stored = try await read(store, keyRingKey) else { return nil }
        return try KeyRing(persistentJSON: stored)
    }

    /// Rotates the stored ring: a new active key; the old one verifies for `overlap` seconds more. Retries if
    /// another writer changed the ring meanwhile.
    public static func rotateKeyRing(
        in store: any KeyValueStore, algorithm: SignatureAlgorithm? = nil, overlap: TimeInterval, now: Date
    ) async throws(AuthError) -> KeyRing {
        for _ in 0..<5 {
            guard let stored = try await read(store, keyRingKey) else {
                throw AuthError(.notFound, "no key ring in the store yet (start the server once)")
            }
            var ring = try KeyRing(persistentJSON: stored)
            let algorithm = algorithm ?? ring.activeKey.algorithm
            ring.retireExpired(at: now)
            try ring.rotate(to: try KeyRing.newKey(algorithm), algorithm: algorithm, now: now, overlap: overlap)
            if try await write(store, keyRingKey, ring.persistentJSON, expected: stored) { return ring }
        }
        throw AuthError(.storeUnavailable, "the key ring kept changing; try again")
    }

    /// The stored refresh-token secret, or a new random one saved now.
    public static func loadOrCreateRefreshSecret(in store: any KeyValueStore) async throws(AuthError) -> SecretBytes {
        if let stored = try await read(store, refreshSecretKey) { return SecretBytes(stored) }
        let secret: [UInt8]
        do {
            secret = try SecureRandom.bytes(count: 32)
        } catch {
            throw AuthError(.internalFailure, "the random source failed", underlying: error)
        }
        if try await write(store, refreshSecretKey, secret, expected: nil) { return SecretBytes(secret) }
        guard let stored = try await read(store, refreshSecretKey) else { throw AuthError(.internalFailure, "the secret vanished") }
        return SecretBytes(stored)
    }

    private static func read(_ store: any KeyValueStore, _ key: String) async throws(AuthError) -> [UInt8]? {
        do {
            return try await store.value(for: key)
        } catch {
            throw AuthError.store(error)
        }
    }

    private static func write(_ store: any KeyValueStore, _ key: String, _ value: [UInt8], expected: [UInt8]?) async throws(AuthError) -> Bool {
        do {
            return try await store.setValue(value, for: key, ifCurrentValueIs: expected)
        } catch {
            throw AuthError.store(error)
        }
    }
}
