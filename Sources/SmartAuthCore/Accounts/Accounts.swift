import Foundation
public import SmartAuthCrypto
import SmartAuthJWT

/// User accounts for the standalone server: sign-up, password login with brute-force protection and no user
/// enumeration, password changes, roles and disabling — each wired to the session engine so that its effect on
/// live sessions is immediate.
public final class Accounts: Sendable {
    /// Password and email rules.
    public struct Rules: Hashable, Sendable {
        /// Shortest password accepted at sign-up and change. Default 8 characters (NIST SP 800-63B).
        public var minimumPasswordLength: Int = 8
        /// Longest password accepted, in bytes (bounds hashing work). Default 1024.
        public var maximumPasswordBytes: Int = 1024
        /// Roles a new account gets. Default `["user"]`.
        public var defaultRoles: [String] = ["user"]

        /// The default rules.
        public init() {}
    }

    /// The user records.
    public let users: any UserStore
    /// The session engine.
    public let engine: AuthEngine
    /// The password hasher.
    public let hasher: PasswordHasher
    /// Login back-off.
    public let bruteForce: BruteForceProtector
    /// The rules.
    public let rules: Rules
    private let random: any RandomSource

    /// Accounts over `users`, logging in through `engine`.
    public init(
        users: any UserStore, engine: AuthEngine, hasher: PasswordHasher, bruteForce: BruteForceProtector,
        rules: Rules = Rules()
    ) {
        self.users = users
        self.engine = engine
        self.hasher = hasher
        self.bruteForce = bruteForce
        self.rules = rules
        self.random = engine.configuration.random
    }

    private var now: Date { engine.configuration.clock.now() }

    /// Trimmed, Unicode NFC and lower-cased (stores compare bytes, so two spellings of one address must become
    /// one); `nil` unless it looks like `local@domain` (no spaces, one `@`, ≤ 254 bytes).
    public static func normalizedEmail(_ email: String) -> String? {
        let trimmed = email.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping.lowercased()
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard trimmed.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !trimmed.contains(where: { $0.isWhitespace || $0.isNewline || $0 == "\u{0}" })
        else { return nil }
        return trimmed
    }

    private func checkPassword(_ password: String) throws(AuthError) {
        guard password.count >= rules.minimumPasswordLength else {
            throw AuthError(.invalidRequest, "the password must have at least \(rules.minimumPasswordLength) characters")
        }
        guard password.utf8.count <= rules.maximumPasswordBytes else {
            throw AuthError(.invalidRequest, "the password is too long")
        }
    }

    /// Creates an account.
    /// - Throws: ``AuthError`` `.invalidRequest` (bad email, weak password), `.conflict` (email taken),
    ///   `.storeUnavailable`.
    public func signUp(email: String, password: String, roles: [String]? = nil) async throws(AuthError) -> UserRecord {
        guard let normalized = Self.normalizedEmail(email) else { throw AuthError(.invalidRequest, "the email address is not valid") }
        try checkPassword(password)
        let hash = try await hashPassword(password)
        let id: UserID
        do {
            id = UserID(Base64URL.encode(try random.bytes(count: 16)))
        } catch {
            throw AuthError(.internalFailure, "the random source failed", underlying: error)
        }
        let user = UserRecord(id: id, email: normalized, passwordHash: hash, roles: roles ?? rules.defaultRoles, createdAt: now)
        do {
            try await users.createUser(user)
        } catch {
            if error.code == .duplicate { throw AuthError(.conflict, "an account with this email exists") }
            throw AuthError.store(error)
        }
        return user
    }

    /// Logs in with email and password.
    ///
    /// An unknown email, a wrong password and a disabled account give the same error, and an unknown email
    /// costs the same hashing work as a known one. Stored hashes made with older parameters are re-hashed.
    /// - Parameters:
    ///   - trustedDevice: the client already holds a valid session of this account; only its own address's
    ///     back-off applies (see ``BruteForceProtector``).
    /// - Throws: ``AuthError`` `.invalidCredentials`, `.rateLimited` (with `retryAfter`), `.storeUnavailable`,
    ///   `.loginVetoed`.
    public func logIn(
        email: String, password: String, client: ClientInfo, trustedDevice: Bool = false
    ) async throws(AuthError) -> TokenPair {
        let account = Self.normalizedEmail(email) ?? email.lowercased()
        let address = client.ipAddress ?? "unknown"
        try await bruteForce.checkAllowed(account: account, address: address, trustedDevice: trustedDevice)
        let user: UserRecord?
        do {
            user = try await users.user(email: account)
        } catch {
            throw AuthError.store(error)
        }
        guard var user, password.utf8.count <= rules.maximumPasswordBytes else {
            await hasher.verifyAgainstDummy(password)
            try await fail(account: account, address: address, client: client, user: nil)
        }
        let verification: PasswordVerification
        do {
            verification = try await hasher.verify(password, against: user.passwordHash)
        } catch {
            throw AuthError(.internalFailure, "the stored password hash cannot be checked", underlying: error)
        }
        guard verification != .invalid, !user.disabled else {
            try await fail(account: account, address: address, client: client, user: user.id)
        }
        if verification == .validButNeedsRehash {
            user.passwordHash = try await hashPassword(password)
            do {
                _ = try await users.updateUser(user)
            } catch {
                throw AuthError.store(error)
            }
        }
        try await bruteForce.recordSuccess(account: account, address: address)
        return try await engine.login(userID: user.id, roles: user.roles, client: client)
    }

    private func fail(account: String, address: String, client: ClientInfo, user: UserID?) async throws(AuthError) -> Never {
        try await bruteForce.recordFailure(account: account, address: address)
        engine.events.publish(
            AuthEvent(kind: .loginFailed, time: now, userID: user, client: client, reason: "invalid_credentials"))
        throw AuthError(.invalidCredentials, "invalid email or password")
    }

    private func hashPassword(_ password: String) async throws(AuthError) -> String {
        do {
            return try await hasher.hash(password)
        } catch {
            throw AuthError(.internalFailure, "hashing the password failed", underlying: error)
        }
    }

    private func existingUser(_ id: UserID) async throws(AuthError) -> UserRecord {
        let user: UserRecord?
        do {
            user = try await users.user(id: id)
        } catch {
            throw AuthError.store(error)
        }
        guard let user else { throw AuthError(.notFound, "no such user") }
        return user
    }

    private func save(_ user: UserRecord) async throws(AuthError) {
        do {
            _ = try await users.updateUser(user)
        } catch {
            throw AuthError.store(error)
        }
    }

    /// Changes a password (the current one must be right); every session of the user is revoked.
    /// - Throws: ``AuthError`` `.invalidCredentials`, `.invalidRequest`, `.notFound`, `.storeUnavailable`.
    public func changePassword(of id: UserID, current: String, new: String) async throws(AuthError) {
        var user = try await existingUser(id)
        let verification: PasswordVerification
        do {
            verification = try await hasher.verify(current, against: user.passwordHash)
        } catch {
            throw AuthError(.internalFailure, "the stored password hash cannot be checked", underlying: error)
        }
        guard verification != .invalid else { throw AuthError(.invalidCredentials, "the current password is wrong") }
        try await setPassword(&user, new)
    }

    /// Sets a password without the current one (administrators, reset flows); revokes every session.
    public func resetPassword(of id: UserID, to new: String) async throws(AuthError) {
        var user = try await existingUser(id)
        try await setPassword(&user, new)
    }

    private func setPassword(_ user: inout UserRecord, _ new: String) async throws(AuthError) {
        try checkPassword(new)
        user.passwordHash = try await hashPassword(new)
        user.credentialVersion += 1
        try await save(user)
        try await engine.logoutAll(user: user.id, reason: .credentialsChanged)
    }

    /// Sets a user's roles; live sessions get them at once (stateful mode) or at their next refresh.
    public func setRoles(of id: UserID, to roles: [String]) async throws(AuthError) {
        var user = try await existingUser(id)
        user.roles = roles
        try await save(user)
        do {
            _ = try await engine.store.updateRoles(of: id, to: roles, at: now)
        } catch {
            throw AuthError.store(error)
        }
    }

    /// Disables or re-enables an account; disabling revokes every session.
    public func setDisabled(_ id: UserID, _ disabled: Bool) async throws(AuthError) {
        var user = try await existingUser(id)
        user.disabled = disabled
        try await save(user)
        if disabled { try await engine.logoutAll(user: id, reason: .administrator) }
    }
}
