public import SmartAuthCore

/// ``UserStore``: the `users` table, with the id as primary key and a unique email.
extension SQLiteStore {
    /// Stores a new user: one `INSERT`.
    ///
    /// - Parameter user: The user, with a normalised email.
    /// - Throws: ``SessionStoreError`` `.duplicate` if the id or the email is taken, `.unavailable`.
    public func createUser(_ user: UserRecord) async throws(SessionStoreError) {
        let values = UserRow.values(of: user)
        try await write(at: nil) { connection throws(SessionStoreError) in
            do throws(SessionStoreError) {
                try connection.execute(
                    "INSERT INTO users (\(UserRow.columns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", values)
            } catch  where error.code == .duplicate {
                throw SessionStoreError(.duplicate, "a user with this id or email already exists", underlying: error)
            }
        }
    }

    /// The user with this id, or `nil`.
    /// - Throws: ``SessionStoreError`` `.unavailable`, `.corrupt`.
    public func user(id: UserID) async throws(SessionStoreError) -> UserRecord? {
        try await reader().run { connection throws(SessionStoreError) -> UserRecord? in
            try connection.queryFirst(
                "SELECT \(UserRow.columns) FROM users WHERE id = ?1", [.text(id.rawValue)], row: UserRow.decode)
        }
    }

    /// The user with this email (compared byte for byte: the caller normalises it), or `nil`.
    /// - Throws: ``SessionStoreError`` `.unavailable`, `.corrupt`.
    public func user(email: String) async throws(SessionStoreError) -> UserRecord? {
        try await reader().run { connection throws(SessionStoreError) -> UserRecord? in
            try connection.queryFirst(
                "SELECT \(UserRow.columns) FROM users WHERE email = ?1", [.text(email)], row: UserRow.decode)
        }
    }

    /// Replaces the stored user with the same id: one `UPDATE` of every column.
    ///
    /// - Returns: `false` if there is no such user.
    /// - Throws: ``SessionStoreError`` `.duplicate` if the new email belongs to another user, `.unavailable`.
    public func updateUser(_ user: UserRecord) async throws(SessionStoreError) -> Bool {
        let values = UserRow.values(of: user)
        return try await write(at: nil) { connection throws(SessionStoreError) -> Bool in
            do throws(SessionStoreError) {
                let changed = try connection.execute(
                    """
                    UPDATE users SET email = ?2, password_hash = ?3, roles = ?4, disabled = ?5, created_at = ?6,
                        credential_version = ?7
                    WHERE id = ?1
                    """, values)
                return changed == 1
            } catch  where error.code == .duplicate {
                throw SessionStoreError(.duplicate, "another user has this email", underlying: error)
            }
        }
    }
}
