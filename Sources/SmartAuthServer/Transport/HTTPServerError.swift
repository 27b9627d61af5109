/// The one error type of ``HTTPServer``.
///
/// Equality and hashing use ``code`` only, so tests compare against a freshly made error. The ``message`` is
/// safe for logs (it may quote libmicrohttpd's own explanation); it never contains key material.
public struct HTTPServerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case bindFailed = "bind_failed", tlsFailed = "tls_failed", startFailed = "start_failed"
            case invalidConfiguration = "invalid_configuration"
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// `bind_failed`: the listening socket could not be created, bound or put into listening state (port
        /// in use, permission denied, `host` not an address literal, address not available).
        public static let bindFailed = Code(.bindFailed)
        /// `tls_failed`: TLS was asked for but libmicrohttpd lacks TLS support, a PEM file could not be read,
        /// only one of certificate and key was given, or libmicrohttpd rejected the certificate or key.
        public static let tlsFailed = Code(.tlsFailed)
        /// `start_failed`: libmicrohttpd did not start (threads, epoll), or ``HTTPServer/start()`` was called
        /// a second time.
        public static let startFailed = Code(.startFailed)
        /// `invalid_configuration`: a ``HTTPServer/Configuration`` value is out of range.
        public static let invalidConfiguration = Code(.invalidConfiguration)

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

    static func bindFailed(_ message: String, file: String = #fileID, line: Int = #line) -> HTTPServerError {
        HTTPServerError(.bindFailed, message, file: file, line: line)
    }

    static func tlsFailed(_ message: String, file: String = #fileID, line: Int = #line) -> HTTPServerError {
        HTTPServerError(.tlsFailed, message, file: file, line: line)
    }

    static func startFailed(_ message: String, file: String = #fileID, line: Int = #line) -> HTTPServerError {
        HTTPServerError(.startFailed, message, file: file, line: line)
    }

    static func invalidConfiguration(_ message: String, file: String = #fileID, line: Int = #line)
        -> HTTPServerError
    {
        HTTPServerError(.invalidConfiguration, message, file: file, line: line)
    }

    public static func == (lhs: HTTPServerError, rhs: HTTPServerError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    public var description: String { "HTTPServerError.\(code.name): \(message)" }
}
