import SmartAuthCrypto
import SmartAuthJWT

/// Makes and reads refresh tokens. A refresh token is derived, never stored:
///
///     token = base64url( 0x01 ‖ session id (16 bytes) ‖ generation (8 bytes, big-endian) ‖ tag (32 bytes) )
///     tag   = HMAC-SHA-256(refresh secret, "smartauth refresh v1" ‖ session id ‖ generation)
///
/// The 256-bit tag is the secret part. A store holds only the session id and the current generation, so
/// whoever reads the store cannot make a token, and the engine can hand out the current generation's token
/// again (the grace window) without keeping it anywhere.
struct RefreshTokenCodec: Sendable {
    private let mac: HMACKey
    private static let version: UInt8 = 1
    private static let label = Array("smartauth refresh v1".utf8)
    static let encodedLength = 76  // base64url of 57 bytes

    /// - Throws: ``AuthError/Code/configuration`` for a secret shorter than 32 bytes.
    init(secret: SecretBytes) throws(AuthError) {
        do {
            mac = try HMACKey(secret: secret, hash: .sha256)
        } catch {
            throw AuthError(.configuration, "the refresh token secret must be at least 32 bytes", underlying: error)
        }
    }

    /// The token for `generation` of `session`; `nil` if the session id is not one SmartAuth made.
    func token(session: SessionID, generation: UInt64) -> String? {
        guard let id = Self.rawSessionID(session) else { return nil }
        var bytes: [UInt8] = [Self.version] + id
        withUnsafeBytes(of: generation.bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: tag(id: id, generationBytes: bytes[17..<25]))
        return Base64URL.encode(bytes)
    }

    /// The session and generation a genuine token names; `nil` for anything malformed or forged.
    func read(_ token: String) -> (session: SessionID, generation: UInt64)? {
        guard token.utf8.count == Self.encodedLength, let bytes = Base64URL.decode(token), bytes.count == 57,
            bytes[0] == Self.version
        else { return nil }
        let id = Array(bytes[1..<17])
        let expected = tag(id: id, generationBytes: bytes[17..<25])
        guard ConstantTime.equals(expected, Array(bytes[25..<57])) else { return nil }
        let generation = bytes[17..<25].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return (SessionID(Base64URL.encode(id)), generation)
    }

    private func tag(id: [UInt8], generationBytes: ArraySlice<UInt8>) -> [UInt8] {
        mac.authenticationCode(for: Self.label + id + generationBytes)
    }

    /// The 16 bytes behind a session id's 22 base64url characters.
    static func rawSessionID(_ id: SessionID) -> [UInt8]? {
        guard id.rawValue.utf8.count == 22, let bytes = Base64URL.decode(id.rawValue), bytes.count == 16 else { return nil }
        return bytes
    }
}
