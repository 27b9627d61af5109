import Foundation
import SmartAuthCore
import SmartAuthJWT
import SmartAuthTesting
import Synchronization
import Testing

/// Plugins as the engine runs them: veto, enrichment, order, and events exactly once per action.
@Suite struct EnginePluginTests {
    struct Veto: AuthPlugin {
        let name = "veto"
        struct Refused: Error, CustomStringConvertible { var description: String { "account locked" } }
        func authorizeLogin(_ context: LoginContext) async throws {
            if context.userID == "locked" { throw Refused() }
        }
    }

    struct Tenant: AuthPlugin {
        let name = "tenant"
        func enrichClaims(_ claims: inout JSONObject, for context: LoginContext) async throws {
            claims["tenant"] = .string("acme")
            claims["sid"] = .string("hijacked")  // protected: must not stick
        }
    }

    struct Plan: AuthPlugin {
        let name = "plan"
        let dependencies = ["tenant"]
        func enrichClaims(_ claims: inout JSONObject, for context: LoginContext) async throws {
            // Runs after "tenant" (its dependency), although registered first.
            claims["plan"] = .string(claims["tenant"]?.stringValue == "acme" ? "enterprise" : "unknown")
        }
    }

    final class Observer: AuthPlugin, Sendable {
        let name = "observer"
        let seen = Mutex<[String]>([])
        func observe(_ event: AuthEvent) { seen.withLock { $0.append(event.kind.name) } }
    }

    @Test func vetoRefusesTheLoginAndEmitsLoginFailed() async throws {
        let fixture = try EngineFixture { $0.plugins = [Veto()] }
        #expect(await authErrorCode { try await fixture.login("locked") } == .loginVetoed)
        #expect(fixture.recorder.count(.loginFailed) == 1)
        #expect(fixture.recorder.count(.sessionCreated) == 0)
        #expect(try await fixture.engine.sessions(of: "locked").isEmpty)
        _ = try await fixture.login("open")
    }

    @Test func enrichmentRunsInDependencyOrderAndCannotOverrideProtectedClaims() async throws {
        let fixture = try EngineFixture { $0.plugins = [Plan(), Tenant()] }
        let pair = try await fixture.login()
        let principal = try await fixture.engine.authenticate(bearer: pair.accessToken)
        #expect(principal.claims.additional["tenant"] == .string("acme"))
        #expect(principal.claims.additional["plan"] == .string("enterprise"))
        #expect(principal.sessionID == pair.session.id)
        // Refreshed tokens carry the same claims.
        let refreshed = try await fixture.engine.refresh(pair.refreshToken, client: EngineFixture.laptop)
        #expect(try await fixture.engine.authenticate(bearer: refreshed.accessToken).claims.additional["plan"] == .string("enterprise"))
    }

    @Test func observersSeeEachEventExactlyOnce() async throws {
        let observer = Observer()
        let fixture = try EngineFixture { $0.plugins = [observer] }
        let pair = try await fixture.login()
        let next = try await fixture.engine.refresh(pair.refreshToken, client: EngineFixture.laptop)
        _ = try await fixture.engine.refresh(pair.refreshToken, client: EngineFixture.laptop)  // grace: no event
        try await fixture.engine.logout(session: next.session.id)
        #expect(observer.seen.withLock { $0 } == ["sessionCreated", "sessionRefreshed", "sessionRevoked"])
        #expect(fixture.recorder.all.map(\.kind.name) == ["sessionCreated", "sessionRefreshed", "sessionRevoked"])
    }

    @Test func unknownDependencyIsAConfigurationError() throws {
        #expect(throws: AuthError.self) { try EngineFixture { $0.plugins = [Plan()] } }
    }
}
