import SmartAuthCore

/// The store's schema, as numbered migrations applied in order, each in its own transaction and recorded in
/// `schema_migrations`.
///
/// Several processes may start at once against one database: each migration first takes a transaction-scoped
/// advisory lock (`pg_advisory_xact_lock`) derived from the schema's name, then checks whether its version is
/// recorded, so exactly one process applies it and the others find it done. A database whose schema is newer
/// than this library knows is refused with `.corrupt` rather than used.
///
/// Every connection's `search_path` is the store's schema (set in the connection's options), so the statements
/// below name tables without a schema and the prepared statements are constant text.
///
/// Dates are `float8` seconds since 2001-01-01T00:00:00Z, Foundation's reference date: that is exactly the
/// `Double` inside a `Date`, so dates round-trip bit for bit, and comparisons in SQL give the same answers as
/// comparisons of `Date`s. Rate-limit arrival times are integer microseconds since 1970, as ``GCRA`` computes.
enum Migrations {
    struct Migration {
        let version: Int
        let statements: [StaticString]
    }

    static let all: [Migration] = [
        Migration(
            version: 1,
            statements: [
                """
                CREATE TABLE sessions (
                    id text COLLATE "C" PRIMARY KEY,
                    user_id text COLLATE "C" NOT NULL,
                    created_at float8 NOT NULL,
                    last_seen_at float8 NOT NULL,
                    idle_expires_at float8 NOT NULL,
                    absolute_expires_at float8 NOT NULL,
                    expires_at float8 GENERATED ALWAYS AS (LEAST(idle_expires_at, absolute_expires_at)) STORED,
                    generation numeric(20, 0) NOT NULL
                        CHECK (generation >= 0 AND generation <= 18446744073709551615),
                    rotated_at float8 NOT NULL,
                    ip_address text,
                    user_agent text,
                    device_name text,
                    roles text NOT NULL,
                    claims text NOT NULL,
                    authentication_level bigint NOT NULL
                )
                """,
                // sessions(of:): the user's live sessions, newest first, ties by identifier in byte order.
                #"CREATE INDEX sessions_by_user ON sessions (user_id, created_at DESC, id COLLATE "C")"#,
                // purgeExpired(at:).
                "CREATE INDEX sessions_by_expiry ON sessions (expires_at)",
                """
                CREATE TABLE users (
                    id text COLLATE "C" PRIMARY KEY,
                    email text COLLATE "C" NOT NULL UNIQUE,
                    password_hash text NOT NULL,
                    roles text NOT NULL,
                    disabled boolean NOT NULL,
                    created_at float8 NOT NULL,
                    credential_version bigint NOT NULL
                )
                """,
                // GCRA: `tat` is the stored theoretical arrival time (µs since 1970) and also the key's expiry; `base`
                // and `allowed` record the last decision so that one INSERT … ON CONFLICT … RETURNING reports it.
                """
                CREATE TABLE rate_limits (
                    key text COLLATE "C" PRIMARY KEY,
                    tat bigint NOT NULL,
                    base bigint NOT NULL,
                    allowed boolean NOT NULL
                )
                """,
                "CREATE INDEX rate_limits_by_expiry ON rate_limits (tat)",
                """
                CREATE TABLE failures (
                    key text COLLATE "C" PRIMARY KEY,
                    count bigint NOT NULL,
                    last_failure_at float8 NOT NULL,
                    expires_at float8 NOT NULL
                )
                """,
                "CREATE INDEX failures_by_expiry ON failures (expires_at)",
                """
                CREATE TABLE shared_values (
                    key text COLLATE "C" PRIMARY KEY,
                    value bytea NOT NULL
                )
                """,
            ]
        )
    ]

    /// Applies the migrations that `connection`'s database lacks.
    /// - Throws: `.unavailable` if the database cannot be reached or the migration fails; `.corrupt` if the
    ///   schema is newer than this library.
    static func run(on connection: PostgresConnection, settings: ConnectionSettings) throws(SessionStoreError) {
        let lockKey = Parameter.text("smartauth.migrations.\(settings.schema.name)")
        for migration in all {
            let deadline = ContinuousClock.now.advanced(by: settings.statementTimeout + .seconds(30))
            try connection.transaction(deadline: deadline) { () throws(SessionStoreError) in
                _ = try connection.execute(
                    OneOffSQL("SELECT pg_advisory_xact_lock(hashtext($1::text))"), [lockKey], deadline: deadline)
                _ = try connection.execute(OneOffSQL("CREATE SCHEMA IF NOT EXISTS ", settings.schema), deadline: deadline)
                _ = try connection.execute(
                    OneOffSQL(
                        """
                        CREATE TABLE IF NOT EXISTS schema_migrations (
                            version integer PRIMARY KEY,
                            applied_at timestamptz NOT NULL DEFAULT now()
                        )
                        """), deadline: deadline)
                let latest = try connection.execute(
                    OneOffSQL("SELECT coalesce(max(version), 0) FROM schema_migrations"), deadline: deadline)
                let applied = try Row.int(latest.rows.first?.first ?? nil)
                guard applied <= Int64(all.count) else {
                    throw SessionStoreError(
                        .corrupt, "the database schema (version \(applied)) is newer than this library (\(all.count))")
                }
                guard applied < Int64(migration.version) else { return }
                for statement in migration.statements {
                    _ = try connection.execute(OneOffSQL(statement), deadline: deadline)
                }
                _ = try connection.execute(
                    OneOffSQL("INSERT INTO schema_migrations (version) VALUES ($1::integer)"),
                    [.int(Int64(migration.version))], deadline: deadline)
            }
        }
    }

    /// Drops the whole schema (tests use a fresh schema each and drop it afterwards).
    static func dropSchema(on connection: PostgresConnection, settings: ConnectionSettings) throws(SessionStoreError) {
        let deadline = ContinuousClock.now.advanced(by: settings.statementTimeout + .seconds(30))
        _ = try connection.execute(OneOffSQL("DROP SCHEMA IF EXISTS ", settings.schema, " CASCADE"), deadline: deadline)
    }
}

extension Array where Element == UInt8 {
    /// The bytes as UTF-8 text.
    var asText: String { String(decoding: self, as: UTF8.self) }
}
