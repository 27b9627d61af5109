import Foundation
import SmartAuthCore
import SmartAuthPostgresStore
import Testing

@Suite struct UserStoreTests {
    private func user(_ id: UserID, _ email: String) -> UserRecord {
        UserRecord(
            id: id, email: email, passwordHash: "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA",
            roles: ["member", "ünïcode ✓"], createdAt: Date(timeIntervalSinceReferenceDate: 912_345_678.123_456_7))
    }

    @Test func usersRoundTripByIdAndByEmail() async throws {
        let store = try TestDatabase.store()
        var ada = user("ada", "ada@example.com")
        ada.disabled = true
        ada.credentialVersion = 7
        try await store.createUser(ada)
        #expect(try await store.user(id: "ada") == ada)
        #expect(try await store.user(email: "ada@example.com") == ada)
        #expect(try await store.user(id: "nobody") == nil)
        #expect(try await store.user(email: "ADA@example.com") == nil)  // the caller normalises
        #expect(try await store.user(id: "a\u{0}da") == nil)
    }

    @Test func idAndEmailAreUnique() async throws {
        let store = try TestDatabase.store()
        try await store.createUser(user("ada", "ada@example.com"))
        let sameID = await #expect(throws: SessionStoreError.self) {
            try await store.createUser(user("ada", "other@example.com"))
        }
        #expect(sameID?.code == .duplicate)
        let sameEmail = await #expect(throws: SessionStoreError.self) {
            try await store.createUser(user("grace", "ada@example.com"))
        }
        #expect(sameEmail?.code == .duplicate)
        #expect(try await store.user(id: "grace") == nil)
    }

    @Test func updateReplacesByIdAndKeepsEmailsUnique() async throws {
        let store = try TestDatabase.store()
        try await store.createUser(user("ada", "ada@example.com"))
        try await store.createUser(user("grace", "grace@example.com"))

        var changed = user("ada", "ada@new.example")
        changed.roles = ["admin"]
        changed.credentialVersion = 2
        #expect(try await store.updateUser(changed))
        #expect(try await store.user(id: "ada") == changed)
        #expect(try await store.user(email: "ada@example.com") == nil)
        #expect(try await store.user(email: "ada@new.example") == changed)

        let taken = await #expect(throws: SessionStoreError.self) {
            try await store.updateUser(user("ada", "grace@example.com"))
        }
        #expect(taken?.code == .duplicate)
        #expect(try await store.user(id: "ada") == changed)
        #expect(try await store.updateUser(user("nobody", "nobody@example.com")) == false)
    }

    @Test func concurrentSignUpsWithOneEmailHaveOneWinner() async throws {
        let store = try TestDatabase.store()
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<50 {
                group.addTask { (try? await store.createUser(self.user(UserID("user-\(index)"), "same@example.com"))) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 1)
    }
}
