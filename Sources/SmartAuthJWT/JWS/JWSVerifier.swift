/// Verifies compact JWS tokens against a fixed key set and algorithm allow-list.
///
/// Verification is secure by construction:
/// - only algorithms in the allow-list are accepted, and `none` never is;
/// - a key is used only for algorithms that fit its type, curve and length, and only when its `use`,
///   `key_ops` and `alg` members allow it, so a token's `alg` can never turn an RSA public key into an HMAC
///   secret;
/// - keys come only from this verifier: `jku`, `x5u`, `jwk` and `x5c` headers are ignored;
/// - a token with a `kid` uses exactly the key with that `kid` (none or several → rejected; a set of one key
///   without a `kid` is the only exception); a token without `kid` tries only keys that fit its `alg`;
/// - `crit` and `b64: false` are refused; size and nesting limits apply before any signature work.
///
/// A verifier is an immutable value; share it freely between tasks.
public struct JWSVerifier: Sendable {
    /// The keys this verifier may use.
    public let keySet: JWKSet
    /// The accepted algorithms.
    public let algorithms: Set<SignatureAlgorithm>
    /// The limits applied to every token.
    public let limits: JOSELimits
    /// A key with the mask of allowed algorithms it may verify, worked out once (type, curve, length, `use`,
    /// `key_ops`, `alg`) instead of on every token.
    private struct Entry: Sendable {
        let key: JWK
        let usable: UInt16
    }
    private let entries: [Entry]
    private let entriesByID: [KeyID: [Entry]]
    private let headerCache = HeaderCache()

    /// A verifier for `keys` that accepts only `algorithms`.
    public init(keys: JWKSet, algorithms: some Sequence<SignatureAlgorithm>, limits: JOSELimits = JOSELimits()) {
        self.keySet = keys
        self.algorithms = Set(algorithms)
        self.limits = limits
        let allowed = self.algorithms
        let entries = keys.keys.map { key in
            Entry(
                key: key,
                usable: allowed.reduce(0) { mask, algorithm in
                    (try? key.checkUsable(for: algorithm, operation: "verify")) != nil ? mask | algorithm.bit : mask
                })
        }
        var byID: [KeyID: [Entry]] = [:]
        for entry in entries {
            if let keyID = entry.key.keyID { byID[keyID, default: []].append(entry) }
        }
        self.entries = entries
        self.entriesByID = byID
    }

    /// Verifies a compact JWS and returns its header and payload.
    /// - Throws: `JWTError` — `.tooLarge`, `.malformed`, `.unsupportedAlgorithm`, `.algorithmNotAllowed`,
    ///   `.unsupportedHeader`, `.unknownKey`, `.ambiguousKey`, `.keyMismatch`, `.weakKey` or `.badSignature`.
    public func verify(_ token: String) throws(JWTError) -> VerifiedJWS {
        var token = token
        var failure: JWTError?
        let verified = token.withUTF8 { buffer -> VerifiedJWS? in
            do throws(JWTError) {
                return try verify(UnsafeRawBufferPointer(buffer))
            } catch {
                failure = error
                return nil
            }
        }
        guard let verified else { throw failure ?? JWTError.malformed() }
        return verified
    }

    /// Verifies a compact JWS given as ASCII bytes.
    /// - Throws: see ``verify(_:)-(String)``.
    public func verify(_ token: UnsafeRawBufferPointer) throws(JWTError) -> VerifiedJWS {
        let (header, key, payloadSegment) = try verifyParts(token)
        guard let payload = Base64URL.decode(payloadSegment) else { throw JWTError.malformed("payload is not base64url") }
        return VerifiedJWS(header: header, payload: payload, key: key)
    }

    /// Verifies everything but leaves the payload encoded, so a caller can decode it where it likes.
    /// The payload segment is checked to be base64url before any cryptography.
    func verifyParts(_ token: UnsafeRawBufferPointer) throws(JWTError) -> (JOSEHeader, JWK, UnsafeRawBufferPointer) {
        guard token.count <= limits.maximumTokenByteCount else {
            throw JWTError.tooLarge("token longer than \(limits.maximumTokenByteCount) bytes")
        }
        let jws = try CompactJWS(splitting: token)
        let headerSegment = jws.header(in: token)
        let cachedHeader = headerCache.header(for: headerSegment)
        let header: JOSEHeader
        if let cachedHeader {
            header = cachedHeader
        } else {
            header = try JOSEHeader(validating: try decodeJSONObject(headerSegment, part: "header"), allowed: algorithms)
        }
        // Every syntax check comes before any cryptography.
        let payloadSegment = jws.payload(in: token)
        guard Base64URL.isValid(payloadSegment) else { throw JWTError.malformed("payload is not base64url") }
        let signatureSegment = jws.signature(in: token)
        let key = try withUnsafeTemporaryAllocation(
            byteCount: Base64URL.decodedCapacity(signatureSegment.count), alignment: 8
        ) { (buffer) throws(JWTError) -> JWK in
            guard let count = Base64URL.decode(signatureSegment, into: buffer) else {
                throw JWTError.malformed("signature is not base64url")
            }
            let signature = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            return try verifySignature(signature, over: jws.signingInput(in: token), header: header)
        }
        if cachedHeader == nil { headerCache.insert(header, for: headerSegment) }
        return (header, key, payloadSegment)
    }

    /// Selects the key(s) for `header` and checks the signature; returns the key that verified it.
    private func verifySignature(
        _ signature: UnsafeRawBufferPointer, over signingInput: UnsafeRawBufferPointer, header: JOSEHeader
    ) throws(JWTError) -> JWK {
        let algorithm = header.algorithm
        let entry: Entry
        if let keyID = header.keyID {
            let matches = entriesByID[keyID] ?? []
            if matches.count > 1 { throw JWTError.ambiguousKey() }
            if let match = matches.first {
                entry = match
            } else if entries.count == 1, entries[0].key.keyID == nil {
                entry = entries[0]
            } else {
                throw JWTError.unknownKey("no key with the token's kid")
            }
        } else if entries.count == 1 {
            entry = entries[0]
        } else {
            // No kid: try only the keys that may verify this algorithm.
            let candidates = entries.filter { $0.usable & algorithm.bit != 0 }
            guard !candidates.isEmpty else { throw JWTError.unknownKey("no key fits \(algorithm)") }
            let verified = candidates.first { $0.key.isValidSignature(signature, for: signingInput, algorithm: algorithm) }
            guard let verified else { throw JWTError.badSignature() }
            return verified.key
        }
        if entry.usable & algorithm.bit == 0 {
            try entry.key.checkUsable(for: algorithm, operation: "verify")  // throws the precise reason
            throw JWTError.keyMismatch()
        }
        guard entry.key.isValidSignature(signature, for: signingInput, algorithm: algorithm) else {
            throw JWTError.badSignature()
        }
        return entry.key
    }

    /// Decodes a base64url segment holding a JSON object, within the nesting limit.
    func decodeJSONObject(_ segment: UnsafeRawBufferPointer, part: String) throws(JWTError) -> JSONObject {
        guard let bytes = Base64URL.decode(segment) else { throw JWTError.malformed("\(part) is not base64url") }
        return try JSONObject.parse(bytes, part: part, maximumDepth: limits.maximumJSONDepth)
    }
}

/// A JWS whose signature has been verified.
public struct VerifiedJWS: Sendable {
    /// The protected header.
    public let header: JOSEHeader
    /// The payload bytes (not interpreted).
    public let payload: [UInt8]
    /// The key that verified the signature.
    public let key: JWK
}

extension JSONObject {
    /// Parses `bytes` as a JSON object for a token part.
    static func parse(_ bytes: [UInt8], part: String, maximumDepth: Int) throws(JWTError) -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONParser(limits: .init(maximumDepth: maximumDepth)).parse(bytes)
        } catch {
            throw JWTError(.malformed, "\(part) is not valid JSON: \(error.reason)", underlying: error)
        }
        guard case .object(let object) = value else { throw JWTError.malformed("\(part) is not a JSON object") }
        return object
    }
}
