public import SmartAuthCore

extension PostgresStore {
    // MARK: - UserStore

    /// Stores a new user with one `INSERT`; the table's primary key and unique email index decide duplicates.
    ///
    /// - Throws: ``SessionStoreError`` `.duplicate` if the id or the email is taken; `.invalidArgument` if the id
    ///   is longer than ``maximumIdentifierLength`` bytes or a text contains a NUL character; `.unavailable`.
    public func createUser(_ user: UserRecord) async throws(SessionStoreError) {
        guard user.id.rawValue.utf8.count <= Self.maximumIdentifierLength else {
            throw SessionStoreError(.invalidArgument, "the user identifier is too long")
        }
        let parameters = Row.parameters(of: user)
        _ = try await pool.run { connection, deadline throws(SessionStoreError) in
            try connection.execute(Statements.insertUser, parameters, deadline: deadline)
        }
    }

    /// The user with this id, or `nil`.
    public func user(id: UserID) async throws(SessionStoreError) -> UserRecord? {
        guard Self.isStorable(id.rawValue) else { return nil }
        return try await pool.run { connection, deadline throws(SessionStoreError) in
            try connection.execute(Statements.userByID, [.text(id.rawValue)], deadline: deadline).rows.first.map(Row.user)
        }
    }

    /// The user with this (normalised) email, or `nil`. The comparison is exact (byte for byte).
    public func user(email: String) async throws(SessionStoreError) -> UserRecord? {
        guard Self.isStorable(email) else { return nil }
        return try await pool.run { connection, deadline throws(SessionStoreError) in
            try connection.execute(Statements.userByEmail, [.text(email)], deadline: deadline).rows.first.map(Row.user)
        }
    }

    /// Replaces the stored user with the same id, with one `UPDATE`.
    /// - Returns: `false` if there is no such user.
    /// - Throws: ``SessionStoreError`` `.duplicate` if the new email belongs to another user; `.unavailable`.
    public func updateUser(_ user: UserRecord) async throws(SessionStoreError) -> Bool {
        let parameters = Row.parameters(of: user)
        return try await pool.run { connection, deadline throws(SessionStoreError) in
            try connection.execute(Statements.updateUser, parameters, deadline: deadline).affectedRows > 0
        }
    }
}
