import Foundation
import SmartAuthJWT
import Synchronization

/// A value behind its own lock, in a class so that an array can hold many of them (`Mutex` cannot be copied).
final class Locked<Value: ~Copyable>: Sendable {
    let mutex: Mutex<Value>
    init(_ value: consuming sending Value) { mutex = Mutex(value) }
}

/// The parts of a session that many sessions share: the user agent and device name, the roles, the claims and
/// the authentication level. A shard keeps one ``Profile`` per distinct value, so a million sessions from a
/// few hundred browsers hold a few hundred user-agent strings rather than a million.
struct ProfileValue: Hashable, Sendable {
    var userAgent: String?
    var deviceName: String?
    var roles: [String]
    var claims: JSONObject
    var authenticationLevel: Int
}

/// An interned ``ProfileValue``: sessions hold an 8-byte reference to it.
final class Profile: Sendable {
    let value: ProfileValue
    init(_ value: ProfileValue) { self.value = value }
}

/// The interning table of one shard, with a use count per profile so that it forgets a profile once no session
/// of the shard uses it.
struct ProfileTable {
    private var entries: [ProfileValue: (profile: Profile, uses: Int)] = [:]

    /// The shared profile for `value`, counted as one more use.
    mutating func retain(_ value: ProfileValue) -> Profile {
        if let entry = entries[value] {
            entries[value] = (entry.profile, entry.uses + 1)
            return entry.profile
        }
        let profile = Profile(value)
        entries[value] = (profile, 1)
        return profile
    }

    /// One use fewer of `profile`.
    mutating func release(_ profile: Profile) {
        guard let entry = entries[profile.value] else { return }
        if entry.uses <= 1 {
            entries[profile.value] = nil
        } else {
            entries[profile.value] = (entry.profile, entry.uses - 1)
        }
    }
}

/// A session as a shard stores it: the per-session fields inline, the shared ones in a ``Profile``.
struct SessionRecord: Sendable {
    var key: SessionKey
    var userID: UserID
    var createdAt: Date
    var lastSeenAt: Date
    var idleExpiresAt: Date
    var absoluteExpiresAt: Date
    var rotatedAt: Date
    var generation: UInt64
    var ipAddress: String?
    var profile: Profile

    /// The same rule as ``Session/isExpired(at:)``.
    func isExpired(at now: Date) -> Bool { now >= idleExpiresAt || now >= absoluteExpiresAt }

    var client: ClientInfo {
        ClientInfo(ipAddress: ipAddress, userAgent: profile.value.userAgent, deviceName: profile.value.deviceName)
    }

    /// The public value; `id` saves decoding the key again when the caller has the identifier at hand.
    func session(id: SessionID? = nil) -> Session {
        let value = profile.value
        return Session(
            id: id ?? key.sessionID, userID: userID, createdAt: createdAt, lastSeenAt: lastSeenAt,
            idleExpiresAt: idleExpiresAt, absoluteExpiresAt: absoluteExpiresAt, generation: generation,
            rotatedAt: rotatedAt, client: client, roles: value.roles, claims: value.claims,
            authenticationLevel: value.authenticationLevel
        )
    }
}

/// A session removed from a shard whose entry in the user index still has to go.
struct RemovedSession: Sendable {
    var userID: UserID
    var key: SessionKey
}

/// One shard of sessions: a slab of records, a map from key to slot, and the shard's profile table.
///
/// Records live in a slab (an array with a free list) rather than as dictionary values: a dictionary bucket
/// then costs a key and a 4-byte slot instead of a key and a whole record, and the automatic sweep can walk the
/// slab with a cursor that survives insertions and removals.
struct SessionShard {
    /// How many operations on the shard between two steps of the automatic sweep.
    static let sweepInterval = 64
    /// How many slots one step of the automatic sweep looks at.
    static let sweepBatch = 32

    private var slotOfKey: [SessionKey: UInt32] = [:]
    private var slots: ContiguousArray<SessionRecord?> = []
    private var freeSlots: [UInt32] = []
    private var profiles = ProfileTable()
    private var operationsSinceSweep = 0
    private var sweepCursor = 0
    private let automaticPurge: Bool

    init(automaticPurge: Bool) { self.automaticPurge = automaticPurge }

    /// The slot and record under `key`, expired or not.
    func find(_ key: SessionKey) -> (slot: Int, record: SessionRecord)? {
        guard let slot = slotOfKey[key], let record = slots[Int(slot)] else { return nil }
        return (Int(slot), record)
    }

    /// The slot and record under `key` if the session is live at `now`.
    func live(_ key: SessionKey, at now: Date) -> (slot: Int, record: SessionRecord)? {
        guard let found = find(key), !found.record.isExpired(at: now) else { return nil }
        return found
    }

    /// Whether the shard holds a session (expired or not) under `key` belonging to `user`.
    func holds(_ key: SessionKey, of user: UserID) -> Bool {
        find(key)?.record.userID == user
    }

    /// Stores `session` under `key`, unless something is stored under that key already.
    mutating func insert(_ session: Session, key: SessionKey, userID: UserID) -> Bool {
        guard slotOfKey[key] == nil else { return false }
        let profile = profiles.retain(
            ProfileValue(
                userAgent: session.client.userAgent, deviceName: session.client.deviceName, roles: session.roles,
                claims: session.claims, authenticationLevel: session.authenticationLevel
            )
        )
        let record = SessionRecord(
            key: key, userID: userID, createdAt: session.createdAt, lastSeenAt: session.lastSeenAt,
            idleExpiresAt: session.idleExpiresAt, absoluteExpiresAt: session.absoluteExpiresAt,
            rotatedAt: session.rotatedAt, generation: session.generation, ipAddress: session.client.ipAddress,
            profile: profile
        )
        let slot: UInt32
        if let free = freeSlots.popLast() {
            slot = free
            slots[Int(slot)] = record
        } else {
            slot = UInt32(slots.count)
            slots.append(record)
        }
        slotOfKey[key] = slot
        return true
    }

    /// Changes the record in `slot` in place (not its key, user or profile); returns it as changed.
    mutating func update(slot: Int, _ body: (inout SessionRecord) -> Void) -> SessionRecord {
        body(&slots[slot]!)
        return slots[slot]!
    }

    /// Sets the client of the record in `slot`: the address inline, the rest through the profile table.
    mutating func setClient(slot: Int, _ client: ClientInfo) {
        slots[slot]!.ipAddress = client.ipAddress
        let old = slots[slot]!.profile
        if old.value.userAgent != client.userAgent || old.value.deviceName != client.deviceName {
            var value = old.value
            value.userAgent = client.userAgent
            value.deviceName = client.deviceName
            slots[slot]!.profile = profiles.retain(value)
            profiles.release(old)
        }
    }

    /// Gives the record in `slot` new roles (through the shared profile table).
    mutating func setRoles(slot: Int, _ roles: [String]) {
        let old = slots[slot]!.profile
        guard old.value.roles != roles else { return }
        var value = old.value
        value.roles = roles
        slots[slot]!.profile = profiles.retain(value)
        profiles.release(old)
    }

    /// Removes and returns the record in `slot`.
    mutating func remove(slot: Int) -> SessionRecord {
        let record = slots[slot]!
        slots[slot] = nil
        slotOfKey[record.key] = nil
        freeSlots.append(UInt32(slot))
        profiles.release(record.profile)
        return record
    }

    /// Removes every session expired at `now`; returns them.
    mutating func removeExpired(at now: Date) -> [RemovedSession] {
        var removed: [RemovedSession] = []
        for slot in slots.indices {
            if let record = slots[slot], record.isExpired(at: now) {
                _ = remove(slot: slot)
                removed.append(RemovedSession(userID: record.userID, key: record.key))
            }
        }
        return removed
    }

    /// Counts one operation and, every ``sweepInterval`` operations, looks at the next ``sweepBatch`` slots and
    /// removes the sessions among them that are expired at `now`. This bounds the memory of a process that never
    /// calls `purgeExpired`, at a small, fixed cost per operation (no pause proportional to the store's size).
    mutating func tick(at now: Date) -> [RemovedSession] {
        guard automaticPurge else { return [] }
        operationsSinceSweep += 1
        guard operationsSinceSweep >= Self.sweepInterval, !slots.isEmpty else { return [] }
        operationsSinceSweep = 0
        var removed: [RemovedSession] = []
        for _ in 0..<min(Self.sweepBatch, slots.count) {
            if sweepCursor >= slots.count { sweepCursor = 0 }
            if let record = slots[sweepCursor], record.isExpired(at: now) {
                _ = remove(slot: sweepCursor)
                removed.append(RemovedSession(userID: record.userID, key: record.key))
            }
            sweepCursor += 1
        }
        return removed
    }
}

/// The sessions of one user, as the user index holds them: most users have one session, which then needs no
/// set of its own.
enum UserSessions: Sendable {
    case one(SessionKey)
    case many(Set<SessionKey>)

    var keys: [SessionKey] {
        switch self {
        case .one(let key): [key]
        case .many(let keys): Array(keys)
        }
    }

    func contains(_ key: SessionKey) -> Bool {
        switch self {
        case .one(let only): only == key
        case .many(let keys): keys.contains(key)
        }
    }

    /// Adds `key`.
    mutating func insert(_ key: SessionKey) {
        switch self {
        case .one(let only):
            if only != key { self = .many([only, key]) }
        case .many(var keys):
            self = .one(key)  // drops this value's reference to the set, so that inserting does not copy it
            keys.insert(key)
            self = .many(keys)
        }
    }

    /// Removes `key`; returns whether any session is left.
    mutating func remove(_ key: SessionKey) -> Bool {
        switch self {
        case .one(let only):
            return only != key
        case .many(var keys):
            self = .one(key)  // as in `insert`
            keys.remove(key)
            if keys.count == 1, let only = keys.first {
                self = .one(only)
            } else {
                self = .many(keys)
            }
            return !keys.isEmpty
        }
    }
}

/// One shard of the user index: user → the keys of the user's sessions.
struct UserShard {
    private var users: [UserID: UserSessions] = [:]

    /// The user identifier as the index stores it, so that every session of a user shares one copy of a long
    /// identifier's text.
    func canonical(_ user: UserID) -> UserID {
        guard let index = users.index(forKey: user) else { return user }
        return users[index].key
    }

    func keys(of user: UserID) -> [SessionKey] { users[user]?.keys ?? [] }

    func contains(_ key: SessionKey, of user: UserID) -> Bool { users[user]?.contains(key) ?? false }

    mutating func add(_ key: SessionKey, to user: UserID) {
        if users[user]?.insert(key) == nil { users[user] = .one(key) }
    }

    mutating func remove(_ key: SessionKey, from user: UserID) {
        if users[user]?.remove(key) == false { users[user] = nil }
    }

    mutating func removeAll(of user: UserID) { users[user] = nil }

    var allUsers: [UserID] { Array(users.keys) }
}
