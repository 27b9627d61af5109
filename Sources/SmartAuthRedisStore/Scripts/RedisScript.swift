package import Foundation

/// A Lua script that Redis runs atomically: each multi-key operation of ``RedisStore`` is exactly one of these,
/// so no operation reads and then writes across round trips.
///
/// Scripts are loaded with `SCRIPT LOAD` whenever a connection is made and called with `EVALSHA`; if the server
/// has forgotten a script (`NOSCRIPT`, after `SCRIPT FLUSH` or a restart that raced the load) the call falls back
/// to `EVAL` with the source, which caches it again.
///
/// Conventions shared by every script (see ``RedisScript/prelude``):
/// - Times are seconds since Foundation's reference date (2001-01-01T00:00:00Z) as the shortest decimal text that
///   reads back as the same `Double`, so a `Date` round-trips exactly. Scripts compare them as numbers but never
///   write a number they computed as a time (Lua would print it with 14 digits): a time they store is always one
///   of their arguments or one already stored.
/// - Logical checks (is a session live, is a grace window open) use the `now` argument, the caller's clock. The
///   physical TTL that Redis enforces is relative (`PEXPIRE` of the remaining lifetime plus a margin), so a caller
///   whose clock is far from the server's (a test's manual clock) never loses a live key early.
/// - Generations are decimal text and compared as text (a `UInt64` does not fit a Lua number exactly).
struct RedisScript: Sendable, Hashable {
    /// A short name, for errors and the script cache.
    let name: String
    /// The Lua source, prelude included.
    let source: String

    init(name: String, body: String) {
        self.name = name
        self.source = Self.prelude + body
    }

    /// Helpers every script starts with.
    static let prelude = """
        local function tomap(flat)
          local map = {}
          for n = 1, #flat, 2 do map[flat[n]] = flat[n + 1] end
          return map
        end
        local function live(s, now) return now < tonumber(s.i) and now < tonumber(s.a) end
        local function ttl(expires, now, margin)
          local ms = math.ceil((expires - now) * 1000) + margin
          if ms < 1 then ms = 1 end
          if ms > 315360000000 then ms = 315360000000 end
          return ms
        end
        local function extend(key, ms)
          if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
        end
        local function publish(prefix, ids, user)
          local notice = {s = ids}
          if user then notice.u = user end
          redis.call('PUBLISH', prefix .. 'revocations', cjson.encode(notice))
        end
        local function opt(value)
          if string.sub(value, 1, 1) == '1' then return string.sub(value, 2) end
          return nil
        end
        local function setclient(key, ip, ua, dn)
          local fields = {ip = ip, ua = ua, dn = dn}
          for _, name in ipairs({'ip', 'ua', 'dn'}) do
            if fields[name] then redis.call('HSET', key, name, fields[name]) else redis.call('HDEL', key, name) end
          end
        end
        local function greater(a, b)
          if #a ~= #b then return #a > #b end
          for n = 1, #a do
            local x, y = string.byte(a, n), string.byte(b, n)
            if x ~= y then return x > y end
          end
          return false
        end

        """

    // MARK: - Sessions

    /// KEYS: session, user index. ARGV: id, margin ms, createdAt, idleExpiresAt, absoluteExpiresAt, then the
    /// hash's field/value pairs. Returns 1, or 0 if the identifier exists (even expired but not yet gone).
    static let create = RedisScript(
        name: "create",
        body: """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            redis.call('HSET', KEYS[1], unpack(ARGV, 6))
            local ms = ttl(math.min(tonumber(ARGV[4]), tonumber(ARGV[5])), tonumber(ARGV[3]), tonumber(ARGV[2]))
            redis.call('PEXPIRE', KEYS[1], ms)
            redis.call('SADD', KEYS[2], ARGV[1])
            extend(KEYS[2], ms)
            return 1
            """)

    /// KEYS: session. ARGV: presented, presented + 1 (empty if it would overflow), now, now + idle timeout, grace
    /// window, client ip/ua/dn (each `0` for none or `1` + text), prefix, id, margin ms.
    /// Returns {'rotated', hash, {ip, ua, dn}} | {'grace', hash} | {'reused', hash} | {'invalid'}.
    static let rotate = RedisScript(
        name: "rotate",
        body: """
            local h = redis.call('HGETALL', KEYS[1])
            if #h == 0 then return {'invalid'} end
            local s = tomap(h)
            local now = tonumber(ARGV[3])
            if not live(s, now) then return {'invalid'} end
            local presented, following = ARGV[1], ARGV[2]
            if presented == s.g then
              if following == '' then return {'invalid'} end
              local previous = {s.ip or false, s.ua or false, s.dn or false}
              local idle = ARGV[4]
              if tonumber(idle) > tonumber(s.a) then idle = s.a end
              redis.call('HSET', KEYS[1], 'g', following, 'r', ARGV[3], 'l', ARGV[3], 'i', idle)
              setclient(KEYS[1], opt(ARGV[6]), opt(ARGV[7]), opt(ARGV[8]))
              local ms = ttl(math.min(tonumber(idle), tonumber(s.a)), now, tonumber(ARGV[11]))
              redis.call('PEXPIRE', KEYS[1], ms)
              local index = ARGV[9] .. 'us:' .. s.u
              redis.call('SADD', index, ARGV[10])
              extend(index, ms)
              return {'rotated', redis.call('HGETALL', KEYS[1]), previous}
            end
            if greater(presented, s.g) then return {'invalid'} end
            local window = tonumber(ARGV[5])
            if following == s.g and window > 0 and now - tonumber(s.r) < window then return {'grace', h} end
            redis.call('DEL', KEYS[1])
            redis.call('SREM', ARGV[9] .. 'us:' .. s.u, ARGV[10])
            publish(ARGV[9], {ARGV[10]}, nil)
            return {'reused', h}
            """)

    /// KEYS: session. ARGV: now, whether to set the client (`0`/`1`), ip, ua, dn (each `0`/`1` + text).
    /// Returns the hash after the touch, or nil if the session is not live.
    static let touch = RedisScript(
        name: "touch",
        body: """
            local v = redis.call('HMGET', KEYS[1], 'i', 'a')
            if not v[1] or not v[2] then return false end
            if not live({i = v[1], a = v[2]}, tonumber(ARGV[1])) then return false end
            redis.call('HSET', KEYS[1], 'l', ARGV[1])
            if ARGV[2] == '1' then setclient(KEYS[1], opt(ARGV[3]), opt(ARGV[4]), opt(ARGV[5])) end
            return redis.call('HGETALL', KEYS[1])
            """)

    /// KEYS: session. ARGV: now, prefix, id. Deletes the session, live or not; returns its hash if it was live.
    static let revoke = RedisScript(
        name: "revoke",
        body: """
            local h = redis.call('HGETALL', KEYS[1])
            if #h == 0 then return false end
            local s = tomap(h)
            redis.call('DEL', KEYS[1])
            redis.call('SREM', ARGV[2] .. 'us:' .. s.u, ARGV[3])
            if not live(s, tonumber(ARGV[1])) then return false end
            publish(ARGV[2], {ARGV[3]}, nil)
            return h
            """)

    /// KEYS: user index. ARGV: now, prefix, user, kept id (`0` for none or `1` + id).
    /// Deletes every session of the user but the kept one; returns {id, hash} of those that were live.
    static let revokeAll = RedisScript(
        name: "revokeAll",
        body: """
            local now, prefix, user, keep = tonumber(ARGV[1]), ARGV[2], ARGV[3], opt(ARGV[4])
            local out, ended = {}, {}
            for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              if id ~= keep then
                local key = prefix .. 's:' .. id
                local h = redis.call('HGETALL', key)
                local s = tomap(h)
                if s.u == user then
                  redis.call('DEL', key)
                  if live(s, now) then
                    out[#out + 1] = {id, h}
                    ended[#ended + 1] = id
                  end
                end
                redis.call('SREM', KEYS[1], id)
              end
            end
            if #ended > 0 then
              if keep then publish(prefix, ended, nil) else publish(prefix, ended, user) end
            end
            return out
            """)

    /// KEYS: user index. ARGV: now, prefix, user. Returns {id, hash} of each live session; drops index entries
    /// whose session is gone or now belongs to another user.
    static let sessionsOfUser = RedisScript(
        name: "sessionsOfUser",
        body: """
            local now, prefix, user = tonumber(ARGV[1]), ARGV[2], ARGV[3]
            local out = {}
            for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              local h = redis.call('HGETALL', prefix .. 's:' .. id)
              local s = tomap(h)
              if s.u ~= user then
                redis.call('SREM', KEYS[1], id)
              elseif live(s, now) then
                out[#out + 1] = {id, h}
              end
            end
            return out
            """)

    /// KEYS: user index. ARGV: now, prefix, user, roles (JSON). Returns how many live sessions were updated.
    static let updateRoles = RedisScript(
        name: "updateRoles",
        body: """
            local now, prefix, user = tonumber(ARGV[1]), ARGV[2], ARGV[3]
            local count = 0
            for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              local key = prefix .. 's:' .. id
              local v = redis.call('HMGET', key, 'u', 'i', 'a')
              if v[1] ~= user then
                redis.call('SREM', KEYS[1], id)
              elseif live({i = v[2], a = v[3]}, now) then
                redis.call('HSET', key, 'ro', ARGV[4])
                count = count + 1
              end
            end
            return count
            """)

    /// KEYS: session keys found by SCAN. ARGV: now, prefix. Deletes those expired at `now` (and their index
    /// entries); returns how many.
    static let purgeSessions = RedisScript(
        name: "purgeSessions",
        body: """
            local now, prefix = tonumber(ARGV[1]), ARGV[2]
            local count = 0
            for _, key in ipairs(KEYS) do
              local v = redis.call('HMGET', key, 'u', 'i', 'a')
              if v[1] and v[2] and v[3] and not live({i = v[2], a = v[3]}, now) then
                redis.call('DEL', key)
                redis.call('SREM', prefix .. 'us:' .. v[1], string.sub(key, #prefix + 3))
                count = count + 1
              end
            end
            return count
            """)

    /// KEYS: user index keys found by SCAN. ARGV: prefix. Drops entries whose session is gone or belongs to
    /// another user; returns how many.
    static let purgeIndexes = RedisScript(
        name: "purgeIndexes",
        body: """
            local prefix = ARGV[1]
            local count = 0
            for _, key in ipairs(KEYS) do
              local user = string.sub(key, #prefix + 4)
              for _, id in ipairs(redis.call('SMEMBERS', key)) do
                if redis.call('HGET', prefix .. 's:' .. id, 'u') ~= user then
                  redis.call('SREM', key, id)
                  count = count + 1
                end
              end
            end
            return count
            """)

    // MARK: - Users

    /// KEYS: user, email. ARGV: id, then the hash's field/value pairs. Returns 1, or 0 if the id or email is taken.
    static let createUser = RedisScript(
        name: "createUser",
        body: """
            if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
            redis.call('HSET', KEYS[1], unpack(ARGV, 2))
            redis.call('SET', KEYS[2], ARGV[1])
            return 1
            """)

    /// KEYS: email. ARGV: prefix. Returns {id, hash} or nil.
    static let userByEmail = RedisScript(
        name: "userByEmail",
        body: """
            local id = redis.call('GET', KEYS[1])
            if not id then return false end
            local h = redis.call('HGETALL', ARGV[1] .. 'u:' .. id)
            if #h == 0 then return false end
            return {id, h}
            """)

    /// KEYS: user, new email. ARGV: id, prefix, then the hash's field/value pairs.
    /// Returns 1, 0 if there is no such user, -1 if the email belongs to another user.
    static let updateUser = RedisScript(
        name: "updateUser",
        body: """
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            local owner = redis.call('GET', KEYS[2])
            if owner and owner ~= ARGV[1] then return -1 end
            local old = redis.call('HGET', KEYS[1], 'e')
            if old then
              local oldKey = ARGV[2] .. 'e:' .. old
              if oldKey ~= KEYS[2] and redis.call('GET', oldKey) == ARGV[1] then redis.call('DEL', oldKey) end
            end
            redis.call('DEL', KEYS[1])
            redis.call('HSET', KEYS[1], unpack(ARGV, 3))
            redis.call('SET', KEYS[2], ARGV[1])
            return 1
            """)

    // MARK: - Counters

    /// GCRA in integer microseconds, the same steps as `GCRA.evaluate`. KEYS: counter. ARGV: now, period,
    /// emission interval, cost (all integers below 2^53, exact in Lua's doubles), margin ms. The counter expires
    /// the margin after its theoretical arrival time (a stored time before `now` counts as `now`, so the margin
    /// changes no decision; it only keeps a caller's clock that runs ahead of the server's from losing state).
    /// Returns {allowed (0/1), remaining, stored − now, allowAt − now}.
    static let acquire = RedisScript(
        name: "acquire",
        body: """
            local now, period = tonumber(ARGV[1]), tonumber(ARGV[2])
            local emission, cost = tonumber(ARGV[3]), tonumber(ARGV[4])
            local tat = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
            if tat < now then tat = now end
            local newTat = tat + emission * cost
            local allowAt = newTat - period
            local allowed = now >= allowAt
            local stored = tat
            if allowed then
              stored = newTat
              local ms = math.ceil((newTat - now) / 1000) + tonumber(ARGV[5])
              if ms < 1 then ms = 1 end
              redis.call('SET', KEYS[1], string.format('%.0f', newTat), 'PX', ms)
            end
            local room = period - (stored - now)
            local remaining = 0
            if room > 0 then remaining = math.floor(room / emission) end
            return {allowed and 1 or 0, remaining, stored - now, allowAt - now}
            """)

    /// KEYS: failure record. ARGV: now, window (seconds), physical TTL (ms). Returns the count after this failure.
    static let recordFailure = RedisScript(
        name: "recordFailure",
        body: """
            local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
            local v = redis.call('HMGET', KEYS[1], 'n', 't')
            local count = 1
            if v[1] and v[2] and now - tonumber(v[2]) < window then count = tonumber(v[1]) + 1 end
            redis.call('HSET', KEYS[1], 'n', count, 't', ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return count
            """)

    // MARK: - Shared values

    /// KEYS: value. ARGV: `0` (expect none) or `1` (expect ARGV[2]), expected, new value. Returns 1 if set.
    static let compareAndSet = RedisScript(
        name: "compareAndSet",
        body: """
            local current = redis.call('GET', KEYS[1])
            if ARGV[1] == '0' then
              if current then return 0 end
            elseif current ~= ARGV[2] then
              return 0
            end
            redis.call('SET', KEYS[1], ARGV[3])
            return 1
            """)

    /// Every script, loaded on each new connection.
    static let all: [RedisScript] = [
        create, rotate, touch, revoke, revokeAll, sessionsOfUser, updateRoles, purgeSessions, purgeIndexes,
        createUser, userByEmail, updateUser, acquire, recordFailure, compareAndSet,
    ]
}

/// What `smart-auth bench store` needs to replay ``RedisStore/rotate(_:)``'s script with redis-benchmark as its
/// same-shape reference: the script's exact source and the argument encodings the store uses.
package enum RedisScriptReference {
    /// The rotate script's source, prelude included (what the store loads and calls with `EVALSHA`).
    package static var rotateSource: String { RedisScript.rotate.source }
    /// The TTL margin, in milliseconds, the store passes as the rotate script's last argument.
    package static var expiryMargin: Int { RedisStore.expiryMargin }
    /// A time as the store sends it to a script.
    package static func text(_ date: Date) -> String { RedisCodec.text(date) }
}
