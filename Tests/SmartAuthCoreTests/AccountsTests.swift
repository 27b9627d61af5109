import Foundation
import SmartAuthCore
import SmartAuthCrypto
import SmartAuthTesting
import Testing

@Suite struct AccountsTests {
    struct Fixture {
        let engine: EngineFixture
        let accounts: Accounts
        let store = MemoryAuthStore()

        init(parameters: Argon2Parameters = Argon2Parameters(memoryKiB: 256, iterations: 1)) throws {
            let store = self.store
            engine = try EngineFixture(store: store)
            accounts = Accounts(
                users: store, engine: engine.engine, hasher: try PasswordHasher(parameters: parameters),
                bruteForce: BruteForceProtector(store: store, clock: engine.clock))
        }
    }

    @Test func emailsAreNormalised() {
        #expect(Accounts.normalizedEmail("  Alice@Example.COM ") == "alice@example.com")
        // NFD and NFC spellings of one address are one address.
        #expect(Accounts.normalizedEmail("e\u{301}@example.com") == Accounts.normalizedEmail("\u{e9}@example.com"))
        for bad in ["", "alice", "@example.com", "alice@", "alice@example", "a b@example.com", "a@b@c.com", "a@.com"] {
            #expect(Accounts.normalizedEmail(bad) == nil, "\(bad)")
        }
    }

    @Test func passwordChangeRevokesEverySessionAndBumpsTheCredentialVersion() async throws {
        let fixture = try Fixture()
        let user = try await fixture.accounts.signUp(email: "a@example.com", password: "first password")
        let laptop = try await fixture.accounts.logIn(email: "a@example.com", password: "first password", client: EngineFixture.laptop)
        let phone = try await fixture.accounts.logIn(email: "a@example.com", password: "first password", client: EngineFixture.phone)
        #expect(await authErrorCode { try await fixture.accounts.changePassword(of: user.id, current: "wrong one!", new: "second password") }
            == .invalidCredentials)
        try await fixture.accounts.changePassword(of: user.id, current: "first password", new: "second password")
        for pair in [laptop, phone] {
            #expect(await authErrorCode { try await fixture.engine.engine.authenticate(bearer: pair.accessToken) } == .sessionRevoked)
        }
        #expect(try await fixture.store.user(id: user.id)?.credentialVersion == 2)
        #expect(fixture.engine.recorder.all.filter { $0.kind == .sessionRevoked }.allSatisfy { $0.reason == "credentials_changed" })
        #expect(await authErrorCode { try await fixture.accounts.logIn(email: "a@example.com", password: "first password", client: EngineFixture.laptop) }
            == .invalidCredentials)
        _ = try await fixture.accounts.logIn(email: "a@example.com", password: "second password", client: EngineFixture.laptop)
    }

    @Test func hashesAreUpgradedTransparentlyOnLogin() async throws {
        let old = try Fixture(parameters: Argon2Parameters(memoryKiB: 256, iterations: 1))
        let user = try await old.accounts.signUp(email: "a@example.com", password: "my password")
        let stronger = Accounts(
            users: old.store, engine: old.engine.engine,
            hasher: try PasswordHasher(parameters: Argon2Parameters(memoryKiB: 512, iterations: 2)),
            bruteForce: BruteForceProtector(store: old.store, clock: old.engine.clock))
        _ = try await stronger.logIn(email: "a@example.com", password: "my password", client: EngineFixture.laptop)
        let rehashed = try #require(try await old.store.user(id: user.id)?.passwordHash)
        #expect(rehashed != user.passwordHash)
        #expect(rehashed.contains("m=512,t=2"))
    }

    @Test func unknownAccountsWrongPasswordsAndDisabledAccountsAnswerAlike() async throws {
        let fixture = try Fixture()
        let user = try await fixture.accounts.signUp(email: "a@example.com", password: "my password")
        func code(_ email: String, _ password: String) async -> AuthError.Code? {
            await authErrorCode { try await fixture.accounts.logIn(email: email, password: password, client: EngineFixture.laptop) }
        }
        #expect(await code("nobody@example.com", "my password") == .invalidCredentials)
        #expect(await code("a@example.com", "not my password") == .invalidCredentials)
        try await fixture.accounts.setDisabled(user.id, true)
        #expect(await code("a@example.com", "my password") == .invalidCredentials)
        try await fixture.accounts.setDisabled(user.id, false)
        #expect(await code("a@example.com", "my password") == nil)
    }

    /// No enumeration by timing: an unknown account costs the same hashing work as a wrong password. A
    /// statistical check over many samples with a generous bound (medians within a factor of 2), not a
    /// single timing.
    @Test func unknownAccountTakesAboutAsLongAsAWrongPassword() async throws {
        let fixture = try Fixture(parameters: Argon2Parameters(memoryKiB: 4096, iterations: 2))
        _ = try await fixture.accounts.signUp(email: "a@example.com", password: "my password")
        let clock = ContinuousClock()
        func sample(_ email: String, _ index: Int) async -> Double {
            let address = "198.51.100.\(index % 200)"
            let start = clock.now
            _ = await authErrorCode {
                try await fixture.accounts.logIn(email: email, password: "wrong \(index)", client: ClientInfo(ipAddress: address))
            }
            let elapsed = clock.now - start
            do {
                try await fixture.accounts.bruteForce.recordSuccess(account: email, address: address)
            } catch {
                Issue.record("clearing the counters failed: \(error)")
            }
            return Double(elapsed.components.attoseconds) * 1e-18 + Double(elapsed.components.seconds)
        }
        // Interleaved, so that load from elsewhere on the machine weighs on both series alike.
        var known: [Double] = []
        var unknown: [Double] = []
        for index in 0..<40 {
            known.append(await sample("a@example.com", index))
            unknown.append(await sample("nobody@example.com", index))
        }
        let knownMedian = known.sorted()[known.count / 2]
        let unknownMedian = unknown.sorted()[unknown.count / 2]
        #expect(
            unknownMedian > knownMedian / 3 && unknownMedian < knownMedian * 3,
            "medians: known \(knownMedian) s, unknown \(unknownMedian) s")
    }

    @Test func rolesChangeLiveSessions() async throws {
        let fixture = try Fixture()
        let user = try await fixture.accounts.signUp(email: "a@example.com", password: "my password")
        let pair = try await fixture.accounts.logIn(email: "a@example.com", password: "my password", client: EngineFixture.laptop)
        try await fixture.accounts.setRoles(of: user.id, to: ["user", "editor"])
        #expect(try await fixture.engine.engine.authenticate(bearer: pair.accessToken).roles == ["user", "editor"])
        let refreshed = try await fixture.engine.engine.refresh(pair.refreshToken, client: EngineFixture.laptop)
        let stateless = try EngineFixture(store: fixture.store) {
            $0.sessionCheck = .stateless
            $0.keyRing = fixture.engine.engine.keyRing
            $0.refreshTokenSecret = fixture.engine.engine.configuration.refreshTokenSecret
            $0.clock = fixture.engine.clock
        }
        // The refreshed token carries the new roles (what stateless verifiers see).
        #expect(try await stateless.engine.authenticate(bearer: refreshed.accessToken).roles == ["user", "editor"])
    }
}
