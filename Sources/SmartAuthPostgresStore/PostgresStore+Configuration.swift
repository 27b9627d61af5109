public import Foundation
import SmartAuthCore

extension PostgresStore {
    /// How a ``PostgresStore`` connects and how long it waits. Validated by ``PostgresStore/init(url:configuration:)``.
    public struct Configuration: Sendable, Hashable {
        /// The schema that holds the store's tables, created on first use: 1–50 characters of lower-case ASCII
        /// letters, digits and underscores, starting with a letter or an underscore. Default `smartauth`.
        ///
        /// Revocations are announced on the channel `<schema>_revocations`, so stores in different schemas of one
        /// database do not hear each other.
        public var schema: String
        /// How many connections (each with its own thread) the store opens at most. 1–64; default 4. Connections
        /// open on demand, so a lightly used store holds one.
        public var poolSize: Int
        /// Seconds to wait for a connection to open (TCP, TLS if configured, authentication). Default 3.
        public var connectTimeout: TimeInterval
        /// Seconds an operation may take once it has a connection, all its round trips together; the server
        /// also cancels any statement that runs longer (`statement_timeout`). Default 5.
        public var statementTimeout: TimeInterval
        /// Seconds an operation may wait for a free connection before failing with
        /// ``SessionStoreError/Code/unavailable``. Default 5.
        public var poolTimeout: TimeInterval
        /// After a failed connection attempt, for this many seconds operations that would need a new connection
        /// fail at once with ``SessionStoreError/Code/unavailable`` instead of each waiting for a timeout; then
        /// the next operation tries again. Default 0.5.
        public var reconnectInterval: TimeInterval
        /// Tests only: drop the schema when the store is deinitialised.
        package var dropsSchemaOnDeinit = false

        /// A configuration; every parameter has the default documented on its property.
        public init(
            schema: String = "smartauth", poolSize: Int = 4, connectTimeout: TimeInterval = 3,
            statementTimeout: TimeInterval = 5, poolTimeout: TimeInterval = 5, reconnectInterval: TimeInterval = 0.5
        ) {
            self.schema = schema
            self.poolSize = poolSize
            self.connectTimeout = connectTimeout
            self.statementTimeout = statementTimeout
            self.poolTimeout = poolTimeout
            self.reconnectInterval = reconnectInterval
        }
    }
}

extension ConnectionSettings {
    /// The settings for `url` and `configuration`.
    /// - Throws: `.invalidArgument` naming the setting that is out of range, or the URL that libpq cannot parse.
    init(url: String, configuration: PostgresStore.Configuration) throws(SessionStoreError) {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw SessionStoreError(.invalidArgument, "the URL must start with postgres:// or postgresql://")
        }
        if let problem = PostgresConnection.parseError(url: url) {
            throw SessionStoreError(.invalidArgument, "the PostgreSQL URL cannot be parsed", underlying: problem)
        }
        guard let schema = Identifier.validate(configuration.schema, maximumLength: 50),
            let channel = Identifier.validate(configuration.schema + "_revocations")
        else {
            throw SessionStoreError(
                .invalidArgument, "the schema must be 1-50 characters of a-z, 0-9 and _, not starting with a digit")
        }
        guard (1...64).contains(configuration.poolSize) else {
            throw SessionStoreError(.invalidArgument, "the pool size must be between 1 and 64")
        }
        func duration(_ seconds: TimeInterval, _ name: String) throws(SessionStoreError) -> Duration {
            guard seconds.isFinite, seconds > 0, seconds <= 3600 else {
                throw SessionStoreError(.invalidArgument, "\(name) must be more than 0 and at most 3600 seconds")
            }
            return .milliseconds(Int64((seconds * 1000).rounded(.up)))
        }
        connectTimeout = try duration(configuration.connectTimeout, "the connect timeout")
        statementTimeout = try duration(configuration.statementTimeout, "the statement timeout")
        poolTimeout = try duration(configuration.poolTimeout, "the pool timeout")
        reconnectInterval = try duration(configuration.reconnectInterval, "the reconnect interval")
        self.schema = schema
        self.channel = channel
        poolSize = configuration.poolSize
        dropsSchemaOnDeinit = configuration.dropsSchemaOnDeinit

        let statementMilliseconds = Int64((configuration.statementTimeout * 1000).rounded(.up))
        // libpq reads later keywords over earlier ones, so these override the same settings in the URL.
        connectionParameters = [
            ("dbname", url),
            // Whole seconds, at least 2 (libpq's minimum); the store's own deadline is the exact one.
            ("connect_timeout", String(max(2, Int(configuration.connectTimeout.rounded(.up))))),
            (
                "options",
                // search_path: the store's statements name tables without a schema. extra_float_digits=1: float8
                // values are sent as the shortest text that reads back exactly, whatever the server's default.
                "-c search_path=\(schema.name) -c statement_timeout=\(statementMilliseconds)"
                    + " -c idle_in_transaction_session_timeout=\(statementMilliseconds * 2 + 1000)"
                    + " -c extra_float_digits=1"
            ),
            ("application_name", "smartauth"),
            ("client_encoding", "UTF8"),
            // Notice a peer that vanished without closing the connection (the LISTEN connection idles).
            ("keepalives", "1"),
            ("keepalives_idle", "10"),
            ("keepalives_interval", "5"),
            ("keepalives_count", "3"),
        ]
    }
}
