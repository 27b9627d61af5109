import Foundation
import SmartAuthJWT

/// `smart-auth jwt verify`, `jws verify`, `jwt verify-raw` and `jwt sign`.
///
/// The three verifiers follow `JOSE-VERIFIER-CONTRACT.md`: the token is the whole of standard input (one
/// trailing newline is ignored), exit 0 means valid and 1 invalid, and no input of any size or shape makes
/// them exit with anything else.
enum JWTCommands {
    /// The most standard input a command reads; longer input is rejected without being buffered.
    static let inputLimit = 64 << 20

    static let all: [Command] = [verify, verifyJWS, verifyRaw, sign]

    static let verify = Command(
        path: ["jwt", "verify"],
        summary: "verify a JWT read from standard input and print its claims",
        help: """
            usage: smart-auth jwt verify --jwk FILE --alg ALGS --now SECONDS [--leeway SECONDS] [--iss ISSUER] [--aud AUDIENCE]

            Verifies the compact JWT on standard input (one trailing newline is ignored) and prints its claims as JSON.

              --jwk FILE       a JWK or a JWK Set {"keys": [...]}: the only source of keys
              --alg ALGS       comma-separated allow-list: HS256,HS384,HS512,RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512,EdDSA
              --now SECONDS    the current time as Unix seconds (the system clock is never read)
              --leeway SECONDS allowed clock skew for exp, nbf and iat (default 0)
              --iss ISSUER     require this exact iss
              --aud AUDIENCE   require this audience in aud; without it a token with an aud is rejected

            Exit status: 0 valid (claims on stdout), 1 invalid for any reason (reason on stderr). Never anything else.
            """,
        options: ["jwk", "alg", "now", "leeway", "iss", "aud"], flags: [], usageStatus: 1
    ) { arguments, console in
        let keys = try loadKeys(arguments.required("jwk"))
        let algorithms = try parseAlgorithms(arguments.required("alg"))
        guard let now = Double(try arguments.required("now")), now.isFinite else { throw UsageError("--now must be a number") }
        let leeway = Double(arguments.value("leeway") ?? "0") ?? -1
        guard leeway >= 0, leeway.isFinite else { throw UsageError("--leeway must be a number ≥ 0") }
        let validation = ClaimsValidation(issuer: arguments.value("iss"), audience: arguments.value("aud"), leeway: leeway)
        let verifier = JWTVerifier(keys: keys, algorithms: algorithms, validation: validation)
        let token = try readToken(console)
        let verified = try verifier.verify(token, now: Date(timeIntervalSince1970: now))
        console.print(JSONWriter.string(of: .object(verified.claims.jsonObject)))
        return 0
    }

    static let verifyJWS = Command(
        path: ["jws", "verify"],
        summary: "verify a JWS (any payload) read from standard input",
        help: """
            usage: smart-auth jws verify --jwk FILE --alg ALGS

            Verifies the compact JWS on standard input (one trailing newline is ignored). The payload may be any bytes
            and is not interpreted; on success it is written to standard output.

              --jwk FILE    a JWK or a JWK Set: the only source of keys
              --alg ALGS    comma-separated allow-list of algorithms

            Exit status: 0 valid, 1 invalid for any reason. Never anything else.
            """,
        options: ["jwk", "alg"], flags: [], usageStatus: 1
    ) { arguments, console in
        let keys = try loadKeys(arguments.required("jwk"))
        let algorithms = try parseAlgorithms(arguments.required("alg"))
        let verified = try JWSVerifier(keys: keys, algorithms: algorithms).verify(try readToken(console))
        console.writeOutput(verified.payload)
        return 0
    }

    static let verifyRaw = Command(
        path: ["jwt", "verify-raw"],
        summary: "verify one raw signature or MAC as a JWS algorithm would",
        help: """
            usage: smart-auth jwt verify-raw --alg ALG --jwk FILE --message-hex HEX --signature-hex HEX

            Verifies a signature or MAC over raw message bytes exactly as JWS algorithm ALG would over a signing input,
            with the same key rules as token verification (key type and curve, HMAC key length, use, key_ops, alg).
            ECDSA signatures are the fixed-length r||s form. HEX is lower-case and may be empty.

            Exit status: 0 valid, 1 invalid. Never anything else.
            """,
        options: ["alg", "jwk", "message-hex", "signature-hex"], flags: [], usageStatus: 1
    ) { arguments, _ in
        let keys = try loadKeys(arguments.required("jwk"))
        let name = try arguments.required("alg")
        guard let algorithm = SignatureAlgorithm(name: name) else { throw UsageError("unknown algorithm \(name)") }
        guard let message = Hex.decode(try arguments.required("message-hex")),
            let signature = Hex.decode(try arguments.required("signature-hex"))
        else { throw UsageError("--message-hex and --signature-hex must be lower-case hex") }
        // No kid to select by: a single key is used as it is; in a set, any usable key may verify.
        for key in keys.keys {
            do {
                if try key.isValidSignature(signature, for: message, algorithm: algorithm) { return 0 }
            } catch {
                if keys.keys.count == 1 { throw error }
            }
        }
        throw JWTError.badSignature()
    }

    static let sign = Command(
        path: ["jwt", "sign"],
        summary: "sign the JSON claims read from standard input",
        help: """
            usage: smart-auth jwt sign --jwk FILE --alg ALG [--kid KID] [--typ TYPE]

            Reads a JSON object of claims on standard input and prints the compact JWT signed with the private JWK.

              --jwk FILE    a private JWK (as printed by 'smart-auth keys generate')
              --alg ALG     the signing algorithm; it must fit the key
              --kid KID     the kid header (default: the key's kid)
              --typ TYPE    the typ header (default JWT)
            """,
        options: ["jwk", "alg", "kid", "typ"], flags: [], usageStatus: 2
    ) { arguments, console in
        let path = try arguments.required("jwk")
        var key = try JWK(json: try readFile(path))
        if let kid = arguments.value("kid") { key.keyID = KeyID(kid) }
        let name = try arguments.required("alg")
        guard let algorithm = SignatureAlgorithm(name: name) else { throw UsageError("unknown algorithm \(name)") }
        guard let input = console.readInput(inputLimit) else { throw UsageError("standard input is too large") }
        let claims = try JWTClaims(jsonObject: try parseObject(input))
        let token = try JWTSigner(key: key, algorithm: algorithm).sign(claims, type: arguments.value("typ") ?? "JWT")
        console.print(token)
        return 0
    }

    // MARK: Helpers

    static func loadKeys(_ path: String) throws -> JWKSet { try JWKSet(json: try readFile(path)) }

    static func readFile(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw UsageError("cannot read \(path)") }
        guard data.count <= inputLimit else { throw UsageError("\(path) is too large") }
        guard let text = String(validating: Array(data), as: UTF8.self) else { throw UsageError("\(path) is not UTF-8") }
        return text
    }

    /// Names from a comma-separated list; names SmartAuth does not implement (including `none`) are ignored,
    /// since an allow-list may name algorithms that fit no key.
    static func parseAlgorithms(_ list: String) throws(UsageError) -> [SignatureAlgorithm] {
        list.split(separator: ",", omittingEmptySubsequences: true).compactMap {
            SignatureAlgorithm(name: String($0).trimmingCharacters(in: .whitespaces))
        }
    }

    /// Standard input minus one trailing `\n` or `\r\n`.
    static func readToken(_ console: Console) throws -> String {
        guard var bytes = console.readInput(inputLimit) else { throw JWTError.tooLarge("token larger than the input limit") }
        if bytes.last == 0x0A {
            bytes.removeLast()
            if bytes.last == 0x0D { bytes.removeLast() }
        }
        // A compact JWS is ASCII; anything else cannot be one, and must not be "repaired" into one.
        guard bytes.allSatisfy({ $0 >= 0x21 && $0 < 0x7F }) else { throw JWTError.malformed("token holds non-ASCII or white space") }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func parseObject(_ bytes: [UInt8]) throws -> JSONObject {
        guard case .object(let object) = try JSONParser().parse(bytes) else { throw UsageError("input is not a JSON object") }
        return object
    }
}

/// Lower-case hexadecimal.
enum Hex {
    static func decode(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
