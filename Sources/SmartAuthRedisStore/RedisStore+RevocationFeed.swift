public import SmartAuthCore

extension RedisStore {
    /// Notices of revocations made through any ``RedisStore`` with the same key prefix on the same server, from
    /// now on: the scripts that revoke sessions (``revoke(_:at:)``, ``revokeAll(of:except:at:)`` and a replay seen
    /// by ``rotate(_:)``) publish on the channel `<prefix>revocations` in the same atomic step.
    ///
    /// The first call starts a subscriber thread with its own connection; it reconnects by itself when the
    /// connection breaks. Redis pub/sub delivers at most once: notices published while the subscriber is not yet
    /// subscribed or is reconnecting are lost, which the ``RevocationFeed`` contract bounds by the cache's ttl. A
    /// stream buffers at most 1,024 notices for a slow consumer, dropping the oldest.
    ///
    /// - Returns: A stream that ends when the consumer stops iterating or the store is deallocated.
    public func revocationNotices() -> AsyncStream<RevocationNotice> {
        subscriber.makeStream()
    }

    /// Waits until the subscriber is subscribed (after the first ``revocationNotices()``), at most `timeout`
    /// seconds; for tests that must not publish before anyone listens.
    func waitUntilSubscribed(timeout: Double) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while ContinuousClock.now < deadline {
            if subscriber.isSubscribed { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return subscriber.isSubscribed
    }
}
