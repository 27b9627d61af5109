import Foundation
import SmartAuthCore
import SmartAuthCrypto
import SmartAuthHTTP
import SmartAuthJWT

extension AuthAPI {
    /// `POST /v1/signup` — `email` and `password`; 201 with the user.
    func signUp(_ request: HTTPRequest, _ context: RequestContext) async -> HTTPResponse {
        do {
            let parameters = try RequestParameters(request)
            let user = try await accounts.signUp(email: try parameters.required("email"), password: try parameters.required("password"))
            return HTTPErrorResponse.json(status: 201, userJSON(user))
        } catch {
            return HTTPErrorResponse.response(for: error)
        }
    }

    func userJSON(_ user: UserRecord) -> JSONObject {
        [
            "id": .string(user.id.rawValue), "email": .string(user.email),
            "roles": .array(user.roles.map(JSONValue.string)), "disabled": .bool(user.disabled),
            "created_at": .string(Timestamp.string(user.createdAt)),
        ]
    }

    /// `POST /v1/token` — the OAuth 2.0 token endpoint for the `password` and `refresh_token` grants
    /// (RFC 6749 §4.3, §6), answering with §5.1 success bodies and §5.2 errors.
    func token(_ request: HTTPRequest, _ context: RequestContext) async -> HTTPResponse {
        do {
            let parameters = try RequestParameters(request)
            let client = clientInfo(request, context)
            let pair: TokenPair
            switch try parameters.required("grant_type") {
            case "password":
                pair = try await accounts.logIn(
                    email: try parameters.required("username"), password: try parameters.required("password"), client: client,
                    trustedDevice: await holdsSession(request, context))
            case "refresh_token":
                let (token, fromCookie) = try refreshToken(parameters, request)
                if fromCookie { try checkCSRF(request) }
                pair = try await engine.refresh(token, client: client)
            default:
                return HTTPErrorResponse.json(
                    status: 400,
                    ["error": .string("unsupported_grant_type"), "error_description": .string("use password or refresh_token")])
            }
            return tokenResponse(pair)
        } catch {
            return HTTPErrorResponse.response(for: error)
        }
    }

    private func tokenResponse(_ pair: TokenPair) -> HTTPResponse {
        var body: JSONObject = [
            "access_token": .string(pair.accessToken), "token_type": .string("Bearer"),
            "expires_in": .number(JSONNumber(pair.expiresIn)),
        ]
        var headers: HTTPHeaders = ["Content-Type": "application/json", "Cache-Control": "no-store", "Pragma": "no-cache"]
        if let cookie = configuration.refreshCookie {
            headers.add("Set-Cookie", refreshCookieHeader(cookie, value: pair.refreshToken, maxAge: Int(pair.session.expiresAt.timeIntervalSince(engine.configuration.clock.now()))))
        } else {
            body["refresh_token"] = .string(pair.refreshToken)
        }
        body["session_id"] = .string(pair.session.id.rawValue)
        return HTTPErrorResponse.json(status: 200, body, headers: headers)
    }

    func refreshCookieHeader(_ cookie: APIConfiguration.RefreshCookie, value: String, maxAge: Int) -> String {
        "\(cookie.name)=\(value); Path=/v1/token; Max-Age=\(max(0, maxAge)); HttpOnly;\(cookie.secure ? " Secure;" : "") SameSite=Strict"
    }

    /// The refresh token from the parameters, or (cookie mode) from the cookie.
    private func refreshToken(_ parameters: RequestParameters, _ request: HTTPRequest) throws(AuthError) -> (String, Bool) {
        if let token = try parameters.string("refresh_token"), !token.isEmpty { return (token, false) }
        if let cookie = configuration.refreshCookie, let value = cookieValue(cookie.name, request) { return (value, true) }
        throw AuthError(.invalidRequest, "refresh_token is required")
    }

    func cookieValue(_ name: String, _ request: HTTPRequest) -> String? {
        for header in request.headers.values("Cookie") {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }

    /// A cookie-authenticated refresh must come from the application's own pages: `Sec-Fetch-Site:
    /// same-origin`, or an `Origin` in the allowed list. Anything else (including neither header) is refused.
    func checkCSRF(_ request: HTTPRequest) throws(AuthError) {
        if let site = request.headers["Sec-Fetch-Site"] {
            guard site == "same-origin" else { throw AuthError(.forbidden, "cross-site refresh refused") }
            return
        }
        guard let origin = request.headers["Origin"], configuration.refreshCookie?.allowedOrigins.contains(origin) == true else {
            throw AuthError(.forbidden, "refresh with a cookie needs an allowed Origin")
        }
    }

    func clientInfo(_ request: HTTPRequest, _ context: RequestContext) -> ClientInfo {
        ClientInfo(
            ipAddress: context.clientAddress, userAgent: request.headers["User-Agent"].map { String($0.prefix(512)) },
            deviceName: request.headers["X-Device-Name"].map { String($0.prefix(128)) })
    }

    /// Whether the request carries a valid access token (a device that already has a session).
    private func holdsSession(_ request: HTTPRequest, _ context: RequestContext) async -> Bool {
        guard case .token(let token) = BearerToken.extract(from: request.headers) else { return false }
        do {
            _ = try await engine.authenticate(bearer: token)
            return true
        } catch {
            return false  // no valid session: judged like any other client
        }
    }

    /// `POST /v1/revoke` (RFC 7009): revokes the session behind a refresh or access token. Always 200, so the
    /// answer reveals nothing about the token.
    func revoke(_ request: HTTPRequest, _ context: RequestContext) async -> HTTPResponse {
        do {
            let parameters = try RequestParameters(request)
            let token = try parameters.required("token")
            do {
                let principal = try await engine.authenticate(bearer: token)
                try await engine.logout(session: principal.sessionID)
            } catch where error.code == .storeUnavailable {
                throw error
            } catch {
                // Not a live access token: perhaps a refresh token.
                if let session = try await engine.sessionOfRefreshToken(token) { try await engine.logout(session: session) }
            }
            return HTTPResponse(status: 200, headers: ["Cache-Control": "no-store"])
        } catch {
            return HTTPErrorResponse.response(for: error)
        }
    }

    /// `POST /v1/introspect` (RFC 7662), for resource servers holding the introspection key.
    func introspect(_ request: HTTPRequest, _ context: RequestContext) async -> HTTPResponse {
        guard let key = configuration.introspectionKey else {
            return HTTPErrorResponse.json(status: 404, ["error": .string("not_found")])
        }
        guard case .token(let presented) = BearerToken.extract(from: request.headers), key.constantTimeEquals(Array(presented.utf8)) else {
            var response = HTTPErrorResponse.json(status: 401, ["error": .string("invalid_client")])
            response.headers.add("WWW-Authenticate", "Bearer realm=\"introspection\"")
            return response
        }
        do {
            let parameters = try RequestParameters(request)
            let token = try parameters.required("token")
            let principal: Principal
            do {
                principal = try await engine.authenticate(bearer: token)
            } catch where error.code == .storeUnavailable {
                throw error  // 503: the resource server may retry; it must not treat the token as valid
            } catch {
                return HTTPErrorResponse.json(status: 200, ["active": .bool(false)])
            }
            var body: JSONObject = [
                "active": .bool(true), "token_type": .string("access_token"), "sub": .string(principal.userID.rawValue),
                "sid": .string(principal.sessionID.rawValue), "roles": .array(principal.roles.map(JSONValue.string)),
                "iss": .string(engine.configuration.issuer), "aud": .string(engine.configuration.audience),
                "exp": .number(JSONNumber(Int64(principal.expiresAt.timeIntervalSince1970))),
            ]
            if let issuedAt = principal.claims.issuedAt { body["iat"] = .number(JSONNumber(Int64(issuedAt.timeIntervalSince1970))) }
            if let jti = principal.claims.jwtID { body["jti"] = .string(jti) }
            return HTTPErrorResponse.json(status: 200, body)
        } catch {
            return HTTPErrorResponse.response(for: error)
        }
    }
}
