public import SmartAuthCore

extension RedisStore {
    /// Stores a new user and reserves its email, in one script.
    ///
    /// - Throws: ``SessionStoreError`` `.duplicate` if the id or the email is taken, `.invalidArgument` for an id or
    ///   email longer than ``maximumNameLength``, `.unavailable`.
    public func createUser(_ user: UserRecord) async throws(SessionStoreError) {
        try Self.validate(user.id.rawValue, user.email)
        try RedisCodec.validate(user.createdAt)
        let reply = try await pool.run(
            .createUser, keys: [keys.user(user.id), keys.email(user.email)],
            arguments: [Array(user.id.rawValue.utf8)] + RedisCodec.fields(of: user))
        switch reply.integer {
        case 1: return
        case 0: throw SessionStoreError(.duplicate, "a user with this id or email already exists")
        default: throw RedisCodec.corrupt("an answer")
        }
    }

    /// The user with this id, or `nil`.
    public func user(id: UserID) async throws(SessionStoreError) -> UserRecord? {
        guard Self.fits(id.rawValue) else { return nil }
        let reply = try await pool.command(RedisCommand("HGETALL", [keys.user(id)]))
        if reply.elements?.isEmpty == true { return nil }
        return try RedisCodec.user(id: id, from: reply)
    }

    /// The user with this (normalised) email, or `nil`. The email's owner and the record are read in one script.
    public func user(email: String) async throws(SessionStoreError) -> UserRecord? {
        guard Self.fits(email) else { return nil }
        let reply = try await pool.run(.userByEmail, keys: [keys.email(email)], arguments: [keys.prefix])
        if reply == .null { return nil }
        guard let parts = reply.elements, parts.count == 2, let id = parts[0].text else {
            throw RedisCodec.corrupt("an answer")
        }
        return try RedisCodec.user(id: UserID(id), from: parts[1])
    }

    /// Replaces the stored user with the same id, moving its email reservation if the email changed, in one script.
    ///
    /// - Returns: `false` if there is no such user.
    /// - Throws: ``SessionStoreError`` `.duplicate` if the new email belongs to another user, `.unavailable`.
    public func updateUser(_ user: UserRecord) async throws(SessionStoreError) -> Bool {
        try Self.validate(user.id.rawValue, user.email)
        try RedisCodec.validate(user.createdAt)
        let reply = try await pool.run(
            .updateUser, keys: [keys.user(user.id), keys.email(user.email)],
            arguments: [Array(user.id.rawValue.utf8), keys.prefix] + RedisCodec.fields(of: user))
        switch reply.integer {
        case 1: return true
        case 0: return false
        case -1: throw SessionStoreError(.duplicate, "the email belongs to another user")
        default: throw RedisCodec.corrupt("an answer")
        }
    }
}
