import Foundation
public import SmartAuthCore
public import SmartAuthHTTP
import SmartAuthJWT

/// SmartAuth's REST API over the session engine, as one `(HTTPRequest) -> HTTPResponse` function that any
/// transport can serve (the standalone server uses libmicrohttpd; tests call it in-process).
///
/// Every response carries `Cache-Control: no-store` unless it says otherwise; every request is counted in
/// ``Metrics`` and, when a log sink is given, logged in one line without tokens, passwords or query strings.
public final class AuthAPI: Sendable {
    let engine: AuthEngine
    let accounts: Accounts
    let limiter: RateLimiter
    let configuration: APIConfiguration
    /// The request and security counters served at `/metrics`.
    public let metrics: Metrics
    private let log: (@Sendable (String) -> Void)?
    private let resolver: ClientAddressResolver
    private let router: Router
    private let routeMiddleware: [String: [any HTTPMiddleware]]
    let profiles: ProfileCache

    /// The API over `engine` and `accounts`, rate limiting with `limiter`.
    /// - Parameter log: receives one access-log line per request (none by default).
    public init(
        engine: AuthEngine, accounts: Accounts, limiter: RateLimiter, configuration: APIConfiguration,
        metrics: Metrics = Metrics(), log: (@Sendable (String) -> Void)? = nil
    ) {
        self.engine = engine
        self.accounts = accounts
        self.limiter = limiter
        self.configuration = configuration
        self.metrics = metrics
        self.log = log
        self.resolver = ClientAddressResolver(trustedProxies: configuration.trustedProxies)
        self.profiles = ProfileCache(ttl: configuration.profileCacheTTL)
        var router = Router()
        Self.register(&router)
        self.router = router
        self.routeMiddleware = Self.middlewareByRoute(router, configuration: configuration, limiter: limiter)
        let metrics = self.metrics
        engine.events.addHook { event in
            switch event.kind {
            case .sessionRefreshed: metrics.increment("refreshes")
            case .refreshTokenReused: metrics.increment("refresh_reuse_detected")
            case .sessionRevoked: metrics.increment("sessions_revoked")
            case .loginFailed: metrics.increment("login_failures")
            case .sessionCreated: metrics.increment("logins")
            default: break
            }
        }
    }

    /// Answers one request.
    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let start = ContinuousClock.now
        let context = RequestContext(clientAddress: clientAddress(of: request))
        let routeName: String
        let response: HTTPResponse
        switch router.match(method: request.method, path: request.path) {
        case .found(let route, let parameters):
            routeName = route.name
            let handler: HTTPNext = { [self] request, context in await route.handler(self, request, context, parameters) }
            response = await middleware(for: route.name).wrapping(handler)(request, context)
        case .methodNotAllowed(let allowed):
            routeName = "unmatched"
            response = HTTPErrorResponse.json(
                status: 405, ["error": .string("method_not_allowed")],
                headers: ["Allow": allowed.joined(separator: ", "), "Content-Type": "application/json"])
        case .notFound:
            routeName = "unmatched"
            response = HTTPErrorResponse.json(status: 404, ["error": .string("not_found")])
        }
        return finish(response, to: request, route: routeName, clientAddress: context.clientAddress, start: start)
    }

    /// The part of answering `request` that needs no waiting, for a transport that calls it on its event-loop
    /// thread: the answer itself when nothing must be waited for, or the rest of the work (which may wait) with
    /// what was already worked out, or nil for requests only ``handle(_:)`` answers. The answer is the one
    /// ``handle(_:)`` gives. `GET /v1/userinfo` (when no rate limit applies) verifies its token here and, with
    /// the `stateless` or `cached` session check and a known profile, is answered here; so are discovery, JWKS,
    /// health and metrics.
    public func respondWithoutWaiting(_ request: HTTPRequest) -> HTTPServer.Immediate? {
        guard case .found(let route, _) = router.match(method: request.method, path: request.path),
            let immediate = route.immediate, middleware(for: route.name).isEmpty
        else { return nil }
        let start = ContinuousClock.now
        let clientAddress = log == nil ? "" : clientAddress(of: request)
        switch immediate(self, request) {
        case .respond(let response):
            return .respond(finish(response, to: request, route: route.name, clientAddress: clientAddress, start: start))
        case .continueWith(let rest):
            return .continueWith { [self] in
                finish(await rest(), to: request, route: route.name, clientAddress: clientAddress, start: start)
            }
        }
    }

    private func clientAddress(of request: HTTPRequest) -> String {
        resolver.clientAddress(peer: request.remoteAddress, forwardedFor: request.headers["X-Forwarded-For"])
    }

    /// What every answer gets: `Cache-Control: no-store` unless set, no body for HEAD, metrics and the log line.
    private func finish(
        _ response: HTTPResponse, to request: HTTPRequest, route: String, clientAddress: String, start: ContinuousClock.Instant
    ) -> HTTPResponse {
        var response = response
        if response.headers["Cache-Control"] == nil { response.headers.add("Cache-Control", "no-store") }
        if request.method == "HEAD" { response.body = [] }
        if response.status == 429 { metrics.increment("rate_limited") }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        metrics.record(route: route, status: response.status, seconds: seconds)
        if let log {
            log("\(Timestamp.string(Date())) \(clientAddress) \"\(request.method) \(sanitized(request.path))\" \(response.status) \(String(format: "%.2f", seconds * 1000))ms")
        }
        return response
    }

    /// The rate limits in front of each route.
    private func middleware(for route: String) -> [any HTTPMiddleware] {
        routeMiddleware[route] ?? []
    }

    /// The rate limits in front of each route, worked out once: `POST /v1/token` and `POST /v1/signup` have
    /// their own, every other `/v1/` route the API limit, the rest (discovery, health, metrics) none.
    private static func middlewareByRoute(
        _ router: Router, configuration: APIConfiguration, limiter: RateLimiter
    ) -> [String: [any HTTPMiddleware]] {
        var result: [String: [any HTTPMiddleware]] = [:]
        for route in router.routes {
            let limit: (RateLimit?, String)
            switch route.name {
            case "POST /v1/token": limit = (configuration.tokenRateLimit, "token")
            case "POST /v1/signup": limit = (configuration.signupRateLimit, "signup")
            case _ where route.name.contains(" /v1/"): limit = (configuration.apiRateLimit, "api")
            default: continue
            }
            guard let rate = limit.0 else { continue }
            result[route.name] = [RateLimitMiddleware(limiter: limiter, limit: rate, name: limit.1)]
        }
        return result
    }

    /// A path fit for a log line: printable ASCII only, at most 200 characters.
    private func sanitized(_ path: String) -> String {
        String(path.unicodeScalars.prefix(200).map { $0.isASCII && $0.value >= 0x21 && $0 != "\"" ? Character($0) : "?" })
    }

    private static func register(_ router: inout Router) {
        router.add("POST", "/v1/signup") { api, request, context, _ in await api.signUp(request, context) }
        router.add("POST", "/v1/token") { api, request, context, _ in await api.token(request, context) }
        router.add("POST", "/v1/revoke") { api, request, context, _ in await api.revoke(request, context) }
        router.add("POST", "/v1/introspect") { api, request, context, _ in await api.introspect(request, context) }
        router.add("POST", "/v1/logout") { api, request, context, _ in await api.logout(request, context) }
        router.add("GET", "/v1/sessions") { api, request, context, _ in await api.listSessions(request, context) }
        router.add("DELETE", "/v1/sessions/{id}") { api, request, context, parameters in
            await api.deleteSession(request, context, id: parameters["id"] ?? "")
        }
        router.add("GET", "/v1/userinfo", immediate: { api, request in api.userInfoImmediately(request) })
        router.add("GET", "/v1/admin/users/{id}/sessions") { api, request, context, parameters in
            await api.adminListSessions(request, context, user: parameters["id"] ?? "")
        }
        router.add("DELETE", "/v1/admin/users/{id}/sessions") { api, request, context, parameters in
            await api.adminRevokeSessions(request, context, user: parameters["id"] ?? "")
        }
        router.add("PUT", "/v1/admin/users/{id}/roles") { api, request, context, parameters in
            await api.adminSetRoles(request, context, user: parameters["id"] ?? "")
        }
        router.add("POST", "/v1/admin/users/{id}/disable") { api, request, context, parameters in
            await api.adminDisable(request, context, user: parameters["id"] ?? "")
        }
        router.add("GET", "/.well-known/jwks.json", immediate: { api, _ in .respond(api.jwks()) })
        router.add("GET", "/.well-known/oauth-authorization-server", immediate: { api, _ in .respond(api.metadata()) })
        router.add("GET", "/openapi.json", immediate: { _, _ in .respond(OpenAPIDocument.response()) })
        router.add("GET", "/healthz", immediate: { api, _ in .respond(api.health()) })
        router.add("GET", "/readyz") { api, _, _, _ in await api.ready() }
        router.add("GET", "/metrics", immediate: { api, _ in .respond(api.metricsResponse()) })
    }
}
