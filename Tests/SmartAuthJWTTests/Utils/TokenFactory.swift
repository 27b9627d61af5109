import SmartAuthCrypto
import SmartAuthJWT

/// Builds HS256 tokens with any header at all, including ones `JWSSigner` refuses to write (`crit`, `b64`,
/// `alg: none`, wrong member types), so that every verifier rule can be tested on a correctly MACed token.
struct TokenFactory {
    static let secret: [UInt8] = Array(0..<32)
    static let keyJSON = #"{"kty":"oct","k":"\#(Base64URL.encode(secret))"}"#

    static func key() throws -> JWK { try JWK(json: keyJSON) }

    /// A token with `headerJSON` and `payload`, MACed with HS256 under ``secret`` whatever the header says.
    static func token(header headerJSON: String, payload: [UInt8] = Array("{}".utf8)) throws -> String {
        let signingInput = Base64URL.encode(Array(headerJSON.utf8)) + "." + Base64URL.encode(payload)
        let mac = try HMACKey(secret: SecretBytes(secret), hash: .sha256)
        return signingInput + "." + Base64URL.encode(mac.authenticationCode(for: Array(signingInput.utf8)))
    }
}
