import Synchronization

/// A ``UserStore`` in this process's memory: for tests, development and single-process deployments.
///
/// Users are few and their operations rare (a login reads one, an administrator changes one), so one `Mutex`
/// guards the whole store: every operation, including the uniqueness checks of ``createUser(_:)`` and
/// ``updateUser(_:)``, happens in one critical section and is atomic. No lock is held across an `await`.
///
/// Identifiers and emails are compared as Swift strings, that is by Unicode canonical equivalence. The store
/// does not normalise emails: it keeps and matches ``UserRecord/email`` exactly as the caller gives it, and
/// the caller normalises it first (trimmed, lower-cased), as ``UserRecord/email`` requires.
public final class MemoryUserStore: UserStore {
    private struct State {
        var users: [UserID: UserRecord] = [:]
        /// email → the user that has it; the index that makes emails unique.
        var owners: [String: UserID] = [:]
    }

    private let state = Mutex(State())

    /// An empty store.
    public init() {}

    /// Stores a new user.
    ///
    /// - Parameter user: The user; neither its identifier nor its email may be in the store yet.
    /// - Throws: ``SessionStoreError`` with code ``SessionStoreError/Code/duplicate`` if a user with the same
    ///   identifier or the same email is stored; nothing is changed then.
    public func createUser(_ user: UserRecord) async throws(SessionStoreError) {
        let created = state.withLock { state -> Bool in
            guard state.users[user.id] == nil, state.owners[user.email] == nil else { return false }
            state.users[user.id] = user
            state.owners[user.email] = user.id
            return true
        }
        guard created else {
            throw SessionStoreError(.duplicate, "a user with this identifier or email already exists")
        }
    }

    /// The user with identifier `id`, or `nil`.
    ///
    /// - Parameter id: The user's identifier.
    /// - Returns: The user as last stored, or `nil` if there is none.
    public func user(id: UserID) async throws(SessionStoreError) -> UserRecord? {
        state.withLock { $0.users[id] }
    }

    /// The user with this email, or `nil`.
    ///
    /// - Parameter email: The normalised email (trimmed, lower-cased); it is matched exactly.
    /// - Returns: The user, or `nil` if no user has this email.
    public func user(email: String) async throws(SessionStoreError) -> UserRecord? {
        state.withLock { state in state.owners[email].flatMap { state.users[$0] } }
    }

    /// Replaces the stored user that has the same identifier, in one step: the email check and the write are
    /// atomic with respect to every other operation.
    ///
    /// - Parameter user: The new value of the user; its email may change, to one that no other user has.
    /// - Returns: `false` (and nothing is stored) if there is no user with this identifier.
    /// - Throws: ``SessionStoreError`` with code ``SessionStoreError/Code/duplicate`` if another user has the new
    ///   email; nothing is changed then.
    public func updateUser(_ user: UserRecord) async throws(SessionStoreError) -> Bool {
        enum Outcome { case updated, unknown, emailTaken }
        let outcome = state.withLock { state -> Outcome in
            guard let old = state.users[user.id] else { return .unknown }
            if let owner = state.owners[user.email], owner != user.id { return .emailTaken }
            state.owners[old.email] = nil
            state.owners[user.email] = user.id
            state.users[user.id] = user
            return .updated
        }
        switch outcome {
        case .updated: return true
        case .unknown: return false
        case .emailTaken: throw SessionStoreError(.duplicate, "another user has this email")
        }
    }
}
