public import Foundation
import Synchronization

/// A ``SessionStore`` in this process's memory: the default for tests, development and single-process
/// deployments.
///
/// Sessions are spread over shards by a hash of their identifier, each behind its own `Mutex`, so the hot path
/// (``session(_:at:)``, ``rotate(_:)``, ``touch(_:at:client:)``) takes exactly one shard's lock and never a
/// global one. A second set of shards, chosen by a hash of the user, holds the user index (user → session
/// identifiers) that ``sessions(of:at:)`` and ``revokeAll(of:except:at:)`` read. No lock is held across an
/// `await`; every method completes synchronously.
///
/// Locks are always taken in one order, so no interleaving of calls can deadlock: a user-index shard (at most one)
/// before a session shard (at most one at a time). An operation that removes a session while it holds only the
/// session's shard (``revoke(_:at:)``, a replay seen by ``rotate(_:)``, a purge) fixes the user index right after
/// releasing that lock; until then the index may name a session that is gone, and every reader of the index
/// skips such names.
///
/// ``revokeAll(of:except:at:)`` holds the user's index shard for its whole run, and ``create(_:)`` takes the same
/// lock, so a concurrent create for that user lands either entirely before (and is revoked) or entirely after
/// (and survives); no session is lost from the index. Each session revoked concurrently by several callers is
/// returned to exactly one of them.
///
/// Memory stays bounded without any caller's help: every 64 operations on a shard, the store looks at the next
/// 32 slots of that shard and deletes the sessions there that have expired (at the `now` of the operation), so
/// a long-running process sweeps all its shards continuously at a small, fixed cost per operation.
/// ``purgeExpired(at:)`` deletes every expired session at once.
///
/// Each session costs about 270–300 resident bytes (measured with 1,000,000 sessions): identifiers in the
/// engine's 22-character format are held as their 128 bits, and the user agent, device name, roles and claims
/// are shared between the sessions of a shard that have the same ones.
///
/// - Important: The store trusts the `now` it is given. An operation may delete any session that has expired at
///   its `now`, so a caller must not expect a session to come back when it later passes an earlier time.
public final class MemorySessionStore: SessionStore {
    private let shards: [Locked<SessionShard>]
    private let userShards: [Locked<UserShard>]

    /// An empty store.
    ///
    /// - Parameters:
    ///   - shardCount: How many shards the sessions, and separately the user index, are spread over; more shards
    ///     mean less lock contention between concurrent callers. Must be at least 1; the default is 32.
    ///   - automaticPurge: Whether operations also delete expired sessions a few at a time, as described in the
    ///     type's discussion. On by default; turn it off only if something calls ``purgeExpired(at:)``
    ///     regularly.
    public init(shardCount: Int = 32, automaticPurge: Bool = true) {
        precondition(shardCount >= 1, "MemorySessionStore needs at least one shard")
        shards = (0..<shardCount).map { _ in Locked(SessionShard(automaticPurge: automaticPurge)) }
        userShards = (0..<shardCount).map { _ in Locked(UserShard()) }
    }

    private func shard(_ key: SessionKey) -> Locked<SessionShard> { shards[key.shard(of: shards.count)] }

    private func userShard(_ user: UserID) -> Locked<UserShard> {
        userShards[Int(UInt(bitPattern: user.hashValue) % UInt(userShards.count))]
    }

    // MARK: - SessionStore

    /// Stores a new session.
    ///
    /// - Parameter session: The session; its identifier must not be in the store yet.
    /// - Throws: ``SessionStoreError`` with code ``SessionStoreError/Code/duplicate`` if a session with the same
    ///   identifier is stored, even an expired one that has not been purged yet.
    public func create(_ session: Session) async throws(SessionStoreError) {
        let key = SessionKey(session.id)
        let sessionShard = shard(key)
        // The user's index shard first, then the session's shard: the store's one lock order.
        let (inserted, removed) = userShard(session.userID).mutex.withLock { users in
            let userID = users.canonical(session.userID)
            let (inserted, removed) = sessionShard.mutex.withLock { sessions in
                let removed = sessions.tick(at: session.createdAt)
                return (sessions.insert(session, key: key, userID: userID), removed)
            }
            if inserted { users.add(key, to: userID) }
            return (inserted, removed)
        }
        unindex(removed)
        guard inserted else {
            throw SessionStoreError(.duplicate, "a session with this identifier already exists")
        }
    }

    /// The live session with identifier `id` at `now`, or `nil` if it is unknown, revoked or expired.
    ///
    /// - Parameters:
    ///   - id: The session's identifier.
    ///   - now: The time of the request.
    /// - Returns: The session, or `nil`.
    public func session(_ id: SessionID, at now: Date) async throws(SessionStoreError) -> Session? {
        let key = SessionKey(id)
        let (session, removed) = shard(key).mutex.withLock { sessions in
            let removed = sessions.tick(at: now)
            return (sessions.live(key, at: now)?.record.session(id: id), removed)
        }
        unindex(removed)
        return session
    }

    /// The refresh compare-and-swap, in one step under the session's shard lock; see ``RotationOutcome``.
    ///
    /// A successful rotation sets the generation to the next one, `rotatedAt` and `lastSeenAt` to the request's
    /// time, the idle expiry to `now + idleTimeout` capped at the absolute expiry, and the client to the request's.
    /// A session whose generation has reached `UInt64.max` cannot rotate any more: its current token is
    /// ``RotationOutcome/invalid``.
    ///
    /// - Parameter request: The session, the presented generation, the time and the windows.
    /// - Returns: ``RotationOutcome/rotated(_:previousClient:)``, ``RotationOutcome/grace(_:)``,
    ///   ``RotationOutcome/reused(_:)`` (the session is then deleted) or ``RotationOutcome/invalid``.
    public func rotate(_ request: RotationRequest) async throws(SessionStoreError) -> RotationOutcome {
        let key = SessionKey(request.sessionID)
        let (outcome, removed) = shard(key).mutex.withLock { sessions -> (RotationOutcome, [RemovedSession]) in
            var removed = sessions.tick(at: request.now)
            let outcome = Self.rotate(request, key: key, in: &sessions, removed: &removed)
            return (outcome, removed)
        }
        unindex(removed)
        return outcome
    }

    /// The decision of ``rotate(_:)``, under the shard's lock.
    private static func rotate(
        _ request: RotationRequest, key: SessionKey, in sessions: inout SessionShard, removed: inout [RemovedSession]
    ) -> RotationOutcome {
        let now = request.now
        guard let (slot, record) = sessions.live(key, at: now) else { return .invalid }
        let presented = request.presentedGeneration
        if presented == record.generation {
            guard record.generation < UInt64.max else { return .invalid }
            let previousClient = record.client
            sessions.setClient(slot: slot, request.client)
            let rotated = sessions.update(slot: slot) { record in
                record.generation += 1
                record.rotatedAt = now
                record.lastSeenAt = now
                record.idleExpiresAt = min(now.addingTimeInterval(request.idleTimeout), record.absoluteExpiresAt)
            }
            return .rotated(rotated.session(id: request.sessionID), previousClient: previousClient)
        }
        if presented > record.generation { return .invalid }
        if presented == record.generation - 1, request.graceWindow > 0,
            now.timeIntervalSince(record.rotatedAt) < request.graceWindow
        {
            return .grace(record.session(id: request.sessionID))
        }
        // An older generation, or the previous one outside the window: a replay.
        let old = sessions.remove(slot: slot)
        removed.append(RemovedSession(userID: old.userID, key: key))
        return .reused(old.session(id: request.sessionID))
    }

    /// Records use of a live session: sets `lastSeenAt` to `now` and, when given, the client.
    ///
    /// - Parameters:
    ///   - id: The session's identifier.
    ///   - now: The time of the use.
    ///   - client: The client now using the session, or `nil` to leave it as it is.
    /// - Returns: The updated session, or `nil` if it is not live.
    public func touch(_ id: SessionID, at now: Date, client: ClientInfo?) async throws(SessionStoreError) -> Session? {
        let key = SessionKey(id)
        let (session, removed) = shard(key).mutex.withLock { sessions -> (Session?, [RemovedSession]) in
            let removed = sessions.tick(at: now)
            guard let (slot, _) = sessions.live(key, at: now) else { return (nil, removed) }
            if let client { sessions.setClient(slot: slot, client) }
            let touched = sessions.update(slot: slot) { $0.lastSeenAt = now }
            return (touched.session(id: id), removed)
        }
        unindex(removed)
        return session
    }

    /// Ends one session.
    ///
    /// - Parameters:
    ///   - id: The session's identifier.
    ///   - now: The time of the revocation.
    /// - Returns: The session as it was, or `nil` if it was not live (an expired one is deleted all the same).
    public func revoke(_ id: SessionID, at now: Date) async throws(SessionStoreError) -> Session? {
        let key = SessionKey(id)
        let (session, removed) = shard(key).mutex.withLock { sessions -> (Session?, [RemovedSession]) in
            var removed = sessions.tick(at: now)
            guard let (slot, record) = sessions.find(key) else { return (nil, removed) }
            _ = sessions.remove(slot: slot)
            removed.append(RemovedSession(userID: record.userID, key: key))
            return (record.isExpired(at: now) ? nil : record.session(id: id), removed)
        }
        unindex(removed)
        return session
    }

    /// Ends every live session of `user`, except `keeping` if given, in one step with respect to ``create(_:)``
    /// for that user: a concurrent create either completes before (and its session is revoked) or after (and
    /// its session survives).
    ///
    /// - Parameters:
    ///   - user: Whose sessions to end.
    ///   - keeping: A session of `user` to leave alone (usually the caller's own), or `nil`.
    ///   - now: The time of the revocation.
    /// - Returns: The sessions that were ended, as they were, newest first. Expired sessions of the user are
    ///   deleted too but not returned.
    public func revokeAll(
        of user: UserID, except keeping: SessionID?, at now: Date
    ) async throws(SessionStoreError) -> [Session] {
        let keptKey = keeping.map(SessionKey.init)
        var revoked: [Session] = []
        userShard(user).mutex.withLock { users in
            for key in users.keys(of: user) where key != keptKey {
                let record = shard(key).mutex.withLock { sessions -> SessionRecord? in
                    // The index may name a session that is gone, or whose identifier now belongs to another user.
                    guard let (slot, record) = sessions.find(key), record.userID == user else { return nil }
                    return sessions.remove(slot: slot)
                }
                users.remove(key, from: user)
                if let record, !record.isExpired(at: now) { revoked.append(record.session()) }
            }
        }
        return revoked.sorted(by: Self.newestFirst)
    }

    /// The live sessions of `user` at `now`, newest first: by descending `createdAt`, then by ascending
    /// identifier (compared as Unicode text, which for base64url identifiers is byte order).
    ///
    /// - Parameters:
    ///   - user: Whose sessions to list.
    ///   - now: The time of the request.
    /// - Returns: The sessions; empty if the user has none.
    public func sessions(of user: UserID, at now: Date) async throws(SessionStoreError) -> [Session] {
        var live: [Session] = []
        userShard(user).mutex.withLock { users in
            for key in users.keys(of: user) {
                let (holds, session) = shard(key).mutex.withLock { sessions -> (Bool, Session?) in
                    guard let (_, record) = sessions.find(key), record.userID == user else { return (false, nil) }
                    return (true, record.isExpired(at: now) ? nil : record.session())
                }
                if !holds { users.remove(key, from: user) }  // a name left over by a removal: drop it
                if let session { live.append(session) }
            }
        }
        return live.sorted(by: Self.newestFirst)
    }

    /// Sets the roles of every live session of `user`. Holds the user's index lock throughout, so a session
    /// created concurrently for the user gets the new roles or was created after the change.
    ///
    /// - Returns: How many sessions were updated.
    public func updateRoles(of user: UserID, to roles: [String], at now: Date) async throws(SessionStoreError) -> Int {
        userShard(user).mutex.withLock { users in
            var updated = 0
            for key in users.keys(of: user) {
                let changed = shard(key).mutex.withLock { sessions -> Bool in
                    guard let (slot, record) = sessions.live(key, at: now), record.userID == user else { return false }
                    sessions.setRoles(slot: slot, roles)
                    return true
                }
                if changed { updated += 1 }
            }
            return updated
        }
    }

    /// Deletes every session that has expired by `now`, then every entry of the user index that names a session
    /// that is not stored.
    ///
    /// - Parameter now: The time of the purge.
    /// - Returns: How many sessions were deleted by this call (the automatic sweep may have deleted others
    ///   before).
    public func purgeExpired(at now: Date) async throws(SessionStoreError) -> Int {
        var count = 0
        for shard in shards {
            let removed = shard.mutex.withLock { $0.removeExpired(at: now) }
            count += removed.count
            unindex(removed)
        }
        for userShard in userShards {
            userShard.mutex.withLock { users in
                for user in users.allUsers {
                    for key in users.keys(of: user) where !shard(key).mutex.withLock({ $0.holds(key, of: user) }) {
                        users.remove(key, from: user)
                    }
                }
            }
        }
        return count
    }

    // MARK: - Internals

    /// Drops index entries of sessions that were removed while only their shard was locked. Under the user's
    /// index lock it checks the session shard again: if a session with the same identifier was created for the
    /// same user in the meantime, its entry stays.
    private func unindex(_ removed: [RemovedSession]) {
        for entry in removed {
            userShard(entry.userID).mutex.withLock { users in
                guard users.contains(entry.key, of: entry.userID) else { return }
                let recreated = shard(entry.key).mutex.withLock { $0.holds(entry.key, of: entry.userID) }
                if !recreated { users.remove(entry.key, from: entry.userID) }
            }
        }
    }

    private static func newestFirst(_ lhs: Session, _ rhs: Session) -> Bool {
        if lhs.createdAt != rhs.createdAt { return lhs.createdAt > rhs.createdAt }
        return lhs.id.rawValue < rhs.id.rawValue
    }
}
