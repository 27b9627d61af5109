public import SmartAuthCore

/// ``KeyValueStore``: the `key_values` table. The compare-and-set is one conditional statement.
extension SQLiteStore {
    /// The value stored under `key`, or `nil`.
    /// - Throws: ``SessionStoreError`` `.unavailable`, `.corrupt`.
    public func value(for key: String) async throws(SessionStoreError) -> [UInt8]? {
        try await reader().run { connection throws(SessionStoreError) -> [UInt8]? in
            try connection.queryFirst("SELECT value FROM key_values WHERE key = ?1", [.text(key)]) {
                row throws(SessionStoreError) -> [UInt8] in
                guard let bytes = row.bytes(0) else { throw SessionStoreError.corruptRow("shared value") }
                return bytes
            }
        }
    }

    /// Sets `key` to `value` if its current value is `expected` (`nil`: if it has none), atomically: an
    /// `INSERT … ON CONFLICT DO NOTHING` when `expected` is `nil`, else an `UPDATE … WHERE value = expected`.
    ///
    /// - Returns: Whether the value was set.
    /// - Throws: ``SessionStoreError`` `.unavailable`; `.invalidArgument` for a value too large for SQLite.
    public func setValue(
        _ value: [UInt8], for key: String, ifCurrentValueIs expected: [UInt8]?
    ) async throws(SessionStoreError) -> Bool {
        try await write(at: nil) { connection throws(SessionStoreError) -> Bool in
            let changed: Int
            if let expected {
                changed = try connection.execute(
                    "UPDATE key_values SET value = ?2 WHERE key = ?1 AND value = ?3",
                    [.text(key), .blob(value), .blob(expected)])
            } else {
                changed = try connection.execute(
                    "INSERT INTO key_values (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
                    [.text(key), .blob(value)])
            }
            return changed == 1
        }
    }
}
