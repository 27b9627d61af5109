import Foundation
import SmartAuthCore
import SmartAuthCrypto
import SmartAuthJWT
import Testing

/// The README's engine example, compiled and run, so the documentation cannot drift from the API.
@Suite struct ReadmeExampleTests {
    @Test func engineQuickStartRuns() async throws {
        // --- README: engine quick start ---
        let store = MemoryAuthStore()                          // or SQLiteStore(url: "sqlite:./auth.db"), RedisStore, PostgresStore
        var configuration = AuthConfiguration(
            issuer: "https://auth.example.com", audience: "api",
            keyRing: try KeyRing.generate(algorithm: .eddsa, now: Date()),
            refreshTokenSecret: try SecretBytes(randomCount: 32))
        configuration.sessionCheck = .stateful                 // logout takes effect at once
        let engine = try AuthEngine(configuration: configuration, store: store)

        let client = ClientInfo(ipAddress: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0")
        let tokens = try await engine.login(userID: "user-42", roles: ["user"], client: client)
        let principal = try await engine.authenticate(bearer: tokens.accessToken)
        print(principal.userID, principal.roles)               // user-42 ["user"]

        let next = try await engine.refresh(tokens.refreshToken, client: client)   // rotates
        for info in try await engine.sessions(of: "user-42", current: principal.sessionID) {
            print(info.deviceLabel, info.isCurrent)            // Firefox 126 on Linux true
        }
        try await engine.logoutAll(user: "user-42")            // every device, effective immediately
        // --- end of example ---
        #expect(next.session.generation == 1)
        await #expect(throws: AuthError.self) { try await engine.authenticate(bearer: next.accessToken) }
    }
}
