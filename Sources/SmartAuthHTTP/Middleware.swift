public import SmartAuthCore

/// Per-request state that middleware passes along: the authenticated principal, the client's address, and the
/// rate-limit decision to report in response headers.
public struct RequestContext: Sendable {
    /// The principal, once authentication middleware has run.
    public var principal: Principal?
    /// The client's address after trusted-proxy resolution.
    public var clientAddress: String
    /// The last rate-limit decision, its limit and policy name (for `RateLimit` headers).
    public var rateLimit: (decision: RateLimitDecision, limit: RateLimit, name: String)?

    /// A context for a request from `clientAddress`.
    public init(clientAddress: String, principal: Principal? = nil) {
        self.clientAddress = clientAddress
        self.principal = principal
    }
}

/// The next step of a chain: the rest of the middleware and, at the end, the route handler.
public typealias HTTPNext = @Sendable (HTTPRequest, RequestContext) async -> HTTPResponse

/// One step around a request: look at it, answer it, or pass it on (possibly with a changed context) and
/// adjust the response. One requirement, so framework adapters are a few lines (see the README).
public protocol HTTPMiddleware: Sendable {
    /// Handles `request`, calling `next` to continue the chain.
    func handle(_ request: HTTPRequest, context: RequestContext, next: HTTPNext) async -> HTTPResponse
}

/// A middleware from a closure.
public struct ClosureMiddleware: HTTPMiddleware {
    private let body: @Sendable (HTTPRequest, RequestContext, HTTPNext) async -> HTTPResponse
    /// A middleware that runs `body`.
    public init(_ body: @escaping @Sendable (HTTPRequest, RequestContext, HTTPNext) async -> HTTPResponse) { self.body = body }
    public func handle(_ request: HTTPRequest, context: RequestContext, next: HTTPNext) async -> HTTPResponse {
        await body(request, context, next)
    }
}

extension Array where Element == any HTTPMiddleware {
    /// The chain of these middleware around `handler`, first element outermost.
    public func wrapping(_ handler: @escaping HTTPNext) -> HTTPNext {
        reversed().reduce(handler) { next, middleware in
            { request, context in await middleware.handle(request, context: context, next: next) }
        }
    }
}

/// Authenticates the bearer token with an ``AuthEngine`` and puts the ``Principal`` in the context.
///
/// With `required` (the default), a request without credentials gets 401 with `WWW-Authenticate: Bearer`, and
/// a bad token 401 with `error="invalid_token"`; otherwise requests without a token pass through
/// unauthenticated (a bad token is still refused).
public struct AuthenticationMiddleware: HTTPMiddleware {
    /// The engine that verifies tokens.
    public let engine: AuthEngine
    /// Whether a principal is required.
    public let required: Bool

    /// Authentication with `engine`.
    public init(engine: AuthEngine, required: Bool = true) {
        self.engine = engine
        self.required = required
    }

    public func handle(_ request: HTTPRequest, context: RequestContext, next: HTTPNext) async -> HTTPResponse {
        switch BearerToken.extract(from: request.headers) {
        case .absent:
            if required { return HTTPErrorResponse.response(for: AuthError(.unauthenticated, "authentication required")) }
            return await next(request, context)
        case .malformed:
            return HTTPErrorResponse.response(for: AuthError(.invalidToken, "malformed Authorization header"))
        case .token(let token):
            do {
                var context = context
                context.principal = try await engine.authenticate(bearer: token)
                return await next(request, context)
            } catch {
                return HTTPErrorResponse.response(for: error)
            }
        }
    }
}

/// Lets a request through only if its principal passes a ``Guard`` (401 without a principal, 403 otherwise).
public struct GuardMiddleware: HTTPMiddleware {
    /// The rule.
    public let rule: Guard
    /// The roles and permissions.
    public let policy: Policy

    /// A guard middleware.
    public init(_ rule: Guard, policy: Policy) {
        self.rule = rule
        self.policy = policy
    }

    public func handle(_ request: HTTPRequest, context: RequestContext, next: HTTPNext) async -> HTTPResponse {
        do {
            try rule.check(context.principal, policy: policy)
        } catch {
            return HTTPErrorResponse.response(for: error)
        }
        return await next(request, context)
    }
}

/// Rate limits requests by a key derived from the request (client address by default) and adds the
/// `RateLimit-Policy`/`RateLimit` headers to every response, answering 429 with `Retry-After` when denied.
public struct RateLimitMiddleware: HTTPMiddleware {
    /// The limiter.
    public let limiter: RateLimiter
    /// The limit.
    public let limit: RateLimit
    /// The policy name in the headers (also separates this limit's counters from other routes').
    public let name: String
    /// What to count.
    public let key: @Sendable (HTTPRequest, RequestContext) -> RateLimitKey
    /// What to do when the counters cannot be reached.
    public let failureMode: RateLimiter.FailureMode

    /// A rate limit of `limit` per key, by client address unless `key` says otherwise.
    public init(
        limiter: RateLimiter, limit: RateLimit, name: String, failureMode: RateLimiter.FailureMode = .closed,
        key: @escaping @Sendable (HTTPRequest, RequestContext) -> RateLimitKey = { _, context in .ip(context.clientAddress) }
    ) {
        self.limiter = limiter
        self.limit = limit
        self.name = name
        self.key = key
        self.failureMode = failureMode
    }

    public func handle(_ request: HTTPRequest, context: RequestContext, next: HTTPNext) async -> HTTPResponse {
        let decision: RateLimitDecision
        do {
            decision = try await limiter.acquire(key(request, context).route(name), limit: limit, failureMode: failureMode)
        } catch {
            return HTTPErrorResponse.response(for: error)
        }
        let fields = RateLimitHeaders.fields(for: decision, limit: limit, name: name)
        guard decision.allowed else {
            var response = HTTPErrorResponse.response(
                for: AuthError(.rateLimited, "rate limit exceeded", retryAfter: decision.retryAfter))
            response.headers.remove("Retry-After")
            for (field, value) in fields { response.headers.add(field, value) }
            return response
        }
        var context = context
        context.rateLimit = (decision, limit, name)
        var response = await next(request, context)
        for (field, value) in fields where field != "Retry-After" { response.headers.set(field, value) }
        return response
    }
}
