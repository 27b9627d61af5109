public import SmartAuthCore

extension RedisStore {
    /// The value stored under `key`, or `nil`.
    public func value(for key: String) async throws(SessionStoreError) -> [UInt8]? {
        guard Self.fits(key) else { return nil }
        let reply = try await pool.command(RedisCommand("GET", [keys.value(key)]))
        switch reply {
        case .null: return nil
        case .bulk(let bytes): return bytes
        default: throw RedisCodec.corrupt("a value")
        }
    }

    /// Sets `key` to `value` if its current value is `expected` (`nil`: if it has none), in one script.
    ///
    /// - Returns: Whether the value was set.
    public func setValue(
        _ value: [UInt8], for key: String, ifCurrentValueIs expected: [UInt8]?
    ) async throws(SessionStoreError) -> Bool {
        try Self.validate(key)
        let reply = try await pool.run(
            .compareAndSet, keys: [keys.value(key)],
            arguments: [Array((expected == nil ? "0" : "1").utf8), expected ?? [], value])
        guard let set = reply.integer else { throw RedisCodec.corrupt("an answer") }
        return set == 1
    }
}
