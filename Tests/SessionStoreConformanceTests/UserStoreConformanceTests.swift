import Foundation
import SmartAuthCore
import SmartAuthTesting
import Testing

/// The rules every ``UserStore`` must follow, checked against every store in ``AuthStoreFactory/all``.
///
/// Dates are whole seconds (a ``ManualClock``), which every store represents exactly.
@Suite struct UserStoreConformanceTests {
    // MARK: - create and read

    @Test(arguments: AuthStoreFactory.all)
    func createdUserReadsBackByIdentifierAndByEmail(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let ada = UserRecord(
            id: "ada", email: "ada@example.com", passwordHash: UserFixtures.passwordHash, roles: ["admin", "member"],
            disabled: false, createdAt: clock.now(), credentialVersion: 3
        )
        let grace = UserFixtures.user(id: "grace", createdAt: clock.now().addingTimeInterval(60), roles: [])
        try await store.createUser(ada)
        try await store.createUser(grace)

        #expect(try await store.user(id: "ada") == ada)
        #expect(try await store.user(email: "ada@example.com") == ada)
        #expect(try await store.user(id: "grace") == grace)
        #expect(try await store.user(email: grace.email) == grace)
    }

    @Test(arguments: AuthStoreFactory.all)
    func unknownUserReadsAsNil(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        try await store.createUser(UserFixtures.user(id: "ada", createdAt: ManualClock().now()))
        #expect(try await store.user(id: "grace") == nil)
        #expect(try await store.user(email: "grace@example.com") == nil)
        // An identifier is not an email, nor the other way round.
        #expect(try await store.user(email: "ada") == nil)
        #expect(try await store.user(id: "ada@example.com") == nil)
    }

    @Test(arguments: AuthStoreFactory.all)
    func creatingAnExistingIdentifierThrowsDuplicate(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let original = UserFixtures.user(id: "ada", email: "ada@example.com", createdAt: clock.now())
        try await store.createUser(original)

        var impostor = UserFixtures.user(id: "ada", email: "mallory@example.com", createdAt: clock.now())
        impostor.roles = ["admin"]
        let error = await #expect(throws: SessionStoreError.self) { try await store.createUser(impostor) }
        #expect(error?.code == .duplicate)
        #expect(try await store.user(id: "ada") == original)
        #expect(try await store.user(email: "mallory@example.com") == nil)
    }

    @Test(arguments: AuthStoreFactory.all)
    func creatingAnExistingEmailThrowsDuplicate(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let original = UserFixtures.user(id: "ada", email: "ada@example.com", createdAt: clock.now())
        try await store.createUser(original)

        let impostor = UserFixtures.user(id: "mallory", email: "ada@example.com", createdAt: clock.now())
        let error = await #expect(throws: SessionStoreError.self) { try await store.createUser(impostor) }
        #expect(error?.code == .duplicate)
        #expect(try await store.user(email: "ada@example.com") == original)
        #expect(try await store.user(id: "mallory") == nil)
    }

    @Test(arguments: AuthStoreFactory.all, UnicodeUser.all)
    func unicodeIdentifiersAndEmailsRoundTrip(_ factory: AuthStoreFactory, _ example: UnicodeUser) async throws {
        let store = try await factory.make()
        let user = UserFixtures.user(id: example.id, email: example.email, createdAt: ManualClock().now())
        try await store.createUser(user)
        // A plain user beside it, so that a store that mangles non-ASCII text into one value shows it.
        let plain = UserFixtures.user(id: "plain", createdAt: ManualClock().now())
        try await store.createUser(plain)

        let byID = try #require(try await store.user(id: example.id))
        #expect(byID == user)
        #expect(Array(byID.id.rawValue.utf8) == Array(example.id.rawValue.utf8))
        #expect(Array(byID.email.utf8) == Array(example.email.utf8))
        #expect(try await store.user(email: example.email) == user)
        #expect(try await store.user(id: "plain") == plain)
    }

    // MARK: - update

    @Test(arguments: AuthStoreFactory.all)
    func updateReplacesEveryField(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let original = UserFixtures.user(id: "ada", email: "ada@example.com", createdAt: clock.now())
        try await store.createUser(original)

        // Same email: roles, disabled, password hash and credential version change.
        var changed = original
        changed.roles = ["admin", "auditor"]
        changed.disabled = true
        changed.passwordHash = UserFixtures.otherPasswordHash
        changed.credentialVersion = 2
        #expect(try await store.updateUser(changed))
        #expect(try await store.user(id: "ada") == changed)
        #expect(try await store.user(email: "ada@example.com") == changed)

        // A new email: the old one no longer finds the user, and is free for someone else.
        var moved = changed
        moved.email = "ada.lovelace@example.org"
        moved.disabled = false
        moved.roles = []
        #expect(try await store.updateUser(moved))
        #expect(try await store.user(id: "ada") == moved)
        #expect(try await store.user(email: "ada.lovelace@example.org") == moved)
        #expect(try await store.user(email: "ada@example.com") == nil)
        let newcomer = UserFixtures.user(id: "newcomer", email: "ada@example.com", createdAt: clock.now())
        try await store.createUser(newcomer)
        #expect(try await store.user(email: "ada@example.com") == newcomer)
    }

    @Test(arguments: AuthStoreFactory.all)
    func updatingToAnotherUsersEmailThrowsDuplicateAndChangesNothing(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let ada = UserFixtures.user(id: "ada", email: "ada@example.com", createdAt: clock.now())
        let grace = UserFixtures.user(id: "grace", email: "grace@example.com", createdAt: clock.now())
        try await store.createUser(ada)
        try await store.createUser(grace)

        var hijack = grace
        hijack.email = "ada@example.com"
        hijack.roles = ["admin"]
        let error = await #expect(throws: SessionStoreError.self) { _ = try await store.updateUser(hijack) }
        #expect(error?.code == .duplicate)
        #expect(try await store.user(id: "grace") == grace)
        #expect(try await store.user(email: "grace@example.com") == grace)
        #expect(try await store.user(id: "ada") == ada)
        #expect(try await store.user(email: "ada@example.com") == ada)
    }

    @Test(arguments: AuthStoreFactory.all)
    func updatingAnUnknownUserReturnsFalseAndCreatesNothing(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        try await store.createUser(UserFixtures.user(id: "ada", createdAt: clock.now()))
        let ghost = UserFixtures.user(id: "ghost", email: "ghost@example.com", createdAt: clock.now())
        #expect(try await store.updateUser(ghost) == false)
        #expect(try await store.user(id: "ghost") == nil)
        #expect(try await store.user(email: "ghost@example.com") == nil)
    }

    // MARK: - concurrency

    @Test(arguments: AuthStoreFactory.all)
    func concurrentCreatesOfOneEmailHaveExactlyOneWinner(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let now = ManualClock().now()
        let attempts = 300
        let results = try await race(attempts) { index -> Bool in
            let user = UserFixtures.user(id: UserID("user-\(index)"), email: "contested@example.com", createdAt: now)
            do {
                try await store.createUser(user)
                return true
            } catch let error as SessionStoreError where error.code == .duplicate {
                return false
            }
        }
        let winners = results.indices.filter { results[$0] }
        #expect(winners.count == 1)
        let winner = try #require(winners.first)
        let stored = try #require(try await store.user(email: "contested@example.com"))
        #expect(stored.id == UserID("user-\(winner)"))
        for index in 0..<attempts where index != winner {
            #expect(try await store.user(id: UserID("user-\(index)")) == nil)
        }
    }

    @Test(arguments: AuthStoreFactory.all)
    func concurrentCreatesOfOneIdentifierHaveExactlyOneWinner(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let now = ManualClock().now()
        let attempts = 300
        let results = try await race(attempts) { index -> Bool in
            let user = UserFixtures.user(id: "contested", email: "user-\(index)@example.com", createdAt: now)
            do {
                try await store.createUser(user)
                return true
            } catch let error as SessionStoreError where error.code == .duplicate {
                return false
            }
        }
        let winners = results.indices.filter { results[$0] }
        #expect(winners.count == 1)
        let winner = try #require(winners.first)
        #expect(try await store.user(id: "contested")?.email == "user-\(winner)@example.com")
        for index in 0..<attempts where index != winner {
            #expect(try await store.user(email: "user-\(index)@example.com") == nil)
        }
    }

    @Test(arguments: AuthStoreFactory.all)
    func concurrentUpdatesToOneFreeEmailHaveExactlyOneWinner(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let now = ManualClock().now()
        let users = (0..<100).map { UserFixtures.user(id: UserID("user-\($0)"), createdAt: now) }
        for user in users { try await store.createUser(user) }

        let results = try await race(users.count) { index -> Bool in
            var moved = users[index]
            moved.email = "contested@example.com"
            do {
                return try await store.updateUser(moved)
            } catch let error as SessionStoreError where error.code == .duplicate {
                return false
            }
        }
        let winners = results.indices.filter { results[$0] }
        #expect(winners.count == 1)
        let winner = try #require(winners.first)
        #expect(try await store.user(email: "contested@example.com")?.id == users[winner].id)
        for (index, user) in users.enumerated() where index != winner {
            #expect(try await store.user(id: user.id) == user)
            #expect(try await store.user(email: user.email) == user)
        }
    }
}

/// A user identifier and email outside ASCII, named for the test report.
struct UnicodeUser: Sendable, CustomTestStringConvertible {
    let name: String
    let id: UserID
    let email: String

    var testDescription: String { name }

    static let all: [UnicodeUser] = [
        UnicodeUser(name: "Latin with diacritics", id: "ünïcødé-ß", email: "zoë.ångström@exämple.de"),
        UnicodeUser(name: "CJK", id: "用户-一", email: "用户@例子.中国"),
        UnicodeUser(name: "emoji and astral plane", id: "🦊-𝔘𝔫𝔦", email: "fox🦊@emoji.example"),
        UnicodeUser(name: "right-to-left", id: "مستخدم", email: "مستخدم@مثال.مصر"),
    ]
}
