import Foundation
import SmartAuthCore
import SmartAuthCrypto
import SmartAuthJWT
import SmartAuthTesting
import Testing

@Suite struct AuthEngineTests {
    @Test func loginIssuesAnAccessTokenThatAuthenticates() async throws {
        let fixture = try EngineFixture()
        let pair = try await fixture.login(roles: ["user", "editor"])
        let principal = try await fixture.engine.authenticate(bearer: pair.accessToken)
        #expect(principal.userID == "user-1")
        #expect(principal.sessionID == pair.session.id)
        #expect(principal.roles == ["user", "editor"])
        #expect(principal.authenticationLevel == 1)
        #expect(pair.expiresIn == 900)
        #expect(pair.refreshToken.utf8.count == 76)
        #expect(fixture.recorder.count(.sessionCreated) == 1)
    }

    @Test func accessTokenCarriesKidTypSidAndVerifiesWithThePublishedKeys() async throws {
        let fixture = try EngineFixture(algorithm: .es256)
        let pair = try await fixture.login()
        let verifier = JWTVerifier(
            keys: fixture.engine.publicKeySet, algorithms: [.es256],
            validation: ClaimsValidation(issuer: "https://auth.example.com", audience: "api", requiredType: "at+jwt"))
        let verified = try verifier.verify(pair.accessToken, now: fixture.clock.now())
        #expect(verified.header.type == "at+jwt")
        #expect(verified.header.keyID == fixture.engine.keyRing.activeKey.keyID)
        #expect(verified.claims.additional["sid"] == .string(pair.session.id.rawValue))
        #expect(verified.claims.expiresAt == fixture.clock.now().addingTimeInterval(900))
        #expect(verified.claims.jwtID?.isEmpty == false)
    }

    @Test func invalidAccessTokensAreRejectedWithTheirReason() async throws {
        let fixture = try EngineFixture()
        let pair = try await fixture.login()
        #expect(await authErrorCode { try await fixture.engine.authenticate(bearer: "nonsense") } == .invalidToken)
        var tampered = Array(pair.accessToken.utf8)
        tampered[tampered.count - 3] ^= 0x01
        #expect(await authErrorCode {
            try await fixture.engine.authenticate(bearer: String(decoding: tampered, as: UTF8.self))
        } == .invalidToken)
        fixture.clock.advance(by: 900 + 5)
        do {
            _ = try await fixture.engine.authenticate(bearer: pair.accessToken)
            Issue.record("an expired token authenticated")
        } catch {
            #expect(error.code == .invalidToken)
            #expect((error.underlying as? JWTError)?.code == .expired)
        }
    }

    // MARK: Refresh semantics

    @Test func refreshRotatesAndTheNewTokenWorks() async throws {
        let fixture = try EngineFixture()
        let first = try await fixture.login()
        fixture.clock.advance(by: 60)
        let second = try await fixture.engine.refresh(first.refreshToken, client: EngineFixture.laptop)
        #expect(second.refreshToken != first.refreshToken)
        #expect(second.session.generation == 1)
        #expect(second.accessToken != first.accessToken)
        _ = try await fixture.engine.authenticate(bearer: second.accessToken)
        fixture.clock.advance(by: 60)
        let third = try await fixture.engine.refresh(second.refreshToken, client: EngineFixture.laptop)
        #expect(third.session.generation == 2)
        #expect(fixture.recorder.count(.sessionRefreshed) == 2)
    }

    @Test func previousTokenInsideTheGraceWindowConvergesOnTheSameSuccessor() async throws {
        let fixture = try EngineFixture()
        let first = try await fixture.login()
        let second = try await fixture.engine.refresh(first.refreshToken, client: EngineFixture.laptop)
        fixture.clock.advance(by: 9)
        let duplicate = try await fixture.engine.refresh(first.refreshToken, client: EngineFixture.laptop)
        #expect(duplicate.refreshToken == second.refreshToken)
        #expect(duplicate.session.generation == 1)
        #expect(fixture.recorder.count(.sessionRefreshed) == 1)
        #expect(fixture.recorder.count(.refreshTokenReused) == 0)
        // The successor still works.
        let third = try await fixture.engine.refresh(second.refreshToken, client: EngineFixture.laptop)
        #expect(third.session.generation == 2)
    }

    @Test func graceWindowIsAnchoredToTheRotationAndNotExtendedByRetries() async throws {
        let fixture = try EngineFixture()
        let first = try await fixture.login()
        _ = try await fixture.engine.refresh(first.refreshToken, client: EngineFixture.laptop)
        for _ in 0..<3 {
            fixture.clock.advance(by: 3)
            _ = try await fixture.engine.refresh(first.refreshToken, client: EngineFixture.laptop)  // t = 3, 6, 9
        }
        fixture.clock.advance(by: 1)  // t = 10: the window [0, 10) has ended
        #expect(await authErrorCode { try await fixture.engine.refresh(first.refreshToken, client: EngineFixture.laptop) }
            == .refreshTokenReused)
    }

    @Test func replayOutsideTheWindowRevokesTheSessionAndEmitsAnEvent() async throws {
        let fixture = try EngineFixture()
        let first = try await fixture.login()
        let second = try await fixture.engine.refresh(first.refreshToken, client: EngineFixture.laptop)
        fixture.clock.advance(by: 30)
        let attacker = ClientInfo(ipAddress: "192.0.2.66", userAgent: "curl/8.0")
        #expect(await authErrorCode { try await fixture.engine.refresh(first.refreshToken, client: attacker) } == .refreshTokenReused)
        let reuse = try #require(fixture.recorder.all.first { $0.kind == .refreshTokenReused })
        #expect(reuse.sessionID == first.session.id)
        #expect(reuse.userID == "user-1")
        #expect(reuse.client == attacker)
        #expect(reuse.generation == 0)
        #expect(fixture.recorder.all.filter { $0.kind == .sessionRevoked }.map(\.reason) == ["refresh_token_reused"])
        // The whole session is gone: the legitimate successor and the access token fail too.
        #expect(await authErrorCode { try await fixture.engine.refresh(second.refreshToken, client: EngineFixture.laptop) }
            == .invalidRefreshToken)
        #expect(await authErrorCode { try await fixture.engine.authenticate(bearer: second.accessToken) } == .sessionRevoked)
    }

    @Test func olderGenerationsAreReplaysEvenInsideTheWindow() async throws {
        let fixture = try EngineFixture()
        let first = try await fixture.login()
        let second = try await fixture.engine.refresh(first.refreshToken, client: EngineFixture.laptop)
        _ = try await fixture.engine.refresh(second.refreshToken, client: EngineFixture.laptop)
        #expect(await authErrorCode { try await fixture.engine.refresh(first.refreshToken, client: EngineFixture.laptop) }
            == .refreshTokenReused)
    }

    @Test func zeroGraceWindowTreatsEveryDuplicateAsAReplay() async throws {
        let fixture = try EngineFixture { $0.refreshGraceWindow = 0 }
        let first = try await fixture.login()
        _ = try await fixture.engine.refresh(first.refreshToken, client: EngineFixture.laptop)
        #expect(await authErrorCode { try await fixture.engine.refresh(first.refreshToken, client: EngineFixture.laptop) }
            == .refreshTokenReused)
    }

    @Test func reusePolicyCanRevokeEverySessionOfTheUser() async throws {
        let fixture = try EngineFixture { $0.reusePolicy = .revokeAllSessions }
        let laptop = try await fixture.login()
        let phone = try await fixture.login(client: EngineFixture.phone)
        let other = try await fixture.login("user-2")
        _ = try await fixture.engine.refresh(laptop.refreshToken, client: EngineFixture.laptop)
        fixture.clock.advance(by: 60)
        #expect(await authErrorCode { try await fixture.engine.refresh(laptop.refreshToken, client: EngineFixture.laptop) }
            == .refreshTokenReused)
        #expect(await authErrorCode { try await fixture.engine.authenticate(bearer: phone.accessToken) } == .sessionRevoked)
        _ = try await fixture.engine.authenticate(bearer: other.accessToken)
        #expect(try await fixture.engine.sessions(of: "user-1").isEmpty)
    }

    @Test func forgedOrMalformedRefreshTokensHaveNoSideEffect() async throws {
        let fixture = try EngineFixture()
        let pair = try await fixture.login()
        var bytes = Array(pair.refreshToken.utf8)
        for index in stride(from: 0, to: bytes.count, by: 5) {
            let original = bytes[index]
            bytes[index] = original == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            #expect(await authErrorCode {
                try await fixture.engine.refresh(String(decoding: bytes, as: UTF8.self), client: EngineFixture.laptop)
            } == .invalidRefreshToken)
            bytes[index] = original
        }
        for junk in ["", "x", pair.refreshToken + "A", String(repeating: "A", count: 76), pair.accessToken] {
            #expect(await authErrorCode { try await fixture.engine.refresh(junk, client: EngineFixture.laptop) } == .invalidRefreshToken)
        }
        // A token from another engine (another secret) for the same session id is forged too.
        let otherEngine = try EngineFixture(store: fixture.store)
        let foreign = try await otherEngine.login()
        #expect(await authErrorCode { try await fixture.engine.refresh(foreign.refreshToken, client: EngineFixture.laptop) }
            == .invalidRefreshToken)
        // None of that touched the session: its real token still rotates.
        #expect(try await fixture.engine.refresh(pair.refreshToken, client: EngineFixture.laptop).session.generation == 1)
        #expect(fixture.recorder.count(.refreshTokenReused) == 0)
    }

    @Test func idleTimeoutIsExtendedByRefreshButTheAbsoluteLifetimeIsNot() async throws {
        let fixture = try EngineFixture {
            $0.refreshIdleTimeout = 100
            $0.refreshAbsoluteLifetime = 250
        }
        var pair = try await fixture.login()
        for _ in 0..<2 {
            fixture.clock.advance(by: 90)
            pair = try await fixture.engine.refresh(pair.refreshToken, client: EngineFixture.laptop)  // t = 90, 180
        }
        #expect(pair.session.absoluteExpiresAt == pair.session.createdAt.addingTimeInterval(250))
        #expect(pair.session.idleExpiresAt == pair.session.createdAt.addingTimeInterval(250))  // capped
        fixture.clock.advance(by: 70)  // t = 250
        #expect(await authErrorCode { try await fixture.engine.refresh(pair.refreshToken, client: EngineFixture.laptop) }
            == .invalidRefreshToken)

        let idle = try await fixture.login("user-2")
        fixture.clock.advance(by: 100)
        #expect(await authErrorCode { try await fixture.engine.refresh(idle.refreshToken, client: EngineFixture.laptop) }
            == .invalidRefreshToken)
    }

    @Test func clientChangesOnRefreshUpdateTheSessionAndEmitAnEvent() async throws {
        let fixture = try EngineFixture()
        let pair = try await fixture.login()
        let moved = ClientInfo(ipAddress: "192.0.2.1", userAgent: EngineFixture.laptop.userAgent)
        let refreshed = try await fixture.engine.refresh(pair.refreshToken, client: moved)
        #expect(refreshed.session.client.ipAddress == "192.0.2.1")
        let event = try #require(fixture.recorder.all.first { $0.kind == .clientChanged })
        #expect(event.previousClient?.ipAddress == "203.0.113.7")
        #expect(event.client?.ipAddress == "192.0.2.1")
        _ = try await fixture.engine.refresh(refreshed.refreshToken, client: moved)
        #expect(fixture.recorder.count(.clientChanged) == 1)
    }

    /// The race: 1,000 concurrent refreshes of one token rotate it exactly once and all converge.
    @Test func concurrentRefreshesRotateExactlyOnceAndConverge() async throws {
        let fixture = try EngineFixture()
        let pair = try await fixture.login()
        let engine = fixture.engine
        let results = await withTaskGroup(of: String?.self) { group in
            for _ in 0..<1_000 {
                group.addTask { try? await engine.refresh(pair.refreshToken, client: EngineFixture.laptop).refreshToken }
            }
            var results: [String?] = []
            for await result in group { results.append(result) }
            return results
        }
        #expect(results.allSatisfy { $0 != nil })
        #expect(Set(results.compactMap { $0 }).count == 1)
        #expect(fixture.recorder.count(.sessionRefreshed) == 1)
        #expect(fixture.recorder.count(.refreshTokenReused) == 0)
        let session = try #require(try await fixture.store.session(pair.session.id, at: fixture.clock.now()))
        #expect(session.generation == 1)
    }

    // MARK: Logout and sessions

    @Test func logoutScopes() async throws {
        let fixture = try EngineFixture()
        let a = try await fixture.login()
        let b = try await fixture.login(client: EngineFixture.phone)
        let c = try await fixture.login()
        let other = try await fixture.login("user-2")

        #expect(try await fixture.engine.logout(session: a.session.id))
        #expect(try await fixture.engine.logout(session: a.session.id) == false)
        #expect(await authErrorCode { try await fixture.engine.authenticate(bearer: a.accessToken) } == .sessionRevoked)
        #expect(await authErrorCode { try await fixture.engine.refresh(a.refreshToken, client: EngineFixture.laptop) }
            == .invalidRefreshToken)

        #expect(try await fixture.engine.logoutOthers(user: "user-1", keeping: c.session.id) == 1)
        #expect(await authErrorCode { try await fixture.engine.authenticate(bearer: b.accessToken) } == .sessionRevoked)
        _ = try await fixture.engine.authenticate(bearer: c.accessToken)

        #expect(try await fixture.engine.logoutAll(user: "user-1") == 1)
        #expect(await authErrorCode { try await fixture.engine.authenticate(bearer: c.accessToken) } == .sessionRevoked)
        _ = try await fixture.engine.authenticate(bearer: other.accessToken)
        #expect(fixture.recorder.all.filter { $0.kind == .sessionRevoked }.map(\.reason) == ["logout", "logout_others", "logout_all"])
    }

    @Test func sessionsListNewestFirstWithDeviceLabelsAndTheCurrentMarker() async throws {
        let fixture = try EngineFixture()
        let laptop = try await fixture.login()
        fixture.clock.advance(by: 10)
        let phone = try await fixture.login(client: EngineFixture.phone)
        let list = try await fixture.engine.sessions(of: "user-1", current: laptop.session.id)
        #expect(list.map(\.session.id) == [phone.session.id, laptop.session.id])
        #expect(list.map(\.deviceLabel) == ["Safari on iPhone", "Firefox 126 on Linux"])
        #expect(list.map(\.isCurrent) == [false, true])
        #expect(list[1].session.client.ipAddress == "203.0.113.7")
    }

    @Test func revokeChecksOwnership() async throws {
        let fixture = try EngineFixture()
        let mine = try await fixture.login()
        let theirs = try await fixture.login("user-2")
        #expect(await authErrorCode { try await fixture.engine.revoke(theirs.session.id, by: "user-1") } == .forbidden)
        _ = try await fixture.engine.authenticate(bearer: theirs.accessToken)
        #expect(await authErrorCode { try await fixture.engine.revoke("AAAAAAAAAAAAAAAAAAAAAA", by: "user-1") } == .notFound)
        try await fixture.engine.revoke(mine.session.id, by: "user-1")
        #expect(await authErrorCode { try await fixture.engine.authenticate(bearer: mine.accessToken) } == .sessionRevoked)
    }

    // MARK: Session-check modes

    @Test func statelessModeHonoursLogoutOnlyAtExpiry() async throws {
        let fixture = try EngineFixture { $0.sessionCheck = .stateless }
        let pair = try await fixture.login()
        try await fixture.engine.logout(session: pair.session.id)
        _ = try await fixture.engine.authenticate(bearer: pair.accessToken)
        fixture.clock.advance(by: 906)
        #expect(await authErrorCode { try await fixture.engine.authenticate(bearer: pair.accessToken) } == .invalidToken)
    }

    @Test func cachedModeHonoursLocalLogoutAtOnceAndRemoteLogoutWithinTheTTL() async throws {
        let nodeA = try EngineFixture { $0.sessionCheck = .cached(ttl: 30) }
        let nodeB = try EngineFixture(store: nodeA.store) {
            $0.sessionCheck = .cached(ttl: 30)
            $0.keyRing = nodeA.engine.keyRing
            $0.refreshTokenSecret = nodeA.engine.configuration.refreshTokenSecret
            $0.clock = nodeA.clock
        }
        let pair = try await nodeA.login()
        _ = try await nodeA.engine.authenticate(bearer: pair.accessToken)
        _ = try await nodeB.engine.authenticate(bearer: pair.accessToken)  // B caches it

        try await nodeA.engine.logout(session: pair.session.id)
        #expect(await authErrorCode { try await nodeA.engine.authenticate(bearer: pair.accessToken) } == .sessionRevoked)
        _ = try await nodeB.engine.authenticate(bearer: pair.accessToken)  // stale for at most the ttl
        nodeA.clock.advance(by: 30)
        #expect(await authErrorCode { try await nodeB.engine.authenticate(bearer: pair.accessToken) } == .sessionRevoked)

        // With a broadcast, B drops it at once.
        let second = try await nodeA.login()
        _ = try await nodeB.engine.authenticate(bearer: second.accessToken)
        try await nodeA.engine.logout(session: second.session.id)
        nodeB.engine.invalidateCachedSession(second.session.id)
        #expect(await authErrorCode { try await nodeB.engine.authenticate(bearer: second.accessToken) } == .sessionRevoked)

        // logoutAll through this node invalidates every cached session of the user here.
        let third = try await nodeA.login()
        _ = try await nodeA.engine.authenticate(bearer: third.accessToken)
        try await nodeA.engine.logoutAll(user: "user-1")
        #expect(await authErrorCode { try await nodeA.engine.authenticate(bearer: third.accessToken) } == .sessionRevoked)
    }

    @Test func storeOutagesFailClosed() async throws {
        let healthy = try EngineFixture()
        let pair = try await healthy.login()
        let down = try EngineFixture(store: UnavailableStore()) {
            $0.keyRing = healthy.engine.keyRing
            $0.refreshTokenSecret = healthy.engine.configuration.refreshTokenSecret
            $0.clock = healthy.clock
        }
        #expect(await authErrorCode { try await down.engine.authenticate(bearer: pair.accessToken) } == .storeUnavailable)
        #expect(await authErrorCode { try await down.engine.refresh(pair.refreshToken, client: EngineFixture.laptop) } == .storeUnavailable)
        #expect(await authErrorCode { try await down.login() } == .storeUnavailable)
        #expect(await authErrorCode { try await down.engine.logout(session: pair.session.id) } == .storeUnavailable)
        // Stateless mode does not need the store.
        let stateless = try EngineFixture(store: UnavailableStore()) {
            $0.keyRing = healthy.engine.keyRing
            $0.refreshTokenSecret = healthy.engine.configuration.refreshTokenSecret
            $0.clock = healthy.clock
            $0.sessionCheck = .stateless
        }
        _ = try await stateless.engine.authenticate(bearer: pair.accessToken)
    }

    // MARK: Keys

    @Test func keyRotationKeepsOldTokensValidUntilTheyExpire() async throws {
        let fixture = try EngineFixture()
        let before = try await fixture.login()
        let oldKey = fixture.engine.keyRing.activeKey.keyID
        try fixture.engine.rotateSigningKey()
        let newKey = fixture.engine.keyRing.activeKey.keyID
        #expect(oldKey != newKey)
        #expect(fixture.engine.publicKeySet.keys.compactMap(\.keyID) == [oldKey, newKey])
        let after = try await fixture.login()
        _ = try await fixture.engine.authenticate(bearer: before.accessToken)
        _ = try await fixture.engine.authenticate(bearer: after.accessToken)
        fixture.clock.advance(by: 905)
        try fixture.engine.retireExpiredKeys()
        #expect(fixture.engine.publicKeySet.keys.compactMap(\.keyID) == [newKey])
        #expect(fixture.engine.keyRing.keys.map(\.state) == [.retired, .active])
    }

    @Test func symmetricKeysAreNeverPublished() async throws {
        let fixture = try EngineFixture(algorithm: .hs256)
        let pair = try await fixture.login()
        _ = try await fixture.engine.authenticate(bearer: pair.accessToken)
        #expect(fixture.engine.publicKeySet.keys.isEmpty)
    }

    @Test func configurationIsValidated() throws {
        let ring = try KeyRing.generate(now: Date())
        func code(_ change: (inout AuthConfiguration) -> Void) throws -> AuthError.Code? {
            var configuration = AuthConfiguration(
                issuer: "i", audience: "a", keyRing: ring, refreshTokenSecret: try SecretBytes(randomCount: 32))
            change(&configuration)
            do {
                _ = try AuthEngine(configuration: configuration, store: MemorySessionStore())
                return nil
            } catch {
                return error.code
            }
        }
        #expect(try code { _ in } == nil)
        #expect(try code { $0.issuer = "" } == .configuration)
        #expect(try code { $0.accessTokenLifetime = 0 } == .configuration)
        #expect(try code { $0.refreshAbsoluteLifetime = 60 } == .configuration)
        #expect(try code { $0.refreshGraceWindow = -1 } == .configuration)
        #expect(try code { $0.refreshTokenSecret = SecretBytes(Array(repeating: 1, count: 16)) } == .configuration)
        #expect(try code { $0.sessionCheck = .cached(ttl: 0) } == .configuration)
        #expect(throws: AuthError.self) { try KeyRing(keys: []) }
    }
}

/// `beginAuthentication`: all `authenticate` does without waiting, and the rest handed to `completeAuthentication`.
@Suite struct TwoStepAuthenticationTests {
    private func immediate(_ step: AuthEngine.AuthenticationStep) -> Principal? {
        if case .authenticated(let principal) = step { principal } else { nil }
    }

    @Test func statefulModeAlwaysLooksTheSessionUpAfterOneVerification() async throws {
        let fixture = try EngineFixture()
        let pair = try await fixture.login()
        let step = try fixture.engine.beginAuthentication(bearer: pair.accessToken)
        guard case .needsSessionLookup(let pending) = step else {
            Issue.record("stateful mode answered without the store")
            return
        }
        #expect(try await fixture.engine.completeAuthentication(pending).sessionID == pair.session.id)
        // The pending check asks the store then, not at the first step: a logout in between is honoured.
        let again = try fixture.engine.beginAuthentication(bearer: pair.accessToken)
        try await fixture.engine.logout(session: pair.session.id)
        guard case .needsSessionLookup(let late) = again else { return }
        #expect(await authErrorCode { try await fixture.engine.completeAuthentication(late) } == .sessionRevoked)
    }

    @Test func statelessModeNeverNeedsTheStore() async throws {
        let fixture = try EngineFixture { $0.sessionCheck = .stateless }
        let pair = try await fixture.login()
        let principal = try #require(immediate(try fixture.engine.beginAuthentication(bearer: pair.accessToken)))
        #expect(principal.sessionID == pair.session.id)
        #expect(principal.userID == pair.session.userID)
    }

    @Test func cachedModeAnswersFromAFreshEntryOnly() async throws {
        let fixture = try EngineFixture { $0.sessionCheck = .cached(ttl: 30) }
        let pair = try await fixture.login()
        #expect(immediate(try fixture.engine.beginAuthentication(bearer: pair.accessToken)) == nil)
        _ = try await fixture.engine.authenticate(bearer: pair.accessToken)
        #expect(immediate(try fixture.engine.beginAuthentication(bearer: pair.accessToken))?.sessionID == pair.session.id)
        fixture.clock.advance(by: 31)
        #expect(immediate(try fixture.engine.beginAuthentication(bearer: pair.accessToken)) == nil)
        _ = try await fixture.engine.authenticate(bearer: pair.accessToken)
        // A logout through this engine drops the entry at once: only the store can answer, and it says revoked.
        try await fixture.engine.logout(session: pair.session.id)
        #expect(immediate(try fixture.engine.beginAuthentication(bearer: pair.accessToken)) == nil)
        #expect(await authErrorCode { try await fixture.engine.authenticate(bearer: pair.accessToken) } == .sessionRevoked)
    }

    @Test func badTokensAreRefusedAtTheFirstStep() async throws {
        for mode in [SessionCheckMode.stateless, .stateful] {
            let fixture = try EngineFixture { $0.sessionCheck = mode }
            var code: AuthError.Code?
            do {
                _ = try fixture.engine.beginAuthentication(bearer: "not.a.jwt")
            } catch {
                code = error.code
            }
            #expect(code == .invalidToken)
        }
    }
}
