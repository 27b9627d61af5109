import Foundation
import SmartAuthCore
import Testing

@testable import SmartAuthRedisStore

/// ``UserStore`` on Redis: unique ids and emails, replacement by id.
@Suite struct RedisStoreUserStoreTests {
    static func ada(createdAt: Date = Date(timeIntervalSince1970: 1_893_456_000.25)) -> UserRecord {
        UserRecord(
            id: "user-ada", email: "ada@example.com", passwordHash: "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA",
            roles: ["admin", "member"], disabled: false, createdAt: createdAt, credentialVersion: 3)
    }

    @Test func createdUserReadsBackByIdAndByEmail() async throws {
        try await LiveRedis.withStore { store async throws in
            let ada = Self.ada()
            var grace = UserRecord(
                id: "ünïcode ✓", email: "grace@example.com", passwordHash: "h", roles: [], disabled: true,
                createdAt: Date(timeIntervalSince1970: 0))
            grace.credentialVersion = 1
            try await store.createUser(ada)
            try await store.createUser(grace)
            #expect(try await store.user(id: ada.id) == ada)
            #expect(try await store.user(email: ada.email) == ada)
            #expect(try await store.user(id: grace.id) == grace)
            #expect(try await store.user(email: "grace@example.com") == grace)
            #expect(try await store.user(id: "nobody") == nil)
            #expect(try await store.user(email: "nobody@example.com") == nil)
        }
    }

    @Test func idAndEmailAreUnique() async throws {
        try await LiveRedis.withStore { store async throws in
            let ada = Self.ada()
            try await store.createUser(ada)
            var sameID = ada
            sameID.email = "other@example.com"
            var sameEmail = ada
            sameEmail.id = "user-other"
            for user in [sameID, sameEmail] {
                let error = await #expect(throws: SessionStoreError.self) { try await store.createUser(user) }
                #expect(error?.code == .duplicate)
            }
            #expect(try await store.user(id: "user-other") == nil)
            #expect(try await store.user(email: "other@example.com") == nil)
            #expect(try await store.user(id: ada.id) == ada)
        }
    }

    @Test func concurrentCreatesWithOneEmailHaveOneWinner() async throws {
        try await LiveRedis.withStore { store async throws in
            let results = try await race(50) { index -> Bool in
                var user = Self.ada()
                user.id = UserID("user-\(index)")
                do {
                    try await store.createUser(user)
                    return true
                } catch let error as SessionStoreError where error.code == .duplicate {
                    return false
                }
            }
            #expect(results.filter { $0 }.count == 1)
        }
    }

    @Test func updateReplacesByIdAndMovesTheEmail() async throws {
        try await LiveRedis.withStore { store async throws in
            let ada = Self.ada()
            try await store.createUser(ada)
            var changed = ada
            changed.email = "ada.lovelace@example.com"
            changed.roles = []
            changed.disabled = true
            changed.credentialVersion = 4
            #expect(try await store.updateUser(changed))
            #expect(try await store.user(id: ada.id) == changed)
            #expect(try await store.user(email: changed.email) == changed)
            #expect(try await store.user(email: ada.email) == nil)

            // The old email is free again.
            var other = Self.ada()
            other.id = "user-other"
            try await store.createUser(other)
            #expect(try await store.user(email: ada.email) == other)
        }
    }

    @Test func updateToAnotherUsersEmailIsDuplicateAndChangesNothing() async throws {
        try await LiveRedis.withStore { store async throws in
            let ada = Self.ada()
            var grace = Self.ada()
            grace.id = "user-grace"
            grace.email = "grace@example.com"
            try await store.createUser(ada)
            try await store.createUser(grace)
            var stolen = ada
            stolen.email = grace.email
            let error = await #expect(throws: SessionStoreError.self) { try await store.updateUser(stolen) }
            #expect(error?.code == .duplicate)
            #expect(try await store.user(id: ada.id) == ada)
            #expect(try await store.user(email: grace.email) == grace)
            // Keeping one's own email is not a conflict.
            var renamed = ada
            renamed.roles = ["member"]
            #expect(try await store.updateUser(renamed))
            #expect(try await store.user(email: ada.email) == renamed)
        }
    }

    @Test func updateOfAnUnknownUserReturnsFalse() async throws {
        try await LiveRedis.withStore { store async throws in
            #expect(try await store.updateUser(Self.ada()) == false)
            #expect(try await store.user(email: Self.ada().email) == nil)
        }
    }
}
