public import Foundation

/// Verifies JWTs: the JWS rules of ``JWSVerifier``, then the payload as a JSON object of claims, then
/// ``ClaimsValidation`` at a time the caller gives (never the system clock).
public struct JWTVerifier: Sendable {
    /// The signature verifier.
    public let jws: JWSVerifier
    /// The claim rules.
    public var validation: ClaimsValidation

    /// A verifier for `keys`, accepting only `algorithms`, checking claims with `validation`.
    public init(
        keys: JWKSet, algorithms: some Sequence<SignatureAlgorithm>, validation: ClaimsValidation = ClaimsValidation(),
        limits: JOSELimits = JOSELimits()
    ) {
        self.jws = JWSVerifier(keys: keys, algorithms: algorithms, limits: limits)
        self.validation = validation
    }

    /// Verifies `token` at time `now`.
    /// - Throws: `JWTError` — any code of ``JWSVerifier/verify(_:)-(String)``, then `.malformed` (payload not a
    ///   JSON object), `.invalidClaim`, and the codes of ``ClaimsValidation/validate(_:header:now:)``.
    public func verify(_ token: String, now: Date) throws(JWTError) -> VerifiedJWT {
        var token = token
        var failure: JWTError?
        let verified = token.withUTF8 { buffer -> VerifiedJWT? in
            do throws(JWTError) {
                return try verify(UnsafeRawBufferPointer(buffer), now: now)
            } catch {
                failure = error
                return nil
            }
        }
        guard let verified else { throw failure ?? JWTError.malformed() }
        return verified
    }

    /// Verifies a token given as ASCII bytes at time `now`.
    /// - Throws: see ``verify(_:now:)-(String,_)``.
    public func verify(_ token: UnsafeRawBufferPointer, now: Date) throws(JWTError) -> VerifiedJWT {
        let (header, key, payloadSegment) = try jws.verifyParts(token)
        let depth = jws.limits.maximumJSONDepth
        // The payload is decoded into temporary memory and read straight into claims: no tree, no copy kept.
        let claims = try withUnsafeTemporaryAllocation(
            byteCount: Base64URL.decodedCapacity(payloadSegment.count), alignment: 8
        ) { (buffer) throws(JWTError) -> JWTClaims in
            // verifyParts checked the segment's syntax before verifying the signature.
            let count = Base64URL.decodeValidated(payloadSegment, into: buffer)
            return try JWTClaims.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), maximumDepth: depth)
        }
        try validation.validate(claims, header: header, now: now)
        return VerifiedJWT(header: header, claims: claims, key: key)
    }
}

/// A JWT whose signature and claims have been verified.
public struct VerifiedJWT: Sendable {
    /// The protected header.
    public let header: JOSEHeader
    /// The claims.
    public let claims: JWTClaims
    /// The key that verified the signature.
    public let key: JWK
}

/// Signs JWTs.
public struct JWTSigner: Sendable {
    /// The underlying JWS signer.
    public let jws: JWSSigner

    /// A signer for `key` with `algorithm` (default: the key's own `alg`).
    /// - Throws: see ``JWSSigner/init(key:algorithm:)``.
    public init(key: JWK, algorithm: SignatureAlgorithm? = nil) throws(JWTError) {
        self.jws = try JWSSigner(key: key, algorithm: algorithm)
    }

    /// Signs `claims` with header `typ` `type` (default `JWT`; `at+jwt` for RFC 9068 access tokens).
    /// - Throws: `JWTError` `.signingFailed`.
    public func sign(_ claims: JWTClaims, type: String? = "JWT", extraHeader: JSONObject = JSONObject()) throws(JWTError) -> String {
        try jws.sign(payload: JSONWriter.bytes(of: .object(claims.jsonObject)), type: type, extraHeader: extraHeader)
    }
}
