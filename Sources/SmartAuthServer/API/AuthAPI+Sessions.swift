import Foundation
import SmartAuthCore
import SmartAuthHTTP
import SmartAuthJWT

extension AuthAPI {
    /// Authenticates the request's bearer token, or answers with the error response.
    func principal(_ request: HTTPRequest) async -> Result<Principal, AuthError> {
        do {
            return .success(try await engine.authenticate(bearer: bearerToken(request)))
        } catch {
            return .failure(error)
        }
    }

    /// The bearer token of `request`.
    /// - Throws: ``AuthError`` `.unauthenticated` (none) or `.invalidToken` (a malformed `Authorization`).
    func bearerToken(_ request: HTTPRequest) throws(AuthError) -> String {
        switch BearerToken.extract(from: request.headers) {
        case .absent: throw AuthError(.unauthenticated, "authentication required")
        case .malformed: throw AuthError(.invalidToken, "malformed Authorization header")
        case .token(let token): return token
        }
    }

    /// `POST /v1/logout` — `scope`: `local` (this session, the default), `others`, or `global`.
    func logout(_ request: HTTPRequest, _ context: RequestContext) async -> HTTPResponse {
        do {
            let principal = try await principal(request).get()
            let scope = try RequestParameters(request).string("scope") ?? "local"
            switch scope {
            case "local": try await engine.logout(session: principal.sessionID)
            case "others": try await engine.logoutOthers(user: principal.userID, keeping: principal.sessionID)
            case "global": try await engine.logoutAll(user: principal.userID)
            default: throw AuthError(.invalidRequest, "scope must be local, others or global")
            }
            var headers: HTTPHeaders = ["Cache-Control": "no-store"]
            if let cookie = configuration.refreshCookie, scope != "others" {
                headers.add("Set-Cookie", refreshCookieHeader(cookie, value: "", maxAge: 0))
            }
            return HTTPResponse(status: 204, headers: headers)
        } catch {
            return HTTPErrorResponse.response(for: error)
        }
    }

    func sessionJSON(_ info: SessionInfo) -> JSONObject {
        var object: JSONObject = [
            "id": .string(info.session.id.rawValue), "device": .string(info.deviceLabel),
            "created_at": .string(Timestamp.string(info.session.createdAt)),
            "last_seen_at": .string(Timestamp.string(info.session.lastSeenAt)),
            "expires_at": .string(Timestamp.string(info.session.expiresAt)),
            "authentication_level": .number(JSONNumber(info.session.authenticationLevel)), "current": .bool(info.isCurrent),
        ]
        if let address = info.session.client.ipAddress { object["ip"] = .string(address) }
        if let agent = info.session.client.userAgent { object["user_agent"] = .string(agent) }
        return object
    }

    /// `GET /v1/sessions` — the caller's sessions, newest first, the current one marked.
    func listSessions(_ request: HTTPRequest, _ context: RequestContext) async -> HTTPResponse {
        do {
            let principal = try await principal(request).get()
            let sessions = try await engine.sessions(of: principal.userID, current: principal.sessionID)
            return HTTPErrorResponse.json(status: 200, ["sessions": .array(sessions.map { .object(sessionJSON($0)) })])
        } catch {
            return HTTPErrorResponse.response(for: error)
        }
    }

    /// `DELETE /v1/sessions/{id}` — ends one of the caller's sessions.
    func deleteSession(_ request: HTTPRequest, _ context: RequestContext, id: String) async -> HTTPResponse {
        do {
            let principal = try await principal(request).get()
            try await engine.revoke(SessionID(id), by: principal.userID)
            return HTTPResponse(status: 204)
        } catch {
            return HTTPErrorResponse.response(for: error)
        }
    }

    /// `GET /v1/userinfo` — who the caller is. The token is verified at once, on the calling thread; the
    /// session lookup and the profile read, when memory cannot answer them, are the rest of the work.
    func userInfoImmediately(_ request: HTTPRequest) -> HTTPServer.Immediate {
        let step: AuthEngine.AuthenticationStep
        do {
            step = try engine.beginAuthentication(bearer: bearerToken(request))
        } catch {
            return .respond(HTTPErrorResponse.response(for: error))
        }
        if case .authenticated(let principal) = step, let profile = profiles.profile(principal.userID, now: Date()) {
            return .respond(userInfoResponse(principal, profile))
        }
        return .continueWith { [self] in
            do {
                let principal: Principal
                switch step {
                case .authenticated(let done): principal = done
                case .needsSessionLookup(let pending): principal = try await engine.completeAuthentication(pending)
                }
                return userInfoResponse(principal, try await profile(of: principal.userID))
            } catch {
                return HTTPErrorResponse.response(for: error)
            }
        }
    }

    /// Every userinfo answer's header fields (one shared copy: `finish` finds `Cache-Control` and adds nothing).
    private static let userInfoHeaders: HTTPHeaders = ["Content-Type": "application/json", "Cache-Control": "no-store"]

    /// `{"sub":…,"sid":…,"roles":[…],"aal":…,"email":…}`, written straight into bytes: this answer is the
    /// authenticate path's, on every request.
    private func userInfoResponse(_ principal: Principal, _ profile: ProfileCache.Profile) -> HTTPResponse {
        var body = JSONObjectWriter()
        body.string("sub", principal.userID.rawValue)
        body.string("sid", principal.sessionID.rawValue)
        body.strings("roles", principal.roles)
        body.integer("aal", principal.authenticationLevel)
        if let email = profile.email { body.string("email", email) }
        return HTTPResponse(status: 200, headers: Self.userInfoHeaders, body: body.bytes())
    }

    /// What userinfo shows of the user's record: from ``ProfileCache`` when fresh, otherwise from the store.
    private func profile(of user: UserID) async throws(AuthError) -> ProfileCache.Profile {
        let now = Date()
        if let cached = profiles.profile(user, now: now) { return cached }
        let record: UserRecord?
        do {
            record = try await accounts.users.user(id: user)
        } catch {
            throw AuthError.store(error)
        }
        let profile = ProfileCache.Profile(email: record?.email)
        profiles.store(profile, for: user, now: now)
        return profile
    }

    // MARK: Admin

    /// The caller, if they hold the admin permission.
    private func admin(_ request: HTTPRequest) async throws(AuthError) -> Principal {
        let principal = try await principal(request).get()
        try Guard.permission(configuration.adminPermission).check(principal, policy: configuration.policy)
        return principal
    }

    /// `GET /v1/admin/users/{id}/sessions`.
    func adminListSessions(_ request: HTTPRequest, _ context: RequestContext, user: String) async -> HTTPResponse {
        do {
            _ = try await admin(request)
            let sessions = try await engine.sessions(of: UserID(user))
            return HTTPErrorResponse.json(status: 200, ["sessions": .array(sessions.map { .object(sessionJSON($0)) })])
        } catch {
            return HTTPErrorResponse.response(for: error)
        }
    }

    /// `DELETE /v1/admin/users/{id}/sessions` — log the user out everywhere.
    func adminRevokeSessions(_ request: HTTPRequest, _ context: RequestContext, user: String) async -> HTTPResponse {
        do {
            _ = try await admin(request)
            let count = try await engine.logoutAll(user: UserID(user), reason: .administrator)
            return HTTPErrorResponse.json(status: 200, ["revoked": .number(JSONNumber(count))])
        } catch {
            return HTTPErrorResponse.response(for: error)
        }
    }

    /// `PUT /v1/admin/users/{id}/roles` — `{"roles": [...]}`.
    func adminSetRoles(_ request: HTTPRequest, _ context: RequestContext, user: String) async -> HTTPResponse {
        do {
            _ = try await admin(request)
            let parameters = try RequestParameters(request)
            guard case .array(let items)? = parameters.values["roles"] else { throw AuthError(.invalidRequest, "roles must be an array") }
            let roles = try items.map { (item) throws(AuthError) -> String in
                guard case .string(let role) = item, !role.isEmpty, role.count <= 64 else {
                    throw AuthError(.invalidRequest, "roles must be non-empty strings")
                }
                return role
            }
            try await accounts.setRoles(of: UserID(user), to: roles)
            return HTTPErrorResponse.json(status: 200, ["roles": .array(roles.map(JSONValue.string))])
        } catch {
            return HTTPErrorResponse.response(for: error)
        }
    }

    /// `POST /v1/admin/users/{id}/disable` — `{"disabled": true|false}` (default true).
    func adminDisable(_ request: HTTPRequest, _ context: RequestContext, user: String) async -> HTTPResponse {
        do {
            _ = try await admin(request)
            let parameters = try RequestParameters(request)
            var disabled = true
            if let value = parameters.values["disabled"] {
                guard case .bool(let flag) = value else { throw AuthError(.invalidRequest, "disabled must be a Boolean") }
                disabled = flag
            }
            try await accounts.setDisabled(UserID(user), disabled)
            return HTTPErrorResponse.json(status: 200, ["disabled": .bool(disabled)])
        } catch {
            return HTTPErrorResponse.response(for: error)
        }
    }
}
