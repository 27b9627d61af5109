/// The one error type of session stores.
///
/// Equality and hashing use ``code`` only. The ``message`` is safe for logs; the underlying error (a C
/// library's message, say) is for logs only and never goes into an HTTP body.
public struct SessionStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case unavailable = "store_unavailable", duplicate, corrupt, invalidArgument = "invalid_argument"
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// `store_unavailable`: the store cannot be reached or did not answer in time. Authentication fails
        /// closed on it.
        public static let unavailable = Code(.unavailable)
        /// `duplicate`: a session with that identifier already exists.
        public static let duplicate = Code(.duplicate)
        /// `corrupt`: the store holds data it cannot read back.
        public static let corrupt = Code(.corrupt)
        /// `invalid_argument`: the request cannot be stored (too large, malformed identifier).
        public static let invalidArgument = Code(.invalidArgument)

        /// The stable snake_case name.
        public var name: String { kind.rawValue }
        public var description: String { kind.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A developer-safe explanation.
    public var message: String
    /// The cause, for logs.
    public var underlying: (any Error & Sendable)?
    /// Where the error was made.
    public var file: String
    /// Where the error was made.
    public var line: Int

    /// An error with the given code and message.
    public init(
        _ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil, file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    /// A `store_unavailable` error.
    public static func unavailable(
        _ message: String, underlying: (any Error & Sendable)? = nil, file: String = #fileID, line: Int = #line
    ) -> SessionStoreError {
        SessionStoreError(.unavailable, message, underlying: underlying, file: file, line: line)
    }

    public static func == (lhs: SessionStoreError, rhs: SessionStoreError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    public var description: String { "SessionStoreError.\(code.name): \(message)" }
}
