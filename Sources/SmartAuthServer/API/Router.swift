import SmartAuthHTTP

/// Routes by method and path pattern (`/v1/sessions/{id}`), with the matched parameters.
struct Router: Sendable {
    typealias Handler = @Sendable (AuthAPI, HTTPRequest, RequestContext, [String: String]) async -> HTTPResponse
    /// Runs on the transport's thread, never waits: answers at once, or hands back the rest of the work.
    typealias ImmediateHandler = @Sendable (AuthAPI, HTTPRequest) -> HTTPServer.Immediate

    struct Route: Sendable {
        let method: String
        let pattern: [Substring]
        /// The route's name in metrics and logs, e.g. `DELETE /v1/sessions/{id}`.
        let name: String
        let handler: Handler
        let immediate: ImmediateHandler?
    }

    private(set) var routes: [Route] = []
    /// The routes without parameters, by their exact path: most requests are found here without splitting the
    /// path. A route here wins over a parameterized route that would match the same path.
    private var staticRoutes: [String: [Route]] = [:]

    /// A route answered by `handler`.
    mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        add(method, pattern, handler: handler, immediate: nil)
    }

    /// A route whose work starts without waiting (``AuthAPI/respondWithoutWaiting(_:)``); through
    /// ``AuthAPI/handle(_:)`` the same `immediate` runs, followed by its rest.
    mutating func add(_ method: String, _ pattern: String, immediate: @escaping ImmediateHandler) {
        add(method, pattern, handler: { api, request, _, _ in await immediate(api, request).response }, immediate: immediate)
    }

    private mutating func add(_ method: String, _ pattern: String, handler: @escaping Handler, immediate: ImmediateHandler?) {
        let route = Route(
            method: method, pattern: pattern.split(separator: "/"), name: "\(method) \(pattern)", handler: handler,
            immediate: immediate)
        routes.append(route)
        if !pattern.contains("{") { staticRoutes[pattern, default: []].append(route) }
    }

    enum Match {
        case found(Route, [String: String])
        case methodNotAllowed([String])
        case notFound
    }

    func match(method: String, path: String) -> Match {
        if let candidates = staticRoutes[path],
            let route = candidates.first(where: { $0.method == method || (method == "HEAD" && $0.method == "GET") })
        {
            return .found(route, [:])
        }
        let segments = path.split(separator: "/")
        var allowed: [String] = []
        for route in routes where route.pattern.count == segments.count {
            var parameters: [String: String] = [:]
            var matches = true
            for (pattern, segment) in zip(route.pattern, segments) {
                if pattern.hasPrefix("{") && pattern.hasSuffix("}") {
                    parameters[String(pattern.dropFirst().dropLast())] = String(segment)
                } else if pattern != segment {
                    matches = false
                    break
                }
            }
            guard matches else { continue }
            if route.method == method || (method == "HEAD" && route.method == "GET") { return .found(route, parameters) }
            allowed.append(route.method)
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed)
    }
}

extension HTTPServer.Immediate {
    /// The answer: given at once, or once the rest of the work is done.
    var response: HTTPResponse {
        get async {
            switch self {
            case .respond(let response): response
            case .continueWith(let rest): await rest()
            }
        }
    }
}
