/// The one error type thrown by SmartAuthCrypto.
///
/// A `CryptoError` carries a ``Code`` that says what kind of failure happened, a ``message`` that is safe to
/// show a developer, an optional ``underlying`` error (for OpenSSL failures, the drained OpenSSL error queue) and
/// the source location where it was made.
///
/// Equality and hashing use ``code`` only, so tests can compare a thrown error against a freshly made one:
///
///     #expect(error == .weakKey("any message"))
///
/// - Important: Neither ``message`` nor ``description`` ever contains key bytes, secrets or signatures.
public struct CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of a ``CryptoError``.
    ///
    /// An open set: new codes may be added in later versions, so `switch` over codes with a `default` case.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: Hashable, Sendable {
            case invalidKey
            case weakKey
            case unsupported
            case invalidPEM
            case signingFailed
            case randomFailure
            case internalFailure
        }

        private let kind: Kind

        private init(_ kind: Kind) {
            self.kind = kind
        }

        /// Key material is malformed or fails validation (for example an EC point that is not on its curve).
        public static let invalidKey = Code(.invalidKey)
        /// Key material is well formed but too weak to use: an HMAC secret shorter than the digest, an RSA modulus
        /// under 2048 bits, an RSA exponent that is even or below 3, or a ROCA-vulnerable (CVE-2017-15361) modulus.
        public static let weakKey = Code(.weakKey)
        /// The curve, algorithm, padding, key size or encoding is not supported.
        public static let unsupported = Code(.unsupported)
        /// PEM or DER input could not be decoded.
        public static let invalidPEM = Code(.invalidPEM)
        /// Producing a signature failed.
        public static let signingFailed = Code(.signingFailed)
        /// The random number generator failed.
        public static let randomFailure = Code(.randomFailure)
        /// OpenSSL failed unexpectedly (for example, out of memory).
        public static let internalFailure = Code(.internalFailure)

        /// The code's name, such as `weakKey`.
        public var description: String {
            switch kind {
            case .invalidKey: "invalidKey"
            case .weakKey: "weakKey"
            case .unsupported: "unsupported"
            case .invalidPEM: "invalidPEM"
            case .signingFailed: "signingFailed"
            case .randomFailure: "randomFailure"
            case .internalFailure: "internalFailure"
            }
        }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A description of the failure that is safe to show a developer. Never contains key bytes.
    public var message: String
    /// The error that caused this one, if any. For OpenSSL failures, the text of OpenSSL's drained error queue.
    public var underlying: (any Error & Sendable)?
    /// The file (`#fileID`) where the error was made.
    public var file: String
    /// The line where the error was made.
    public var line: Int

    /// Makes an error.
    ///
    /// - Parameters:
    ///   - code: What kind of failure this is.
    ///   - message: A developer-safe description. Must not contain key bytes or secrets.
    ///   - underlying: The error that caused this one, if any.
    ///   - file: The file where the error is made; defaults to the caller's `#fileID`.
    ///   - line: The line where the error is made; defaults to the caller's `#line`.
    public init(
        code: Code,
        message: String,
        underlying: (any Error & Sendable)? = nil,
        file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    /// Compares ``code`` only.
    ///
    /// - Parameters:
    ///   - lhs: An error.
    ///   - rhs: Another error.
    /// - Returns: `true` if both errors have the same ``code``.
    public static func == (lhs: CryptoError, rhs: CryptoError) -> Bool {
        lhs.code == rhs.code
    }

    /// Hashes ``code`` only.
    ///
    /// - Parameter hasher: The hasher to feed.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
    }

    /// `CryptoError.<code>: <message>`, followed by the underlying error if there is one.
    public var description: String {
        var text = "CryptoError.\(code): \(message)"
        if let underlying {
            text += " (underlying: \(String(describing: underlying)))"
        }
        return text
    }
}

extension CryptoError {
    /// Makes an ``Code/invalidKey`` error: key material is malformed or fails validation.
    ///
    /// - Parameters:
    ///   - message: A developer-safe description. Must not contain key bytes or secrets.
    ///   - underlying: The error that caused this one, if any.
    ///   - file: The file where the error is made; defaults to the caller's `#fileID`.
    ///   - line: The line where the error is made; defaults to the caller's `#line`.
    /// - Returns: The error.
    public static func invalidKey(
        _ message: String,
        underlying: (any Error & Sendable)? = nil,
        file: String = #fileID,
        line: Int = #line
    ) -> CryptoError {
        CryptoError(code: .invalidKey, message: message, underlying: underlying, file: file, line: line)
    }

    /// Makes a ``Code/weakKey`` error: key material is well formed but too weak to use.
    ///
    /// - Parameters:
    ///   - message: A developer-safe description. Must not contain key bytes or secrets.
    ///   - underlying: The error that caused this one, if any.
    ///   - file: The file where the error is made; defaults to the caller's `#fileID`.
    ///   - line: The line where the error is made; defaults to the caller's `#line`.
    /// - Returns: The error.
    public static func weakKey(
        _ message: String,
        underlying: (any Error & Sendable)? = nil,
        file: String = #fileID,
        line: Int = #line
    ) -> CryptoError {
        CryptoError(code: .weakKey, message: message, underlying: underlying, file: file, line: line)
    }

    /// Makes an ``Code/unsupported`` error: a curve, algorithm, padding or encoding is not supported.
    ///
    /// - Parameters:
    ///   - message: A developer-safe description. Must not contain key bytes or secrets.
    ///   - underlying: The error that caused this one, if any.
    ///   - file: The file where the error is made; defaults to the caller's `#fileID`.
    ///   - line: The line where the error is made; defaults to the caller's `#line`.
    /// - Returns: The error.
    public static func unsupported(
        _ message: String,
        underlying: (any Error & Sendable)? = nil,
        file: String = #fileID,
        line: Int = #line
    ) -> CryptoError {
        CryptoError(code: .unsupported, message: message, underlying: underlying, file: file, line: line)
    }

    /// Makes an ``Code/invalidPEM`` error: PEM or DER input could not be decoded.
    ///
    /// - Parameters:
    ///   - message: A developer-safe description. Must not contain key bytes or secrets.
    ///   - underlying: The error that caused this one, if any.
    ///   - file: The file where the error is made; defaults to the caller's `#fileID`.
    ///   - line: The line where the error is made; defaults to the caller's `#line`.
    /// - Returns: The error.
    public static func invalidPEM(
        _ message: String,
        underlying: (any Error & Sendable)? = nil,
        file: String = #fileID,
        line: Int = #line
    ) -> CryptoError {
        CryptoError(code: .invalidPEM, message: message, underlying: underlying, file: file, line: line)
    }

    /// Makes a ``Code/signingFailed`` error: producing a signature failed.
    ///
    /// - Parameters:
    ///   - message: A developer-safe description. Must not contain key bytes or secrets.
    ///   - underlying: The error that caused this one, if any.
    ///   - file: The file where the error is made; defaults to the caller's `#fileID`.
    ///   - line: The line where the error is made; defaults to the caller's `#line`.
    /// - Returns: The error.
    public static func signingFailed(
        _ message: String,
        underlying: (any Error & Sendable)? = nil,
        file: String = #fileID,
        line: Int = #line
    ) -> CryptoError {
        CryptoError(code: .signingFailed, message: message, underlying: underlying, file: file, line: line)
    }

    /// Makes a ``Code/randomFailure`` error: the random number generator failed.
    ///
    /// - Parameters:
    ///   - message: A developer-safe description.
    ///   - underlying: The error that caused this one, if any.
    ///   - file: The file where the error is made; defaults to the caller's `#fileID`.
    ///   - line: The line where the error is made; defaults to the caller's `#line`.
    /// - Returns: The error.
    public static func randomFailure(
        _ message: String,
        underlying: (any Error & Sendable)? = nil,
        file: String = #fileID,
        line: Int = #line
    ) -> CryptoError {
        CryptoError(code: .randomFailure, message: message, underlying: underlying, file: file, line: line)
    }

    /// Makes an ``Code/internalFailure`` error: OpenSSL failed unexpectedly.
    ///
    /// - Parameters:
    ///   - message: A developer-safe description. Must not contain key bytes or secrets.
    ///   - underlying: The error that caused this one, if any.
    ///   - file: The file where the error is made; defaults to the caller's `#fileID`.
    ///   - line: The line where the error is made; defaults to the caller's `#line`.
    /// - Returns: The error.
    public static func internalFailure(
        _ message: String,
        underlying: (any Error & Sendable)? = nil,
        file: String = #fileID,
        line: Int = #line
    ) -> CryptoError {
        CryptoError(code: .internalFailure, message: message, underlying: underlying, file: file, line: line)
    }
}
