/// A minimal HTTP request, independent of any server framework: what the middleware and the REST API need.
public struct HTTPRequest: Sendable {
    /// The method, upper-case (`GET`, `POST`, …).
    public var method: String
    /// The path, percent-decoded, without the query (`/v1/sessions/abc`).
    public var path: String
    /// The raw query string without `?`, if any.
    public var query: String?
    /// The header fields.
    public var headers: HTTPHeaders
    /// The body (empty when there is none).
    public var body: [UInt8]
    /// The peer's address (IPv4 or IPv6 text), before any trusted-proxy resolution.
    public var remoteAddress: String

    /// A request.
    public init(
        method: String, path: String, query: String? = nil, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
        remoteAddress: String = "127.0.0.1"
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }
}

/// A minimal HTTP response.
public struct HTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The header fields (the transport adds `Date`, `Content-Length`, `Connection`).
    public var headers: HTTPHeaders
    /// The body.
    public var body: [UInt8]

    /// A response.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
