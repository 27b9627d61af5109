import Foundation
import SmartAuthJWT

/// `smart-auth demo`: issues and verifies a typical access token with every algorithm family, and shows the
/// verifier refusing a tampered, an expired and an algorithm-confused token.
enum DemoCommand {
    static let command = Command(
        path: ["demo"],
        summary: "issue and verify access tokens with every algorithm, and show rejections",
        help: """
            usage: smart-auth demo

            Generates a key for each algorithm, signs a typical access token (typ at+jwt), verifies it against the
            public JWK Set, then shows three tokens being refused: one with a flipped signature byte, one that has
            expired, and one re-signed with HS256 using the RSA public key as the secret (algorithm confusion).
            """,
        options: [], flags: [], usageStatus: 2
    ) { _, console in
        let now = Date()
        let validation = ClaimsValidation(
            issuer: "https://auth.example.com", audience: "api", leeway: 5, requiredType: "at+jwt",
            requiredClaims: ["exp", "sub"])
        let claims = JWTClaims(
            issuer: "https://auth.example.com", subject: "user-42", audience: ["api"],
            expiresAt: now.addingTimeInterval(900), issuedAt: now, jwtID: UUID().uuidString,
            additional: ["sid": .string(UUID().uuidString), "roles": .array([.string("user"), .string("editor")])])

        console.print("algorithm  kid                                          token bytes  verified subject")
        var rsaKey: JWK?
        var rsaToken = ""
        for algorithm in [SignatureAlgorithm.hs256, .rs256, .ps256, .es256, .es384, .es512, .eddsa] {
            let key = try JWK.generate(for: algorithm)
            let token = try JWTSigner(key: key).sign(claims, type: "at+jwt")
            let verificationKeys = JWKSet(keys: [key.publicKey ?? key])
            let verified = try JWTVerifier(keys: verificationKeys, algorithms: [algorithm], validation: validation)
                .verify(token, now: now)
            let kid = key.keyID?.rawValue ?? "-"
            console.print(
                algorithm.name.padding(toLength: 11, withPad: " ", startingAt: 0)
                    + kid.prefix(44).padding(toLength: 45, withPad: " ", startingAt: 0)
                    + String(token.utf8.count).padding(toLength: 13, withPad: " ", startingAt: 0)
                    + (verified.claims.subject ?? "-"))
            if algorithm == .rs256 {
                rsaKey = key
                rsaToken = token
            }
        }
        guard let rsaKey, let publicKey = rsaKey.publicKey else { return 1 }
        let verifier = JWTVerifier(keys: JWKSet(keys: [publicKey]), algorithms: [.rs256, .hs256], validation: validation)

        console.print("")
        var tampered = Array(rsaToken.utf8)
        tampered[tampered.count - 5] = tampered[tampered.count - 5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        report(console, "flipped signature byte", verifier, String(decoding: tampered, as: UTF8.self), now)
        report(console, "checked 16 minutes later", verifier, rsaToken, now.addingTimeInterval(960))

        // Algorithm confusion: HS256 over the token with the RSA public key's bytes as the HMAC secret.
        var confusedKey = try JWK(json: #"{"kty":"oct","k":"\#(Base64URL.encode(Array(publicKey.publicJSON.utf8)))"}"#)
        confusedKey.keyID = rsaKey.keyID
        let confused = try JWTSigner(key: confusedKey, algorithm: .hs256).sign(claims, type: "at+jwt")
        report(console, "HS256 signed with the public key", verifier, confused, now)
        return 0
    }

    private static func report(_ console: Console, _ label: String, _ verifier: JWTVerifier, _ token: String, _ now: Date) {
        do {
            _ = try verifier.verify(token, now: now)
            console.print("\(label): ACCEPTED (this is a bug)")
        } catch {
            console.print("\(label): rejected (\(error.code.name))")
        }
    }
}
