import SmartAuthCore

/// The store's schema and its forward migrations.
///
/// The version lives in `PRAGMA user_version`, and `PRAGMA application_id` marks the file as SmartAuth's. Each
/// migration runs in its own `BEGIN IMMEDIATE` transaction, which also sets the version it brings the schema to,
/// so a process that dies halfway leaves the previous version intact, and two processes opening one file at once
/// do not both migrate it (the second sees the new version inside its transaction and skips the step). A file
/// whose version is newer than ``latestVersion`` was written by a newer SmartAuth and is refused.
///
/// Times are `REAL` seconds since 2001-01-01T00:00:00Z (Foundation's reference date): exactly what a `Date`
/// holds, so every `Date` reads back equal and SQL comparisons order times exactly as `Date` does. Rate-limit
/// states are `INTEGER` microseconds since 1970, as ``GCRA`` computes them.
enum Schema {
    /// `PRAGMA application_id` of a SmartAuth database: "SmAu" in ASCII.
    static let applicationID: Int64 = 0x536D_4175

    /// Migration `n` (1-based) brings the schema from version `n - 1` to `n`, and ends by setting
    /// `user_version` to `n`.
    static let migrations: [String] = [
        // 1: sessions, users, rate limits, failures, shared values.
        """
        CREATE TABLE sessions (
            id TEXT NOT NULL PRIMARY KEY,
            user_id TEXT NOT NULL,
            created_at REAL NOT NULL,
            last_seen_at REAL NOT NULL,
            idle_expires_at REAL NOT NULL,
            absolute_expires_at REAL NOT NULL,
            -- The session is live while now < expires_at.
            expires_at REAL NOT NULL GENERATED ALWAYS AS (min(idle_expires_at, absolute_expires_at)) VIRTUAL,
            -- The UInt64 generation's bit pattern.
            generation INTEGER NOT NULL,
            rotated_at REAL NOT NULL,
            ip_address TEXT,
            user_agent TEXT,
            device_name TEXT,
            -- JSON array of strings.
            roles TEXT NOT NULL,
            -- JSON object.
            claims TEXT NOT NULL,
            authentication_level INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        -- sessions(of:) in index order; revokeAll and updateRoles by user.
        CREATE INDEX sessions_by_user ON sessions (user_id, created_at DESC, id);
        -- purgeExpired and the automatic sweep.
        CREATE INDEX sessions_by_expiry ON sessions (expires_at);

        CREATE TABLE users (
            id TEXT NOT NULL PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            roles TEXT NOT NULL,
            disabled INTEGER NOT NULL,
            created_at REAL NOT NULL,
            credential_version INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;

        -- GCRA: the theoretical arrival time in microseconds since 1970; the row is dead from then on.
        CREATE TABLE rate_limits (
            key TEXT NOT NULL PRIMARY KEY,
            tat INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX rate_limits_by_expiry ON rate_limits (tat);

        CREATE TABLE failures (
            key TEXT NOT NULL PRIMARY KEY,
            count INTEGER NOT NULL,
            last_failure_at REAL NOT NULL,
            expires_at REAL NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX failures_by_expiry ON failures (expires_at);

        CREATE TABLE key_values (
            key TEXT NOT NULL PRIMARY KEY,
            value BLOB NOT NULL
        ) STRICT, WITHOUT ROWID;

        PRAGMA application_id = 1399669109;
        PRAGMA user_version = 1;
        """
    ]

    /// The schema version this code reads and writes.
    static var latestVersion: Int64 { Int64(migrations.count) }

    /// Brings the database on `connection` to ``latestVersion``.
    ///
    /// - Throws: `.corrupt` if the file belongs to another application or has a newer schema; what SQLite
    ///   reports otherwise.
    static func migrate(_ connection: SQLiteConnection) throws(SessionStoreError) {
        let version = try checkedVersion(connection)
        guard version < latestVersion else { return }
        for target in (version + 1)...latestVersion {
            try connection.transaction { () throws(SessionStoreError) in
                // Inside the write lock: another process may have migrated meanwhile.
                guard try checkedVersion(connection) < target else { return }
                try connection.executeScript(migrations[Int(target - 1)])
            }
        }
    }

    /// The schema version, after checking that the file is SmartAuth's (or empty) and not too new.
    private static func checkedVersion(_ connection: SQLiteConnection) throws(SessionStoreError) -> Int64 {
        let version = try connection.integer("PRAGMA user_version")
        let application = try connection.integer("PRAGMA application_id")
        if application != applicationID {
            let objects = try connection.integer("SELECT count(*) FROM sqlite_schema")
            guard application == 0, version == 0, objects == 0 else {
                throw SessionStoreError(
                    .corrupt, "the SQLite database at \(connection.path) is not a SmartAuth database")
            }
        }
        guard version <= latestVersion else {
            throw SessionStoreError(
                .corrupt,
                "the SQLite database at \(connection.path) has schema version \(version), newer than the "
                    + "\(latestVersion) this version of SmartAuth knows; upgrade SmartAuth to open it")
        }
        return version
    }
}
