/// The one error type of the engine. Compare by ``code``; the HTTP layer maps each code to a status in one
/// place. Messages never contain tokens, keys or passwords.
public struct AuthError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case invalidToken = "invalid_token", sessionRevoked = "session_revoked"
            case invalidRefreshToken = "invalid_refresh_token", refreshTokenReused = "refresh_token_reused"
            case loginVetoed = "login_vetoed", forbidden, notFound = "not_found"
            case storeUnavailable = "store_unavailable", configuration, internalFailure = "internal_failure"
            case unauthenticated, invalidCredentials = "invalid_credentials", rateLimited = "rate_limited"
            case conflict, invalidRequest = "invalid_request"
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// `invalid_token`: the access token is missing, malformed, expired, or does not verify (HTTP 401).
        /// ``AuthError/underlying`` holds the `JWTError` with the precise reason.
        public static let invalidToken = Code(.invalidToken)
        /// `session_revoked`: the token is valid but its session has ended (HTTP 401).
        public static let sessionRevoked = Code(.sessionRevoked)
        /// `invalid_refresh_token`: unknown, forged, malformed, expired or revoked (OAuth `invalid_grant`).
        public static let invalidRefreshToken = Code(.invalidRefreshToken)
        /// `refresh_token_reused`: a replayed refresh token; the session (or all the user's sessions) has been
        /// revoked (OAuth `invalid_grant`).
        public static let refreshTokenReused = Code(.refreshTokenReused)
        /// `login_vetoed`: a plugin refused the login (HTTP 403).
        public static let loginVetoed = Code(.loginVetoed)
        /// `forbidden`: the caller may not act on this session (HTTP 403).
        public static let forbidden = Code(.forbidden)
        /// `not_found`: no such session (HTTP 404).
        public static let notFound = Code(.notFound)
        /// `store_unavailable`: the session store did not answer; the request fails closed (HTTP 503).
        public static let storeUnavailable = Code(.storeUnavailable)
        /// `unauthenticated`: the request carries no credentials at all (HTTP 401 without an error code).
        public static let unauthenticated = Code(.unauthenticated)
        /// `invalid_credentials`: wrong email or password, or a disabled account — deliberately the same answer
        /// (OAuth `invalid_grant`).
        public static let invalidCredentials = Code(.invalidCredentials)
        /// `rate_limited`: too many requests or failed logins; ``AuthError/retryAfter`` says when to try again
        /// (HTTP 429).
        public static let rateLimited = Code(.rateLimited)
        /// `conflict`: the resource exists already, e.g. an email that is taken (HTTP 409).
        public static let conflict = Code(.conflict)
        /// `invalid_request`: the request is malformed or breaks a rule (a weak password, a bad email) (HTTP 400).
        public static let invalidRequest = Code(.invalidRequest)
        /// `configuration`: the engine's configuration is invalid (raised when it is built).
        public static let configuration = Code(.configuration)
        /// `internal_failure`: something that should not happen (random source or signing failed).
        public static let internalFailure = Code(.internalFailure)

        /// The stable snake_case name.
        public var name: String { kind.rawValue }
        public var description: String { kind.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A developer-safe explanation.
    public var message: String
    /// The cause (a `JWTError`, a `SessionStoreError`, a plugin's error).
    public var underlying: (any Error & Sendable)?
    /// For `rate_limited`: seconds until the request may be retried.
    public var retryAfter: Double?
    /// Where the error was made.
    public var file: String
    /// Where the error was made.
    public var line: Int

    /// An error with the given code and message.
    public init(
        _ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil, retryAfter: Double? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.retryAfter = retryAfter
        self.file = file
        self.line = line
    }

    public static func == (lhs: AuthError, rhs: AuthError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    public var description: String { "AuthError.\(code.name): \(message)" }
}

extension AuthError {
    /// Wraps a store failure: every store error fails closed as `store_unavailable`, except `corrupt` and
    /// `invalid_argument`, which are internal failures.
    public static func store(_ error: SessionStoreError, file: String = #fileID, line: Int = #line) -> AuthError {
        let code: Code = error.code == .unavailable || error.code == .duplicate ? .storeUnavailable : .internalFailure
        return AuthError(code, "session store: \(error.message)", underlying: error, file: file, line: line)
    }
}
