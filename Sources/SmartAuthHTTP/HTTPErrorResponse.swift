public import SmartAuthCore
public import SmartAuthJWT

/// The one place where an ``AuthError`` becomes an HTTP response: status, `WWW-Authenticate` (RFC 6750 §3),
/// `Retry-After`, and an RFC 6749-style JSON body `{"error": …, "error_description": …}`.
///
/// Error descriptions are the error's message, which never contains tokens, keys or passwords.
public enum HTTPErrorResponse {
    /// The HTTP status for `code`.
    public static func status(for code: AuthError.Code) -> Int {
        switch code {
        case .invalidToken, .sessionRevoked, .unauthenticated: 401
        case .forbidden, .loginVetoed: 403
        case .invalidRefreshToken, .refreshTokenReused, .invalidCredentials, .invalidRequest: 400
        case .notFound: 404
        case .conflict: 409
        case .rateLimited: 429
        case .storeUnavailable: 503
        default: 500
        }
    }

    /// The OAuth-style error code for `code`.
    public static func oauthError(for code: AuthError.Code) -> String {
        switch code {
        case .invalidToken, .sessionRevoked: "invalid_token"
        case .unauthenticated: "unauthorized"
        case .forbidden: "insufficient_scope"
        case .loginVetoed: "access_denied"
        case .invalidRefreshToken, .refreshTokenReused, .invalidCredentials: "invalid_grant"
        case .invalidRequest: "invalid_request"
        case .notFound: "not_found"
        case .conflict: "conflict"
        case .rateLimited: "slow_down"
        case .storeUnavailable: "temporarily_unavailable"
        default: "server_error"
        }
    }

    /// The response for `error`. `realm` names the protected space in `WWW-Authenticate`.
    public static func response(for error: AuthError, realm: String = "smartauth") -> HTTPResponse {
        let status = status(for: error.code)
        var headers: HTTPHeaders = ["Content-Type": "application/json", "Cache-Control": "no-store"]
        switch error.code {
        case .invalidToken, .sessionRevoked:
            headers.add("WWW-Authenticate", "Bearer realm=\"\(realm)\", error=\"invalid_token\", error_description=\"\(quoted(error.message))\"")
        case .unauthenticated:
            // RFC 6750 §3.1: no error code when the request had no credentials.
            headers.add("WWW-Authenticate", "Bearer realm=\"\(realm)\"")
        case .forbidden:
            headers.add("WWW-Authenticate", "Bearer realm=\"\(realm)\", error=\"insufficient_scope\"")
        case .rateLimited:
            if let retryAfter = error.retryAfter { headers.add("Retry-After", String(max(1, Int(retryAfter.rounded(.up))))) }
        default:
            break
        }
        let description = status == 500 ? "internal error" : error.message
        return json(status: status, ["error": .string(oauthError(for: error.code)), "error_description": .string(description)], headers: headers)
    }

    /// The response for any error: an ``AuthError`` as above, a ``SessionStoreError`` as `store_unavailable`,
    /// anything else as a 500 without details.
    public static func response(for error: any Error, realm: String = "smartauth") -> HTTPResponse {
        if let error = error as? AuthError { return response(for: error, realm: realm) }
        if let error = error as? SessionStoreError { return response(for: AuthError.store(error), realm: realm) }
        return response(for: AuthError(.internalFailure, "internal error"), realm: realm)
    }

    /// A JSON response.
    public static func json(status: Int, _ object: JSONObject, headers: HTTPHeaders = ["Content-Type": "application/json"]) -> HTTPResponse {
        var headers = headers
        if headers["Content-Type"] == nil { headers.add("Content-Type", "application/json") }
        return HTTPResponse(status: status, headers: headers, body: JSONWriter.bytes(of: .object(object)))
    }

    private static func quoted(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 }.map(Character.init))
    }
}
