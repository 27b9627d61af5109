import SmartAuthCore
import SmartAuthHTTP
import SmartAuthJWT

extension AuthAPI {
    /// `GET /.well-known/jwks.json` — the public keys that verify access tokens (never symmetric ones).
    func jwks() -> HTTPResponse {
        HTTPResponse(
            status: 200, headers: ["Content-Type": "application/json", "Cache-Control": "public, max-age=300"],
            body: Array(engine.publicKeySet.publicJSON.utf8))
    }

    /// `GET /.well-known/oauth-authorization-server` (RFC 8414).
    func metadata() -> HTTPResponse {
        let base = configuration.baseURL.hasSuffix("/") ? String(configuration.baseURL.dropLast()) : configuration.baseURL
        let algorithms = engine.keyRing.verificationAlgorithms.map(\.name).sorted()
        var body: JSONObject = [
            "issuer": .string(engine.configuration.issuer),
            "token_endpoint": .string(base + "/v1/token"),
            "jwks_uri": .string(base + "/.well-known/jwks.json"),
            "revocation_endpoint": .string(base + "/v1/revoke"),
            "grant_types_supported": .array([.string("password"), .string("refresh_token")]),
            "response_types_supported": .array([]),
            "token_endpoint_auth_methods_supported": .array([.string("none")]),
            "revocation_endpoint_auth_methods_supported": .array([.string("none")]),
            "token_endpoint_auth_signing_alg_values_supported": .array(algorithms.map(JSONValue.string)),
            "userinfo_endpoint": .string(base + "/v1/userinfo"),
        ]
        if configuration.introspectionKey != nil {
            body["introspection_endpoint"] = .string(base + "/v1/introspect")
            body["introspection_endpoint_auth_methods_supported"] = .array([.string("bearer")])
        }
        return HTTPErrorResponse.json(status: 200, body, headers: ["Content-Type": "application/json", "Cache-Control": "public, max-age=300"])
    }

    /// `GET /healthz` — the process is up.
    func health() -> HTTPResponse { HTTPErrorResponse.json(status: 200, ["status": .string("ok")]) }

    /// `GET /readyz` — 200 when the store answers, 503 when it does not.
    func ready() async -> HTTPResponse {
        do {
            _ = try await engine.store.session(SessionID("readiness-probe"), at: engine.configuration.clock.now())
            return HTTPErrorResponse.json(status: 200, ["status": .string("ready")])
        } catch {
            return HTTPErrorResponse.json(status: 503, ["status": .string("store_unavailable")])
        }
    }

    /// `GET /metrics` — Prometheus text format.
    func metricsResponse() -> HTTPResponse {
        HTTPResponse(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4"], body: Array(metrics.render().utf8))
    }
}
