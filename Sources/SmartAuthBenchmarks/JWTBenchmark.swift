import CSmartAuthBenchReference
public import Foundation
public import SmartAuthJWT

/// `smart-auth bench jwt`: sign and verify of a typical access token with SmartAuth, next to the same OpenSSL
/// primitive over the same signing input done the fastest way OpenSSL allows.
public enum JWTBenchmark {
    /// One measured figure.
    public struct Result: Sendable {
        /// The algorithm.
        public let algorithm: SignatureAlgorithm
        /// `sign` or `verify`.
        public let operation: String
        /// SmartAuth's operations per second (single thread).
        public let opsPerSecond: Double
        /// Raw OpenSSL's operations per second for the same primitive and input.
        public let referenceOpsPerSecond: Double
        /// `opsPerSecond / referenceOpsPerSecond`.
        public var ratio: Double { referenceOpsPerSecond > 0 ? opsPerSecond / referenceOpsPerSecond : 0 }

        /// The result as one JSON object on one line.
        public var json: String {
            let object: JSONObject = [
                "alg": .string(algorithm.name), "op": .string(operation),
                "ops_per_sec": .number(JSONNumber(Int64(opsPerSecond.rounded()))),
                "reference_ops_per_sec": .number(JSONNumber(Int64(referenceOpsPerSecond.rounded()))),
                "ratio": .figure(ratio),
            ]
            return JSONWriter.string(of: .object(object))
        }
    }

    /// The algorithms measured by default.
    public static let defaultAlgorithms: [SignatureAlgorithm] = [.hs256, .rs256, .ps256, .es256, .eddsa]

    /// The claims of a typical access token (`iss`, `sub`, `aud`, `exp`, `iat`, `jti`, `sid`, two roles).
    public static func typicalClaims(now: Date) -> JWTClaims {
        JWTClaims(
            issuer: "https://auth.example.com", subject: "2f1c6a9e-5d3b-4c1e-9a57-1b2c3d4e5f60", audience: ["api.example.com"],
            expiresAt: now.addingTimeInterval(900), issuedAt: now, jwtID: "b7f1f2a4-1c9e-4a0b-8f3d-6e5d4c3b2a19",
            additional: [
                "sid": .string("5e0c7d2b-3a4f-4e1d-b6c8-9f0a1b2c3d4e"),
                "roles": .array([.string("user"), .string("editor")]),
            ])
    }

    /// Measures sign and verify for each algorithm, `seconds` per figure.
    /// - Parameter progress: called with each result as soon as it is measured.
    public static func run(
        algorithms: [SignatureAlgorithm] = defaultAlgorithms, operations: Set<String> = ["sign", "verify"],
        seconds: Double = 1.0, progress: (Result) -> Void = { _ in }
    ) throws -> [Result] {
        var results: [Result] = []
        for algorithm in algorithms {
            for result in try measure(algorithm, operations: operations, seconds: seconds) {
                progress(result)
                results.append(result)
            }
        }
        return results
    }

    static func measure(_ algorithm: SignatureAlgorithm, operations: Set<String>, seconds: Double) throws -> [Result] {
        // Access tokens carry whole-second dates (RFC 7519 NumericDate as issued by SmartAuth).
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let key = try JWK.generate(for: algorithm)
        let signer = try JWTSigner(key: key)
        let claims = typicalClaims(now: now)
        let token = try signer.sign(claims, type: "at+jwt")
        let verifier = JWTVerifier(
            keys: JWKSet(keys: [key.publicKey ?? key]), algorithms: [algorithm],
            validation: ClaimsValidation(issuer: "https://auth.example.com", audience: "api.example.com", requiredType: "at+jwt"))
        _ = try verifier.verify(token, now: now)  // fails loudly if the setup is wrong

        let reference = try ReferenceKey(key: key, algorithm: algorithm)
        defer { smartauth_ref_free(reference.pointer) }
        let parts = token.split(separator: ".")
        let signingInput = Array(parts[0..<2].joined(separator: ".").utf8)
        let nativeSignature = try reference.sign(signingInput)
        guard reference.verify(signingInput, nativeSignature, iterations: 1) == 1 else {
            throw BenchmarkError("the reference rejects its own signature for \(algorithm)")
        }

        var sink = 0
        var results: [Result] = []
        if operations.contains("sign") {
            let library = Measurement.opsPerSecond(seconds: seconds) { iterations in
                for _ in 0..<iterations {
                    if let token = try? signer.sign(claims, type: "at+jwt") { sink &+= token.utf8.count }
                }
            }
            let raw = Measurement.opsPerSecond(seconds: seconds) { iterations in
                sink &+= reference.sign(signingInput, iterations: iterations)
            }
            results.append(Result(algorithm: algorithm, operation: "sign", opsPerSecond: library, referenceOpsPerSecond: raw))
        }
        if operations.contains("verify") {
            let library = Measurement.opsPerSecond(seconds: seconds) { iterations in
                for _ in 0..<iterations {
                    if let verified = try? verifier.verify(token, now: now) { sink &+= verified.claims.additional.count }
                }
            }
            let raw = Measurement.opsPerSecond(seconds: seconds) { iterations in
                sink &+= reference.verify(signingInput, nativeSignature, iterations: iterations)
            }
            results.append(Result(algorithm: algorithm, operation: "verify", opsPerSecond: library, referenceOpsPerSecond: raw))
        }
        precondition(sink != 42, "keeps the measured work alive")
        return results
    }
}

/// A benchmark that could not be set up.
public struct BenchmarkError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The C reference for one key.
private struct ReferenceKey {
    let pointer: OpaquePointer

    init(key: JWK, algorithm: SignatureAlgorithm) throws {
        let kind: smartauth_ref_kind
        var bits: Int32 = 256
        switch algorithm {
        case .hs256, .hs384, .hs512: kind = SMARTAUTH_REF_HMAC
        case .rs256, .rs384, .rs512: kind = SMARTAUTH_REF_RSA_PKCS1
        case .ps256, .ps384, .ps512: kind = SMARTAUTH_REF_RSA_PSS
        case .es256, .es384, .es512: kind = SMARTAUTH_REF_ECDSA
        default: kind = SMARTAUTH_REF_ED25519
        }
        if algorithm.name.hasSuffix("384") { bits = 384 }
        if algorithm.name.hasSuffix("512") { bits = 512 }
        let material: [UInt8]
        if kind == SMARTAUTH_REF_HMAC {
            guard case .string(let k) = key.jsonObject(includingPrivate: true)["k"], let secret = Base64URL.decode(k) else {
                throw BenchmarkError("no HMAC secret")
            }
            material = secret
        } else {
            guard let pem = key.pemRepresentation(includingPrivate: true) else { throw BenchmarkError("no PEM") }
            let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            guard let der = Data(base64Encoded: body) else { throw BenchmarkError("bad PEM") }
            material = Array(der)
        }
        guard let pointer = material.withUnsafeBytes({ smartauth_ref_new(kind, bits, $0.baseAddress!, $0.count) }) else {
            throw BenchmarkError("OpenSSL reference setup failed for \(algorithm)")
        }
        self.pointer = pointer
    }

    func sign(_ message: [UInt8]) throws -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: 1024)
        var length = signature.count
        let ok = message.withUnsafeBytes { message in
            signature.withUnsafeMutableBytes { smartauth_ref_sign(pointer, message.baseAddress!, message.count, $0.baseAddress!, &length) }
        }
        guard ok == 1 else { throw BenchmarkError("reference signing failed") }
        return Array(signature.prefix(length))
    }

    func verify(_ message: [UInt8], _ signature: [UInt8], iterations: Int) -> Int {
        message.withUnsafeBytes { message in
            signature.withUnsafeBytes { signature in
                smartauth_ref_verify_loop(pointer, message.baseAddress!, message.count, signature.baseAddress!, signature.count, iterations)
            }
        }
    }

    func sign(_ message: [UInt8], iterations: Int) -> Int {
        message.withUnsafeBytes { smartauth_ref_sign_loop(pointer, $0.baseAddress!, $0.count, iterations) }
    }
}
