import SmartAuthJWT

/// `smart-auth keys generate` and `smart-auth keys public`.
enum KeyCommands {
    static let all: [Command] = [generate, publicKey]

    static let generate = Command(
        path: ["keys", "generate"],
        summary: "print a new private JWK for an algorithm",
        help: """
            usage: smart-auth keys generate --alg ALG [--kid KID] [--rsa-bits BITS]

            Prints a new private JWK bound to ALG (its alg member), with use "sig".

              --alg ALG         HS256..HS512, RS256..RS512, PS256..PS512, ES256, ES384, ES512 or EdDSA
              --kid KID         the key's kid (default: its RFC 7638 thumbprint; random for HS*)
              --rsa-bits BITS   RSA modulus size, at least 2048 (default 2048)

            The output is a secret: store it with restricted permissions and never log it.
            """,
        options: ["alg", "kid", "rsa-bits"], flags: [], usageStatus: 2
    ) { arguments, console in
        let name = try arguments.required("alg")
        guard let algorithm = SignatureAlgorithm(name: name) else { throw UsageError("unknown algorithm \(name)") }
        guard let bits = Int(arguments.value("rsa-bits") ?? "2048") else { throw UsageError("--rsa-bits must be a number") }
        let key = try JWK.generate(for: algorithm, keyID: arguments.value("kid").map { KeyID($0) }, rsaBits: bits)
        console.print(key.privateJSON)
        return 0
    }

    static let publicKey = Command(
        path: ["keys", "public"],
        summary: "print the public JWK of the private JWK read from standard input",
        help: """
            usage: smart-auth keys public < private.jwk

            Reads a private JWK on standard input and prints its public JWK (same kid, use and alg).
            An oct (HMAC) key has no public form: that is an error (exit 1), never a printed secret.
            """,
        options: [], flags: [], usageStatus: 2
    ) { _, console in
        guard let input = console.readInput(JWTCommands.inputLimit) else { throw UsageError("standard input is too large") }
        let key = try JWK(json: String(decoding: input, as: UTF8.self))
        guard let publicKey = key.publicKey else {
            throw JWTError.keyMismatch("an oct (HMAC) key is secret and has no public form")
        }
        console.print(publicKey.publicJSON)
        return 0
    }
}
