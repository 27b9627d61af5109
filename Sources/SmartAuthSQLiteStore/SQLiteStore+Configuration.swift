public import Foundation
import SmartAuthCore

extension SQLiteStore {
    /// How a ``SQLiteStore`` uses its database.
    public struct Configuration: Sendable, Hashable {
        /// How long an operation waits for a lock that another connection (another process sharing the file)
        /// holds before it fails with ``SessionStoreError/Code/unavailable``, in seconds. Default 5.
        ///
        /// Within one store, writes queue on one connection and never wait on each other's locks.
        public var busyTimeout: TimeInterval
        /// How many connections serve reads next to the one writer connection. Default 2; 0 sends reads to the
        /// writer too. An in-memory database always uses the writer only.
        public var readerCount: Int
        /// When a commit counts as durable. Default ``Synchronous/full``.
        public var synchronous: Synchronous
        /// Whether writes also delete a few expired rows (sessions, rate-limit states, failure records), so the
        /// file stays bounded even if nothing calls ``SQLiteStore/purgeExpired(at:)``. Default `true`.
        public var automaticPurge: Bool

        /// A configuration; every parameter has the default documented on its property.
        public init(
            busyTimeout: TimeInterval = 5, readerCount: Int = 2, synchronous: Synchronous = .full,
            automaticPurge: Bool = true
        ) {
            self.busyTimeout = busyTimeout
            self.readerCount = readerCount
            self.synchronous = synchronous
            self.automaticPurge = automaticPurge
        }

        /// Checks the values once, when a store is opened.
        func validate() throws(SessionStoreError) {
            guard busyTimeout.isFinite, busyTimeout >= 0, busyTimeout <= 24 * 3600 else {
                throw SessionStoreError(.invalidArgument, "busyTimeout must be between 0 and 86400 seconds")
            }
            guard (0...64).contains(readerCount) else {
                throw SessionStoreError(.invalidArgument, "readerCount must be between 0 and 64")
            }
        }
    }

    /// When SQLite considers a commit durable (`PRAGMA synchronous`). An open set.
    public struct Synchronous: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable { case normal, full }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// Every commit is synced to disk before it returns: a revoked session stays revoked after a power loss.
        public static let full = Synchronous(.full)
        /// Commits survive a crash of the process but the last ones may be lost on a power loss or an operating
        /// system crash (WAL's `synchronous = NORMAL`). Faster; a lost revocation would bring a session back.
        public static let normal = Synchronous(.normal)

        public var description: String { kind.rawValue }

        /// The pragma that selects this mode (a fixed string per case, never built from input).
        var pragma: String {
            switch kind {
            case .normal: "PRAGMA synchronous = NORMAL"
            case .full: "PRAGMA synchronous = FULL"
            }
        }
    }
}
