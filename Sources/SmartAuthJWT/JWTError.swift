/// The one error type of SmartAuthJWT.
///
/// Compare errors by ``code``: equality and hashing look at the code only, so a test can write
/// `#expect(error == .expired())`. The ``message`` is safe to show a developer; neither it nor ``description``
/// ever contains a token, a key or a signature.
public struct JWTError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, documented error code. Its ``name`` never changes once published.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case malformed, tooLarge = "too_large", unsupportedAlgorithm = "unsupported_algorithm"
            case algorithmNotAllowed = "algorithm_not_allowed", unsupportedHeader = "unsupported_header"
            case unknownKey = "unknown_key", ambiguousKey = "ambiguous_key", keyMismatch = "key_mismatch"
            case invalidKey = "invalid_key", weakKey = "weak_key", badSignature = "bad_signature"
            case expired, notYetValid = "not_yet_valid", issuedInFuture = "issued_in_future"
            case invalidIssuer = "invalid_issuer", invalidAudience = "invalid_audience", invalidType = "invalid_type"
            case invalidClaim = "invalid_claim", missingClaim = "missing_claim", signingFailed = "signing_failed"
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// `malformed`: not a compact JWS, bad base64url, bad JSON, or a header member of the wrong type.
        public static let malformed = Code(.malformed)
        /// `too_large`: the token or one of its parts is larger than the configured limit.
        public static let tooLarge = Code(.tooLarge)
        /// `unsupported_algorithm`: the `alg` is not one SmartAuth implements (this includes `none`).
        public static let unsupportedAlgorithm = Code(.unsupportedAlgorithm)
        /// `algorithm_not_allowed`: the `alg` is real but not in the verifier's allow-list.
        public static let algorithmNotAllowed = Code(.algorithmNotAllowed)
        /// `unsupported_header`: a `crit` header, `b64: false`, or another header SmartAuth refuses.
        public static let unsupportedHeader = Code(.unsupportedHeader)
        /// `unknown_key`: no key with the token's `kid`, or no key fit for its `alg`.
        public static let unknownKey = Code(.unknownKey)
        /// `ambiguous_key`: several keys share the token's `kid`.
        public static let ambiguousKey = Code(.ambiguousKey)
        /// `key_mismatch`: the selected key may not be used with this algorithm (type, curve, `use`,
        /// `key_ops` or `alg`).
        public static let keyMismatch = Code(.keyMismatch)
        /// `invalid_key`: a JWK or PEM key that cannot be used (missing or malformed members, point not on curve).
        public static let invalidKey = Code(.invalidKey)
        /// `weak_key`: a key below the minimum strength (short HMAC secret, RSA < 2048 bits, bad exponent, ROCA).
        public static let weakKey = Code(.weakKey)
        /// `bad_signature`: the signature or MAC does not verify.
        public static let badSignature = Code(.badSignature)
        /// `expired`: `now ≥ exp + leeway`.
        public static let expired = Code(.expired)
        /// `not_yet_valid`: `now < nbf − leeway`.
        public static let notYetValid = Code(.notYetValid)
        /// `issued_in_future`: `iat > now + leeway`.
        public static let issuedInFuture = Code(.issuedInFuture)
        /// `invalid_issuer`: `iss` missing or not the expected issuer.
        public static let invalidIssuer = Code(.invalidIssuer)
        /// `invalid_audience`: `aud` missing, empty, not containing the expected audience, or present when none
        /// was expected.
        public static let invalidAudience = Code(.invalidAudience)
        /// `invalid_type`: the `typ` header is not the required one.
        public static let invalidType = Code(.invalidType)
        /// `invalid_claim`: a registered claim has the wrong JSON type (e.g. `exp` as a string).
        public static let invalidClaim = Code(.invalidClaim)
        /// `missing_claim`: a claim the validation requires is absent.
        public static let missingClaim = Code(.missingClaim)
        /// `signing_failed`: the key could not produce a signature.
        public static let signingFailed = Code(.signingFailed)

        /// The stable snake_case name of the code.
        public var name: String { kind.rawValue }
        public var description: String { kind.rawValue }
    }

    /// What went wrong, as a stable code.
    public var code: Code
    /// A developer-safe explanation; never contains secrets or token contents.
    public var message: String
    /// A lower-level cause, such as a `CryptoError` or a JSON parse failure.
    public var underlying: (any Error & Sendable)?
    /// Where the error was made.
    public var file: String
    /// Where the error was made.
    public var line: Int

    /// An error with the given code and message.
    public init(
        _ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    public static func == (lhs: JWTError, rhs: JWTError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    public var description: String {
        if let underlying { return "JWTError.\(code.name): \(message) (\(underlying))" }
        return "JWTError.\(code.name): \(message)"
    }
}

extension JWTError {
    /// A `malformed` error.
    public static func malformed(_ reason: String = "malformed token", file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.malformed, reason, file: file, line: line)
    }
    /// A `too_large` error.
    public static func tooLarge(_ reason: String = "input too large", file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.tooLarge, reason, file: file, line: line)
    }
    /// An `unsupported_algorithm` error.
    public static func unsupportedAlgorithm(_ reason: String = "unsupported algorithm", file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.unsupportedAlgorithm, reason, file: file, line: line)
    }
    /// An `algorithm_not_allowed` error.
    public static func algorithmNotAllowed(_ reason: String = "algorithm not allowed", file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.algorithmNotAllowed, reason, file: file, line: line)
    }
    /// An `unsupported_header` error.
    public static func unsupportedHeader(_ reason: String = "unsupported header", file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.unsupportedHeader, reason, file: file, line: line)
    }
    /// An `unknown_key` error.
    public static func unknownKey(_ reason: String = "no key for this token", file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.unknownKey, reason, file: file, line: line)
    }
    /// An `ambiguous_key` error.
    public static func ambiguousKey(_ reason: String = "several keys share this kid", file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.ambiguousKey, reason, file: file, line: line)
    }
    /// A `key_mismatch` error.
    public static func keyMismatch(_ reason: String = "key not usable with this algorithm", file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.keyMismatch, reason, file: file, line: line)
    }
    /// An `invalid_key` error.
    public static func invalidKey(_ reason: String = "invalid key", underlying: (any Error & Sendable)? = nil, file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.invalidKey, reason, underlying: underlying, file: file, line: line)
    }
    /// A `weak_key` error.
    public static func weakKey(_ reason: String = "key too weak", underlying: (any Error & Sendable)? = nil, file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.weakKey, reason, underlying: underlying, file: file, line: line)
    }
    /// A `bad_signature` error.
    public static func badSignature(_ reason: String = "signature does not verify", file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.badSignature, reason, file: file, line: line)
    }
    /// An `expired` error.
    public static func expired(_ reason: String = "token expired", file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.expired, reason, file: file, line: line)
    }
    /// A `not_yet_valid` error.
    public static func notYetValid(_ reason: String = "token not yet valid", file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.notYetValid, reason, file: file, line: line)
    }
    /// An `issued_in_future` error.
    public static func issuedInFuture(_ reason: String = "token issued in the future", file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.issuedInFuture, reason, file: file, line: line)
    }
    /// An `invalid_issuer` error.
    public static func invalidIssuer(_ reason: String = "unexpected issuer", file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.invalidIssuer, reason, file: file, line: line)
    }
    /// An `invalid_audience` error.
    public static func invalidAudience(_ reason: String = "unexpected audience", file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.invalidAudience, reason, file: file, line: line)
    }
    /// An `invalid_type` error.
    public static func invalidType(_ reason: String = "unexpected typ header", file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.invalidType, reason, file: file, line: line)
    }
    /// An `invalid_claim` error.
    public static func invalidClaim(_ reason: String = "claim has the wrong type", file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.invalidClaim, reason, file: file, line: line)
    }
    /// A `missing_claim` error.
    public static func missingClaim(_ reason: String = "required claim missing", file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.missingClaim, reason, file: file, line: line)
    }
    /// A `signing_failed` error.
    public static func signingFailed(_ reason: String = "signing failed", underlying: (any Error & Sendable)? = nil, file: String = #fileID, line: Int = #line) -> JWTError {
        JWTError(.signingFailed, reason, underlying: underlying, file: file, line: line)
    }
}
