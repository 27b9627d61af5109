import Foundation
import SmartAuthCore
import SmartAuthHTTP
import SmartAuthJWT
import SmartAuthServer
import Testing

/// `AuthAPI.respondWithoutWaiting`: answers exactly what needs no waiting, with the answer `handle` gives.
@Suite struct RespondWithoutWaitingTests {
    private func userinfo(_ token: String) -> HTTPRequest {
        HTTPRequest(method: "GET", path: "/v1/userinfo", headers: ["Authorization": "Bearer \(token)"], remoteAddress: "203.0.113.7")
    }

    @Test func statelessUserinfoIsAnsweredAtOnceOnceTheProfileIsKnown() async throws {
        let fixture = try APIFixture(configure: { $0.apiRateLimit = nil }, engineSetup: { $0.sessionCheck = .stateless })
        let tokens = try await fixture.signUpAndLogIn()
        // The first request reads the profile from the store, so it needs the waiting path.
        #expect(fixture.api.respondWithoutWaiting(userinfo(tokens.access)) == nil)
        let waited = await fixture.api.handle(userinfo(tokens.access))
        let immediate = try #require(fixture.api.respondWithoutWaiting(userinfo(tokens.access)))
        #expect(immediate.status == 200)
        #expect(immediate.body == waited.body)
        #expect(immediate.headers["Cache-Control"] == "no-store")
        #expect(Reply(immediate).string("email") == "alice@example.com")
    }

    @Test func statefulUserinfoAlwaysWaitsForTheStore() async throws {
        let fixture = try APIFixture(configure: { $0.apiRateLimit = nil })
        let tokens = try await fixture.signUpAndLogIn()
        _ = await fixture.api.handle(userinfo(tokens.access))
        #expect(fixture.api.respondWithoutWaiting(userinfo(tokens.access)) == nil)
    }

    @Test func aRateLimitedRouteAlwaysWaitsForItsCounter() async throws {
        let fixture = try APIFixture(engineSetup: { $0.sessionCheck = .stateless })
        let tokens = try await fixture.signUpAndLogIn()
        _ = await fixture.api.handle(userinfo(tokens.access))
        #expect(fixture.api.respondWithoutWaiting(userinfo(tokens.access)) == nil)
    }

    @Test func badTokensAndOtherRoutesAreLeftToHandle() async throws {
        let fixture = try APIFixture(configure: { $0.apiRateLimit = nil }, engineSetup: { $0.sessionCheck = .stateless })
        #expect(fixture.api.respondWithoutWaiting(userinfo("not.a.token")) == nil)
        #expect(fixture.api.respondWithoutWaiting(HTTPRequest(method: "GET", path: "/v1/userinfo")) == nil)
        #expect(fixture.api.respondWithoutWaiting(HTTPRequest(method: "POST", path: "/v1/token")) == nil)
        #expect(fixture.api.respondWithoutWaiting(HTTPRequest(method: "GET", path: "/readyz")) == nil)
        #expect(fixture.api.respondWithoutWaiting(HTTPRequest(method: "GET", path: "/nowhere")) == nil)
        #expect(fixture.api.respondWithoutWaiting(HTTPRequest(method: "GET", path: "/healthz"))?.status == 200)
        let jwks = try #require(fixture.api.respondWithoutWaiting(HTTPRequest(method: "GET", path: "/.well-known/jwks.json")))
        #expect(jwks.headers["Cache-Control"] == "public, max-age=300")
        // HEAD gets the headers without the body, as through handle.
        let head = try #require(fixture.api.respondWithoutWaiting(HTTPRequest(method: "HEAD", path: "/healthz")))
        #expect(head.status == 200 && head.body.isEmpty)
    }

    @Test func answersAtOnceAreCountedInMetrics() async throws {
        let fixture = try APIFixture()
        _ = fixture.api.respondWithoutWaiting(HTTPRequest(method: "GET", path: "/healthz"))
        let metrics = try #require(fixture.api.respondWithoutWaiting(HTTPRequest(method: "GET", path: "/metrics")))
        #expect(String(decoding: metrics.body, as: UTF8.self).contains(#"route="GET /healthz",status="200"} 1"#))
    }
}
