/// Every prepared statement of the store. Each is constant text with bound parameters; casts on the parameters
/// fix their types. Sessions are "live" at `$now` when `expires_at > $now`, where `expires_at` is the generated
/// column `LEAST(idle_expires_at, absolute_expires_at)`: exactly `!Session.isExpired(at:)`.
///
/// Session rows are read in one column order everywhere (see `SessionRow.swift`).
enum Statements {
    // MARK: - Sessions

    static let insertSession = Statement(
        name: "sa_insert_session",
        sql: """
            INSERT INTO sessions (id, user_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at,
                generation, rotated_at, ip_address, user_agent, device_name, roles, claims, authentication_level)
            VALUES ($1::text, $2::text, $3::float8, $4::float8, $5::float8, $6::float8, $7::numeric, $8::float8,
                $9::text, $10::text, $11::text, $12::text, $13::text, $14::bigint)
            """,
        parameterCount: 14)

    static let selectSession = Statement(
        name: "sa_select_session",
        sql: """
            SELECT id, user_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at, generation, rotated_at,
                ip_address, user_agent, device_name, roles, claims, authentication_level
            FROM sessions WHERE id = $1::text AND expires_at > $2::float8
            """,
        parameterCount: 2)

    /// The common case of `rotate` in one statement: the presented generation is the live session's current one.
    /// Returns the rotated row (columns as ``lockSession``) followed by the client it had before, or no row, in
    /// which case `rotate` falls back to the locking transaction to tell grace, replay and invalid apart.
    ///
    /// Under concurrency the `generation = $2` condition is re-checked on the latest row version (READ
    /// COMMITTED), so exactly one of several racing callers rotates. The client read by the `old` subquery
    /// belongs to the snapshot the statement started with; if a rotation committed after that snapshot, the
    /// re-check fails and nothing is updated.
    static let rotateCurrentSession = Statement(
        name: "sa_rotate_current_session",
        sql: """
            WITH old AS (SELECT ip_address, user_agent, device_name FROM sessions WHERE id = $1::text)
            UPDATE sessions s SET generation = s.generation + 1, rotated_at = $3::float8, last_seen_at = $3::float8,
                idle_expires_at = LEAST($3::float8 + $4::float8, s.absolute_expires_at),
                ip_address = $5::text, user_agent = $6::text, device_name = $7::text
            FROM old
            WHERE s.id = $1::text AND s.generation = $2::numeric AND s.expires_at > $3::float8
                AND s.generation < 18446744073709551615::numeric
            RETURNING s.id, s.user_id, s.created_at, s.last_seen_at, s.idle_expires_at, s.absolute_expires_at,
                s.generation, s.rotated_at, s.ip_address, s.user_agent, s.device_name, s.roles, s.claims,
                s.authentication_level, old.ip_address, old.user_agent, old.device_name
            """,
        parameterCount: 7)

    /// The first step of `rotate`: the live session, locked until the transaction ends.
    static let lockSession = Statement(
        name: "sa_lock_session",
        sql: """
            SELECT id, user_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at, generation, rotated_at,
                ip_address, user_agent, device_name, roles, claims, authentication_level
            FROM sessions WHERE id = $1::text AND expires_at > $2::float8
            FOR UPDATE
            """,
        parameterCount: 2)

    /// A successful rotation of the locked row.
    static let rotateSession = Statement(
        name: "sa_rotate_session",
        sql: """
            UPDATE sessions SET generation = $2::numeric, rotated_at = $3::float8, last_seen_at = $3::float8,
                idle_expires_at = $4::float8, ip_address = $5::text, user_agent = $6::text, device_name = $7::text
            WHERE id = $1::text
            """,
        parameterCount: 7)

    /// A replay: deletes the locked row and announces it.
    static let deleteReplayedSession = Statement(
        name: "sa_delete_replayed_session",
        sql: """
            WITH deleted AS (DELETE FROM sessions WHERE id = $1::text RETURNING id)
            SELECT pg_notify($2::text, $3::text) FROM deleted
            """,
        parameterCount: 3)

    /// `$4` says whether to set the client from `$5`…`$7`.
    static let touchSession = Statement(
        name: "sa_touch_session",
        sql: """
            UPDATE sessions SET last_seen_at = $3::float8,
                ip_address = CASE WHEN $4::boolean THEN $5::text ELSE ip_address END,
                user_agent = CASE WHEN $4::boolean THEN $6::text ELSE user_agent END,
                device_name = CASE WHEN $4::boolean THEN $7::text ELSE device_name END
            WHERE id = $1::text AND expires_at > $2::float8
            RETURNING id, user_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at, generation,
                rotated_at, ip_address, user_agent, device_name, roles, claims, authentication_level
            """,
        parameterCount: 7)

    /// Deletes one session (live or expired) and announces it, in one statement.
    static let revokeSession = Statement(
        name: "sa_revoke_session",
        sql: """
            WITH deleted AS (
                DELETE FROM sessions WHERE id = $1::text
                RETURNING id, user_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at, generation,
                    rotated_at, ip_address, user_agent, device_name, roles, claims, authentication_level
            )
            SELECT id, user_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at, generation, rotated_at,
                ip_address, user_agent, device_name, roles, claims, authentication_level, pg_notify($2::text, $3::text)
            FROM deleted
            """,
        parameterCount: 3)

    /// Deletes every session of user `$1` except `$2` (if not null). The rows are locked in identifier order first,
    /// so concurrent `revokeAll`s and `updateRoles` of one user cannot deadlock.
    static let revokeAllSessions = Statement(
        name: "sa_revoke_all_sessions",
        sql: """
            DELETE FROM sessions WHERE id IN (
                SELECT id FROM sessions WHERE user_id = $1::text AND ($2::text IS NULL OR id <> $2::text)
                ORDER BY id FOR UPDATE
            )
            RETURNING id, user_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at, generation,
                rotated_at, ip_address, user_agent, device_name, roles, claims, authentication_level
            """,
        parameterCount: 2)

    static let notify = Statement(
        name: "sa_notify", sql: "SELECT pg_notify($1::text, $2::text)", parameterCount: 2)

    static let sessionsOfUser = Statement(
        name: "sa_sessions_of_user",
        sql: """
            SELECT id, user_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at, generation, rotated_at,
                ip_address, user_agent, device_name, roles, claims, authentication_level
            FROM sessions WHERE user_id = $1::text AND expires_at > $2::float8
            ORDER BY created_at DESC, id
            """,
        parameterCount: 2)

    static let updateRoles = Statement(
        name: "sa_update_roles",
        sql: """
            UPDATE sessions SET roles = $3::text WHERE id IN (
                SELECT id FROM sessions WHERE user_id = $1::text AND expires_at > $2::float8 ORDER BY id FOR UPDATE
            )
            """,
        parameterCount: 3)

    static let purgeSessions = Statement(
        name: "sa_purge_sessions", sql: "DELETE FROM sessions WHERE expires_at <= $1::float8", parameterCount: 1)
    static let purgeRateLimits = Statement(
        name: "sa_purge_rate_limits", sql: "DELETE FROM rate_limits WHERE tat <= $1::bigint", parameterCount: 1)
    static let purgeFailures = Statement(
        name: "sa_purge_failures", sql: "DELETE FROM failures WHERE expires_at <= $1::float8", parameterCount: 1)

    // MARK: - Users

    static let insertUser = Statement(
        name: "sa_insert_user",
        sql: """
            INSERT INTO users (id, email, password_hash, roles, disabled, created_at, credential_version)
            VALUES ($1::text, $2::text, $3::text, $4::text, $5::boolean, $6::float8, $7::bigint)
            """,
        parameterCount: 7)

    static let userByID = Statement(
        name: "sa_user_by_id",
        sql: """
            SELECT id, email, password_hash, roles, disabled, created_at, credential_version
            FROM users WHERE id = $1::text
            """,
        parameterCount: 1)

    static let userByEmail = Statement(
        name: "sa_user_by_email",
        sql: """
            SELECT id, email, password_hash, roles, disabled, created_at, credential_version
            FROM users WHERE email = $1::text
            """,
        parameterCount: 1)

    static let updateUser = Statement(
        name: "sa_update_user",
        sql: """
            UPDATE users SET email = $2::text, password_hash = $3::text, roles = $4::text, disabled = $5::boolean,
                created_at = $6::float8, credential_version = $7::bigint
            WHERE id = $1::text
            """,
        parameterCount: 7)

    // MARK: - Rate limits and failures

    /// GCRA in one statement. `$1` key, `$2` now, `$3` period, `$4` increment (= emission × cost), all in µs.
    /// `base` = max(stored tat, now); allowed when now ≥ base + increment − period, and then tat = base +
    /// increment; otherwise the stored tat stays. A key that does not exist (or whose tat has passed, which GCRA
    /// treats alike) starts from `base = now`. Returns the stored tat, the base and the decision.
    static let acquire = Statement(
        name: "sa_acquire",
        sql: """
            INSERT INTO rate_limits AS r (key, tat, base, allowed)
            VALUES ($1::text,
                CASE WHEN $4::bigint <= $3::bigint THEN $2::bigint + $4::bigint ELSE $2::bigint END,
                $2::bigint,
                $4::bigint <= $3::bigint)
            ON CONFLICT (key) DO UPDATE SET
                base = GREATEST(r.tat, EXCLUDED.base),
                allowed = EXCLUDED.base >= GREATEST(r.tat, EXCLUDED.base) + $4::bigint - $3::bigint,
                tat = CASE WHEN EXCLUDED.base >= GREATEST(r.tat, EXCLUDED.base) + $4::bigint - $3::bigint
                    THEN GREATEST(r.tat, EXCLUDED.base) + $4::bigint ELSE r.tat END
            RETURNING tat, base, allowed
            """,
        parameterCount: 4)

    static let resetRateLimit = Statement(
        name: "sa_reset_rate_limit", sql: "DELETE FROM rate_limits WHERE key = $1::text", parameterCount: 1)

    /// `$1` key, `$2` now, `$3` window (seconds). The count restarts at 1 unless the last failure is less than the
    /// window before now.
    static let recordFailure = Statement(
        name: "sa_record_failure",
        sql: """
            INSERT INTO failures AS f (key, count, last_failure_at, expires_at)
            VALUES ($1::text, 1, $2::float8, $2::float8 + $3::float8)
            ON CONFLICT (key) DO UPDATE SET
                count = CASE WHEN EXCLUDED.last_failure_at - f.last_failure_at < $3::float8 THEN f.count + 1 ELSE 1 END,
                last_failure_at = EXCLUDED.last_failure_at,
                expires_at = EXCLUDED.expires_at
            RETURNING count, last_failure_at
            """,
        parameterCount: 3)

    static let failures = Statement(
        name: "sa_failures",
        sql: """
            SELECT count, last_failure_at FROM failures
            WHERE key = $1::text AND $2::float8 - last_failure_at < $3::float8
            """,
        parameterCount: 3)

    static let clearFailures = Statement(
        name: "sa_clear_failures", sql: "DELETE FROM failures WHERE key = $1::text", parameterCount: 1)

    // MARK: - Shared values

    static let sharedValue = Statement(
        name: "sa_shared_value", sql: "SELECT value FROM shared_values WHERE key = $1::text", parameterCount: 1)

    static let insertSharedValue = Statement(
        name: "sa_insert_shared_value",
        sql: """
            INSERT INTO shared_values (key, value) VALUES ($1::text, $2::bytea)
            ON CONFLICT (key) DO NOTHING RETURNING 1
            """,
        parameterCount: 2)

    static let replaceSharedValue = Statement(
        name: "sa_replace_shared_value",
        sql: "UPDATE shared_values SET value = $2::bytea WHERE key = $1::text AND value = $3::bytea RETURNING 1",
        parameterCount: 3)
}

/// The exact text of the statements `smart-auth bench store` runs with pgbench as its same-shape reference.
package enum StatementText {
    /// `sa_select_session` (`$1` id, `$2` now): the whole of `session(_:at:)`.
    package static var selectSession: String { Statements.selectSession.sql.description }
    /// `sa_lock_session` (`$1` id, `$2` now): the first step of `rotate`.
    package static var lockSession: String { Statements.lockSession.sql.description }
    /// `sa_rotate_session` (`$1` id, `$2` generation, `$3` now, `$4` idle expiry, `$5`…`$7` client).
    package static var rotateSession: String { Statements.rotateSession.sql.description }
    /// `sa_rotate_current_session` (`$1` id, `$2` presented generation, `$3` now, `$4` idle timeout, `$5`…`$7`
    /// client): the one statement `rotate` runs for the current token.
    package static var rotateCurrentSession: String { Statements.rotateCurrentSession.sql.description }
}
