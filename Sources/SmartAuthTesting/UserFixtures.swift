public import Foundation
public import SmartAuthCore

/// User records for tests of user stores and of the engine.
public enum UserFixtures {
    /// A password hash in PHC string format with the shape of a real argon2id hash (not the hash of any password
    /// a test uses).
    public static let passwordHash =
        "$argon2id$v=19$m=19456,t=2,p=1$c21hcnRhdXRoLXNhbHQ$0Ht0YGIvoYF9yGQm9Vbq2gI4m9z5MvJVrJ0pWn3NLWk"

    /// Another hash of the same shape, as a password change would leave it.
    public static let otherPasswordHash =
        "$argon2id$v=19$m=19456,t=2,p=1$b3RoZXItc2FsdA$F0H0kz4H1l4o1vJtYz0A8r8oBq6m8xgI8x9tQ9m0c3A"

    /// A user as an account sign-up makes it: enabled, credential version 1.
    ///
    /// - Parameters:
    ///   - id: The identifier.
    ///   - email: The normalised email; by default made from `id`.
    ///   - createdAt: When the account was made.
    ///   - roles: The user's roles.
    public static func user(
        id: UserID = "user-1", email: String? = nil, createdAt: Date, roles: [String] = ["member"]
    ) -> UserRecord {
        UserRecord(
            id: id, email: email ?? "\(id.rawValue)@example.com", passwordHash: passwordHash, roles: roles,
            createdAt: createdAt
        )
    }
}
