import Foundation
import SmartAuthCore
import Testing

@testable import SmartAuthSQLiteStore

/// ``UserStore`` on SQLite.
@Suite struct SQLiteStoreUserTests {
    static let created = Date(timeIntervalSince1970: 1_893_456_000.25)

    static func ada(id: UserID = "user-ada", email: String = "ada@example.com") -> UserRecord {
        UserRecord(
            id: id, email: email, passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
            roles: ["admin", "member"], disabled: false, createdAt: created, credentialVersion: 3)
    }

    @Test func createdUserReadsBackByIdAndByEmail() async throws {
        try await withStore { store, _ async throws in
            let ada = Self.ada()
            try await store.createUser(ada)
            #expect(try await store.user(id: ada.id) == ada)
            #expect(try await store.user(email: ada.email) == ada)
            #expect(try await store.user(id: "nobody") == nil)
            #expect(try await store.user(email: "nobody@example.com") == nil)
            // Emails are compared as stored: normalising them is the caller's job.
            #expect(try await store.user(email: "Ada@example.com") == nil)
        }
    }

    @Test func userWithNoRolesAndUnicodeRoundTrips() async throws {
        try await withStore { store, _ async throws in
            var user = Self.ada(id: "ünï ✓", email: "ünï@example.com")
            user.roles = []
            user.disabled = true
            try await store.createUser(user)
            #expect(try await store.user(id: user.id) == user)
        }
    }

    @Test func takenIdOrEmailIsDuplicate() async throws {
        try await withStore { store, _ async throws in
            try await store.createUser(Self.ada())
            let sameID = await #expect(throws: SessionStoreError.self) {
                try await store.createUser(Self.ada(email: "other@example.com"))
            }
            #expect(sameID?.code == .duplicate)
            let sameEmail = await #expect(throws: SessionStoreError.self) {
                try await store.createUser(Self.ada(id: "user-other"))
            }
            #expect(sameEmail?.code == .duplicate)
            #expect(try await store.user(id: "user-other") == nil)
        }
    }

    @Test func updateReplacesTheUserWithTheSameID() async throws {
        try await withStore { store, _ async throws in
            let ada = Self.ada()
            try await store.createUser(ada)
            var changed = ada
            changed.email = "ada.lovelace@example.com"
            changed.passwordHash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA"
            changed.roles = ["member"]
            changed.disabled = true
            changed.credentialVersion = 4
            #expect(try await store.updateUser(changed))
            #expect(try await store.user(id: ada.id) == changed)
            #expect(try await store.user(email: changed.email) == changed)
            #expect(try await store.user(email: ada.email) == nil)
        }
    }

    @Test func updateOfAnUnknownUserReturnsFalse() async throws {
        try await withStore { store, _ async throws in
            #expect(try await store.updateUser(Self.ada()) == false)
            #expect(try await store.user(id: Self.ada().id) == nil)
        }
    }

    @Test func updateToAnotherUsersEmailIsDuplicateAndChangesNothing() async throws {
        try await withStore { store, _ async throws in
            let ada = Self.ada()
            let grace = Self.ada(id: "user-grace", email: "grace@example.com")
            try await store.createUser(ada)
            try await store.createUser(grace)
            var stolen = grace
            stolen.email = ada.email
            let error = await #expect(throws: SessionStoreError.self) { try await store.updateUser(stolen) }
            #expect(error?.code == .duplicate)
            #expect(try await store.user(id: grace.id) == grace)
            #expect(try await store.user(email: ada.email) == ada)
        }
    }

    @Test func concurrentCreatesWithOneEmailHaveOneWinner() async throws {
        try await withStore { store, _ async throws in
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        do {
                            try await store.createUser(Self.ada(id: UserID("user-\(index)"), email: "race@example.com"))
                            return true
                        } catch let error as SessionStoreError where error.code == .duplicate {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 1)
        }
    }
}
