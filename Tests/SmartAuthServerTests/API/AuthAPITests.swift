import Foundation
import SmartAuthCore
import SmartAuthHTTP
import SmartAuthJWT
import SmartAuthServer
import SmartAuthTesting
import Testing

/// The REST API, in-process and again over HTTP against a live server: the whole flow, error bodies, and each
/// endpoint's rules.
@Suite struct AuthAPITests {
    @Test(arguments: Transport.allCases)
    func signupTokenUserinfoRefreshFlow(_ transport: Transport) async throws {
        let fixture = try APIFixture(transport)
        let signup = await fixture.send("POST", "/v1/signup", json: #"{"email":"Alice@Example.com","password":"correct horse battery"}"#)
        #expect(signup.status == 201)
        #expect(signup.string("email") == "alice@example.com")
        #expect(signup.json?["roles"] == .array([.string("user")]))

        let login = await fixture.send("POST", "/v1/token", form: "grant_type=password&username=alice%40example.com&password=correct+horse+battery")
        #expect(login.status == 200)
        #expect(login.string("token_type") == "Bearer")
        #expect(login.json?["expires_in"] == .number(JSONNumber(900)))
        #expect(login.header("Cache-Control") == "no-store")
        let tokens = Tokens(try #require(login.json))
        #expect(tokens.refresh?.isEmpty == false)

        let me = await fixture.send("GET", "/v1/userinfo", bearer: tokens.access)
        #expect(me.status == 200)
        #expect(me.string("email") == "alice@example.com")
        #expect(me.string("sid") == tokens.session)

        let refreshed = await fixture.send("POST", "/v1/token", json: #"{"grant_type":"refresh_token","refresh_token":"\#(tokens.refresh!)"}"#)
        #expect(refreshed.status == 200)
        let next = Tokens(try #require(refreshed.json))
        #expect(next.refresh != tokens.refresh)
        #expect(next.session == tokens.session)
        #expect(await fixture.send("GET", "/v1/userinfo", bearer: next.access).status == 200)
    }

    @Test(arguments: Transport.allCases)
    func tokenEndpointErrorsFollowRFC6749(_ transport: Transport) async throws {
        let fixture = try APIFixture(transport)
        _ = try await fixture.signUpAndLogIn()
        func error(_ form: String) async -> (Int, String?) {
            let reply = await fixture.send("POST", "/v1/token", form: form)
            return (reply.status, reply.string("error"))
        }
        #expect(await error("grant_type=password&username=alice@example.com&password=wrong-password") == (400, "invalid_grant"))
        #expect(await error("grant_type=password&username=nobody@example.com&password=whatever1") == (400, "invalid_grant"))
        #expect(await error("grant_type=client_credentials") == (400, "unsupported_grant_type"))
        #expect(await error("grant_type=password&username=alice@example.com") == (400, "invalid_request"))
        #expect(await error("username=alice@example.com") == (400, "invalid_request"))
        #expect(await error("grant_type=refresh_token&refresh_token=garbage") == (400, "invalid_grant"))
        #expect(await error("grant_type=password&grant_type=password") == (400, "invalid_request"))
        let wrongType = await fixture.send("POST", "/v1/token", headers: [("Content-Type", "text/plain")])
        #expect(wrongType.status == 200 || wrongType.status == 400)  // empty body: missing grant_type
        let badJSON = await fixture.send("POST", "/v1/token", json: #"{"grant_type":"#)
        #expect(badJSON.status == 400)
        #expect(badJSON.string("error") == "invalid_request")
    }

    @Test(arguments: Transport.allCases)
    func replayedRefreshTokenOutsideTheWindowRevokesTheSession(_ transport: Transport) async throws {
        let fixture = try APIFixture(transport)
        let tokens = try await fixture.signUpAndLogIn()
        let first = await fixture.send("POST", "/v1/token", form: "grant_type=refresh_token&refresh_token=\(tokens.refresh!)")
        #expect(first.status == 200)
        // Inside the window: the same successor.
        let duplicate = await fixture.send("POST", "/v1/token", form: "grant_type=refresh_token&refresh_token=\(tokens.refresh!)")
        #expect(duplicate.string("refresh_token") == first.string("refresh_token"))
        fixture.clock.advance(by: 11)
        let replay = await fixture.send("POST", "/v1/token", form: "grant_type=refresh_token&refresh_token=\(tokens.refresh!)")
        #expect(replay.status == 400)
        #expect(replay.string("error") == "invalid_grant")
        let after = await fixture.send("GET", "/v1/userinfo", bearer: first.string("access_token"))
        #expect(after.status == 401)
        #expect(after.header("WWW-Authenticate")?.contains("invalid_token") == true)
    }

    @Test(arguments: Transport.allCases)
    func logoutScopesAndSessionsEndpoints(_ transport: Transport) async throws {
        let fixture = try APIFixture(transport)
        let a = try await fixture.signUpAndLogIn()
        let b = try await fixture.logIn()
        let c = try await fixture.logIn()
        let list = await fixture.send("GET", "/v1/sessions", bearer: a.access, headers: [("User-Agent", "curl/8.0")])
        #expect(list.status == 200)
        let sessions = try #require(list.json?["sessions"]?.arrayValue)
        #expect(sessions.count == 3)
        #expect(sessions.filter { $0.objectValue?["current"] == .bool(true) }.count == 1)

        #expect(await fixture.send("DELETE", "/v1/sessions/\(b.session)", bearer: a.access).status == 204)
        #expect(await fixture.send("GET", "/v1/userinfo", bearer: b.access).status == 401)
        #expect(await fixture.send("DELETE", "/v1/sessions/nonexistent", bearer: a.access).status == 404)

        #expect(await fixture.send("POST", "/v1/logout", json: #"{"scope":"others"}"#, bearer: a.access).status == 204)
        #expect(await fixture.send("GET", "/v1/userinfo", bearer: c.access).status == 401)
        #expect(await fixture.send("GET", "/v1/userinfo", bearer: a.access).status == 200)
        #expect(await fixture.send("POST", "/v1/logout", json: #"{"scope":"bogus"}"#, bearer: a.access).status == 400)
        #expect(await fixture.send("POST", "/v1/logout", bearer: a.access).status == 204)
        #expect(await fixture.send("GET", "/v1/userinfo", bearer: a.access).status == 401)

        let other = try await fixture.signUpAndLogIn("bob@example.com")
        let d = try await fixture.logIn("bob@example.com")
        #expect(await fixture.send("POST", "/v1/logout", form: "scope=global", bearer: other.access).status == 204)
        #expect(await fixture.send("GET", "/v1/userinfo", bearer: d.access).status == 401)
    }

    @Test(arguments: Transport.allCases)
    func unauthenticatedAndMalformedAuthorization(_ transport: Transport) async throws {
        let fixture = try APIFixture(transport)
        let none = await fixture.send("GET", "/v1/sessions")
        #expect(none.status == 401)
        #expect(none.header("WWW-Authenticate") == "Bearer realm=\"smartauth\"")
        let malformed = await fixture.send("GET", "/v1/sessions", headers: [("Authorization", "Bearer a b")])
        #expect(malformed.status == 401)
        #expect(malformed.header("WWW-Authenticate")?.contains("error=\"invalid_token\"") == true)
        let garbage = await fixture.send("GET", "/v1/sessions", bearer: "not.a.jwt")
        #expect(garbage.status == 401)
    }

    @Test(arguments: Transport.allCases)
    func adminRoutesNeedThePermission(_ transport: Transport) async throws {
        let fixture = try APIFixture(transport)
        let alice = try await fixture.signUpAndLogIn()
        let aliceID = try #require(await fixture.send("GET", "/v1/userinfo", bearer: alice.access).string("sub"))
        _ = try await fixture.accounts.signUp(email: "root@example.com", password: "root password!", roles: ["admin"])
        let admin = try await fixture.logIn("root@example.com", password: "root password!")

        let denied = await fixture.send("GET", "/v1/admin/users/\(aliceID)/sessions", bearer: alice.access)
        #expect(denied.status == 403)
        #expect(denied.header("WWW-Authenticate")?.contains("insufficient_scope") == true)

        let listed = await fixture.send("GET", "/v1/admin/users/\(aliceID)/sessions", bearer: admin.access)
        #expect(listed.json?["sessions"]?.arrayValue?.count == 1)

        #expect(await fixture.send("PUT", "/v1/admin/users/\(aliceID)/roles", json: #"{"roles":["user","editor"]}"#, bearer: admin.access).status == 200)
        // Stateful mode: the new roles apply to the live session at once.
        #expect(await fixture.send("GET", "/v1/userinfo", bearer: alice.access).json?["roles"] == .array([.string("user"), .string("editor")]))
        #expect(await fixture.send("PUT", "/v1/admin/users/\(aliceID)/roles", json: #"{"roles":"admin"}"#, bearer: admin.access).status == 400)
        #expect(await fixture.send("PUT", "/v1/admin/users/ghost/roles", json: #"{"roles":[]}"#, bearer: admin.access).status == 404)

        #expect(await fixture.send("POST", "/v1/admin/users/\(aliceID)/disable", json: "{}", bearer: admin.access).status == 200)
        #expect(await fixture.send("GET", "/v1/userinfo", bearer: alice.access).status == 401)
        let relogin = await fixture.send("POST", "/v1/token", form: "grant_type=password&username=alice@example.com&password=correct+horse+battery")
        #expect(relogin.string("error") == "invalid_grant")

        #expect(await fixture.send("DELETE", "/v1/admin/users/\(aliceID)/sessions", bearer: admin.access).json?["revoked"] == .number(JSONNumber(0)))
    }

    @Test(arguments: Transport.allCases)
    func introspectionAndRevocation(_ transport: Transport) async throws {
        let fixture = try APIFixture(transport)
        let tokens = try await fixture.signUpAndLogIn()
        let key = APIFixture.introspectionKey
        #expect(await fixture.send("POST", "/v1/introspect", form: "token=\(tokens.access)").status == 401)
        #expect(await fixture.send("POST", "/v1/introspect", form: "token=\(tokens.access)", bearer: "wrong-key-0123456789").status == 401)
        let active = await fixture.send("POST", "/v1/introspect", form: "token=\(tokens.access)", bearer: key)
        #expect(active.json?["active"] == .bool(true))
        #expect(active.string("sid") == tokens.session)
        #expect(await fixture.send("POST", "/v1/introspect", form: "token=garbage", bearer: key).json?["active"] == .bool(false))

        // RFC 7009: revoking the refresh token ends the session; unknown tokens still get 200.
        #expect(await fixture.send("POST", "/v1/revoke", form: "token=\(tokens.refresh!)").status == 200)
        #expect(await fixture.send("POST", "/v1/introspect", form: "token=\(tokens.access)", bearer: key).json?["active"] == .bool(false))
        #expect(await fixture.send("POST", "/v1/revoke", form: "token=unknown").status == 200)
        #expect(await fixture.send("POST", "/v1/revoke", form: "").status == 400)
    }

    @Test(arguments: Transport.allCases)
    func discoveryHealthMetricsAndOpenAPI(_ transport: Transport) async throws {
        let fixture = try APIFixture(transport)
        let tokens = try await fixture.signUpAndLogIn()
        let jwks = await fixture.send("GET", "/.well-known/jwks.json")
        #expect(jwks.header("Cache-Control") == "public, max-age=300")
        let set = try JWKSet(json: jwks.text)
        #expect(set.keys.allSatisfy { !$0.isPrivate })
        // The published keys verify the issued token.
        let verifier = JWTVerifier(
            keys: set, algorithms: [.es256],
            validation: ClaimsValidation(issuer: "http://127.0.0.1:8080", audience: "http://127.0.0.1:8080", requiredType: "at+jwt"))
        _ = try verifier.verify(tokens.access, now: fixture.clock.now())

        let metadata = await fixture.send("GET", "/.well-known/oauth-authorization-server")
        #expect(metadata.string("token_endpoint") == "http://127.0.0.1:8080/v1/token")
        #expect(metadata.string("introspection_endpoint") == "http://127.0.0.1:8080/v1/introspect")
        #expect(await fixture.send("GET", "/healthz").status == 200)
        #expect(await fixture.send("GET", "/readyz").status == 200)
        let metrics = await fixture.send("GET", "/metrics")
        #expect(metrics.text.contains("smartauth_http_requests_total{route=\"POST /v1/token\",status=\"200\"} 1"))
        #expect(metrics.text.contains("smartauth_logins_total 1"))
        #expect(metrics.text.contains("smartauth_http_request_duration_seconds_bucket"))
        let openapi = await fixture.send("GET", "/openapi.json")
        #expect(openapi.json?["openapi"] == .string("3.1.0"))
        #expect(openapi.json?["paths"]?.objectValue?["/v1/token"] != nil)
        #expect(await fixture.send("GET", "/nope").status == 404)
        let wrongMethod = await fixture.send("DELETE", "/v1/token")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow") == "POST")
    }

    @Test(arguments: Transport.allCases)
    func rateLimitsAnswer429WithHeaders(_ transport: Transport) async throws {
        let fixture = try APIFixture(transport) { $0.tokenRateLimit = RateLimit(limit: 3, period: 60) }
        var last = Reply(HTTPResponse(status: 0))
        for _ in 0..<4 { last = await fixture.send("POST", "/v1/token", form: "grant_type=refresh_token&refresh_token=x") }
        #expect(last.status == 429)
        #expect(last.header("Retry-After") == "20")
        #expect(last.header("RateLimit-Policy") == "\"token\";q=3;w=60")
        #expect(last.header("RateLimit")?.hasPrefix("\"token\";r=0;") == true)
        // Another address has its own budget.
        #expect(await fixture.send("POST", "/v1/token", form: "grant_type=refresh_token&refresh_token=x", from: "198.51.100.9").status == 400)
        #expect(await fixture.send("GET", "/metrics").text.contains("smartauth_rate_limited_total 1"))
    }

    /// With the defaults, at most 20 consecutive failed passwords for one account before 429.
    @Test(arguments: Transport.allCases)
    func bruteForceBackOffAnswers429(_ transport: Transport) async throws {
        let fixture = try APIFixture(transport) { $0.tokenRateLimit = nil }
        _ = try await fixture.signUpAndLogIn()
        var statuses: [Int] = []
        for attempt in 0..<21 {
            let reply = await fixture.send(
                "POST", "/v1/token", form: "grant_type=password&username=alice@example.com&password=wrong\(attempt)x",
                from: "203.0.113.\(attempt)")
            statuses.append(reply.status)
        }
        #expect(statuses.prefix(20).allSatisfy { $0 == 400 })
        #expect(statuses.last == 429)
    }

    @Test(arguments: Transport.allCases)
    func cookieModeKeepsTheRefreshTokenOutOfTheBodyAndChecksOrigins(_ transport: Transport) async throws {
        let fixture = try APIFixture(transport) { $0.refreshCookie = .init(allowedOrigins: ["https://app.example.com"]) }
        _ = await fixture.send("POST", "/v1/signup", json: #"{"email":"alice@example.com","password":"correct horse battery"}"#)
        let login = await fixture.send("POST", "/v1/token", form: "grant_type=password&username=alice@example.com&password=correct+horse+battery")
        #expect(login.status == 200)
        #expect(login.string("refresh_token") == nil)
        let cookie = try #require(login.header("Set-Cookie"))
        #expect(cookie.contains("HttpOnly"))
        #expect(cookie.contains("Secure"))
        #expect(cookie.contains("SameSite=Strict"))
        #expect(cookie.contains("Path=/v1/token"))
        let value = try #require(cookie.split(separator: ";").first.map(String.init))

        let crossSite = await fixture.send("POST", "/v1/token", form: "grant_type=refresh_token", headers: [("Cookie", value), ("Sec-Fetch-Site", "cross-site")])
        #expect(crossSite.status == 403)
        let noOrigin = await fixture.send("POST", "/v1/token", form: "grant_type=refresh_token", headers: [("Cookie", value)])
        #expect(noOrigin.status == 403)
        let evil = await fixture.send("POST", "/v1/token", form: "grant_type=refresh_token", headers: [("Cookie", value), ("Origin", "https://evil.example")])
        #expect(evil.status == 403)
        let good = await fixture.send("POST", "/v1/token", form: "grant_type=refresh_token", headers: [("Cookie", value), ("Origin", "https://app.example.com")])
        #expect(good.status == 200)
        #expect(good.header("Set-Cookie")?.hasPrefix("smartauth_refresh=") == true)
    }

    @Test(arguments: Transport.allCases)
    func signupRules(_ transport: Transport) async throws {
        let fixture = try APIFixture(transport)
        #expect(await fixture.send("POST", "/v1/signup", json: #"{"email":"not-an-email","password":"long enough"}"#).status == 400)
        #expect(await fixture.send("POST", "/v1/signup", json: #"{"email":"a@example.com","password":"short"}"#).status == 400)
        #expect(await fixture.send("POST", "/v1/signup", json: #"{"email":"a@example.com","password":"long enough"}"#).status == 201)
        let duplicate = await fixture.send("POST", "/v1/signup", json: #"{"email":"A@example.com","password":"long enough"}"#)
        #expect(duplicate.status == 409)
        #expect(await fixture.send("POST", "/v1/signup", json: #"{"email":5,"password":"long enough"}"#).status == 400)
        #expect(await fixture.send("POST", "/v1/signup", form: "email=b%40example.com&password=long+enough").status == 201)
        #expect(await fixture.send("POST", "/v1/signup", form: "email=%ZZ").status == 400)
    }
}
