import Foundation
import SmartAuthCore
import SmartAuthHTTP
import SmartAuthJWT
import SmartAuthServer
import Testing

/// `AuthAPI.respondWithoutWaiting`: answers exactly what needs no waiting, with the answer `handle` gives.
@Suite struct RespondWithoutWaitingTests {
    private enum Outcome {
        case atOnce(HTTPResponse)
        case later(HTTPResponse)
        case notHandled
    }

    private func outcome(_ api: AuthAPI, _ request: HTTPRequest) async -> Outcome {
        switch api.respondWithoutWaiting(request) {
        case .respond(let response)?: .atOnce(response)
        case .continueWith(let rest)?: .later(await rest())
        case nil: .notHandled
        }
    }

    private func atOnce(_ api: AuthAPI, _ request: HTTPRequest) async -> HTTPResponse? {
        if case .atOnce(let response) = await outcome(api, request) { response } else { nil }
    }

    private func userinfo(_ token: String) -> HTTPRequest {
        HTTPRequest(method: "GET", path: "/v1/userinfo", headers: ["Authorization": "Bearer \(token)"], remoteAddress: "203.0.113.7")
    }

    @Test func statelessUserinfoIsAnsweredAtOnceOnceTheProfileIsKnown() async throws {
        let fixture = try APIFixture(configure: { $0.apiRateLimit = nil }, engineSetup: { $0.sessionCheck = .stateless })
        let tokens = try await fixture.signUpAndLogIn()
        // The first request reads the profile from the store: the rest of the work waits for it.
        guard case .later(let first) = await outcome(fixture.api, userinfo(tokens.access)) else {
            Issue.record("the first userinfo needs the store")
            return
        }
        let waited = await fixture.api.handle(userinfo(tokens.access))
        let immediate = try #require(await atOnce(fixture.api, userinfo(tokens.access)))
        #expect(immediate.status == 200)
        #expect(immediate.body == waited.body)
        #expect(first.body == waited.body)
        #expect(immediate.headers["Cache-Control"] == "no-store")
        #expect(Reply(immediate).string("email") == "alice@example.com")
    }

    @Test func statefulUserinfoContinuesWithTheStoreAndHonoursLogout() async throws {
        let fixture = try APIFixture(configure: { $0.apiRateLimit = nil })
        let tokens = try await fixture.signUpAndLogIn()
        guard case .later(let reply) = await outcome(fixture.api, userinfo(tokens.access)) else {
            Issue.record("stateful userinfo answered without the store")
            return
        }
        #expect(reply.status == 200)
        try await fixture.engine.logout(session: SessionID(tokens.session))
        guard case .later(let after) = await outcome(fixture.api, userinfo(tokens.access)) else { return }
        #expect(after.status == 401)
    }

    @Test func aRateLimitedRouteIsLeftToHandle() async throws {
        let fixture = try APIFixture(engineSetup: { $0.sessionCheck = .stateless })
        let tokens = try await fixture.signUpAndLogIn()
        _ = await fixture.api.handle(userinfo(tokens.access))
        guard case .notHandled = await outcome(fixture.api, userinfo(tokens.access)) else {
            Issue.record("a rate-limited route skipped its limiter")
            return
        }
    }

    @Test func errorsAreAnsweredAtOnceAsHandleAnswersThem() async throws {
        let fixture = try APIFixture(configure: { $0.apiRateLimit = nil }, engineSetup: { $0.sessionCheck = .stateless })
        for request in [userinfo("not.a.token"), HTTPRequest(method: "GET", path: "/v1/userinfo")] {
            let immediate = try #require(await atOnce(fixture.api, request))
            let waited = await fixture.api.handle(request)
            #expect(immediate.status == 401)
            #expect(immediate.status == waited.status)
            #expect(immediate.headers["WWW-Authenticate"] == waited.headers["WWW-Authenticate"])
            #expect(immediate.body == waited.body)
        }
    }

    @Test func otherRoutes() async throws {
        let fixture = try APIFixture(configure: { $0.apiRateLimit = nil })
        for path in ["/readyz", "/nowhere"] {
            guard case .notHandled = await outcome(fixture.api, HTTPRequest(method: "GET", path: path)) else {
                Issue.record("\(path) should be left to handle")
                continue
            }
        }
        guard case .notHandled = await outcome(fixture.api, HTTPRequest(method: "POST", path: "/v1/token")) else {
            Issue.record("POST /v1/token should be left to handle")
            return
        }
        #expect(await atOnce(fixture.api, HTTPRequest(method: "GET", path: "/healthz"))?.status == 200)
        let jwks = try #require(await atOnce(fixture.api, HTTPRequest(method: "GET", path: "/.well-known/jwks.json")))
        #expect(jwks.headers["Cache-Control"] == "public, max-age=300")
        // HEAD gets the headers without the body, as through handle.
        let head = try #require(await atOnce(fixture.api, HTTPRequest(method: "HEAD", path: "/healthz")))
        #expect(head.status == 200 && head.body.isEmpty)
    }

    @Test func answersAtOnceAreCountedInMetrics() async throws {
        let fixture = try APIFixture()
        _ = await atOnce(fixture.api, HTTPRequest(method: "GET", path: "/healthz"))
        let metrics = try #require(await atOnce(fixture.api, HTTPRequest(method: "GET", path: "/metrics")))
        #expect(String(decoding: metrics.body, as: UTF8.self).contains(#"route="GET /healthz",status="200"} 1"#))
    }
}
