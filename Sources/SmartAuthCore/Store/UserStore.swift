public import Foundation

/// A user account as the standalone server keeps it.
public struct UserRecord: Hashable, Sendable {
    /// The user's identifier (the access token's `sub`).
    public var id: UserID
    /// The normalised email address (trimmed, lower-cased); unique across users.
    public var email: String
    /// The password hash in PHC string format (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
    public var passwordHash: String
    /// The user's roles.
    public var roles: [String]
    /// A disabled user cannot log in; their sessions are revoked when they are disabled.
    public var disabled: Bool
    /// When the account was made.
    public var createdAt: Date
    /// Incremented on every password change; a change revokes every session.
    public var credentialVersion: Int

    /// A user record.
    public init(
        id: UserID, email: String, passwordHash: String, roles: [String] = [], disabled: Bool = false,
        createdAt: Date, credentialVersion: Int = 1
    ) {
        self.id = id
        self.email = email
        self.passwordHash = passwordHash
        self.roles = roles
        self.disabled = disabled
        self.createdAt = createdAt
        self.credentialVersion = credentialVersion
    }
}

extension UserRecord: CustomStringConvertible, CustomDebugStringConvertible {
    /// The record without its password hash.
    public var description: String {
        "UserRecord(id: \(id), email: \(email), roles: \(roles), disabled: \(disabled), credentialVersion: \(credentialVersion), passwordHash: <redacted>)"
    }
    public var debugDescription: String { description }
}

/// Where user accounts live. Each operation is atomic; emails are unique.
public protocol UserStore: Sendable {
    /// Stores a new user.
    /// - Throws: ``SessionStoreError`` `.duplicate` if the id or the email is taken, `.unavailable`.
    func createUser(_ user: UserRecord) async throws(SessionStoreError)

    /// The user with this id, or `nil`.
    func user(id: UserID) async throws(SessionStoreError) -> UserRecord?

    /// The user with this (normalised) email, or `nil`.
    func user(email: String) async throws(SessionStoreError) -> UserRecord?

    /// Replaces the stored user with the same id.
    /// - Returns: `false` if there is no such user.
    /// - Throws: `.duplicate` if the new email belongs to another user, `.unavailable`.
    func updateUser(_ user: UserRecord) async throws(SessionStoreError) -> Bool
}
