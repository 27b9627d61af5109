public import Foundation
import CSmartAuthHTTP

extension HTTPServer {
    /// How an ``HTTPServer`` listens, how many threads it uses and what it accepts.
    ///
    /// Set what you need and leave the rest: every property has a safe default, and ``HTTPServer/start()``
    /// validates the whole value once, throwing ``HTTPServerError/Code/invalidConfiguration``.
    public struct Configuration: Sendable {
        /// The address to bind: an IPv4 or IPv6 literal (`"127.0.0.1"`, `"0.0.0.0"`, `"::1"`, `"::"`), not a
        /// host name. Default `"127.0.0.1"`. `"::"` also accepts IPv4 peers, reported as plain IPv4 text.
        public var host: String
        /// The TCP port, 0...65535; 0 picks a free port (read it from ``HTTPServer/port`` after starting).
        /// Default 8080.
        public var port: Int
        /// libmicrohttpd worker threads (`MHD_OPTION_THREAD_POOL_SIZE`), each with its own poll() loop. They
        /// parse, write, and run each handler up to its first suspension point. Default: the processors this
        /// process may run on (its CPU affinity mask, so `taskset` and cpusets are honoured).
        public var threadCount: Int
        /// The most simultaneous connections (`MHD_OPTION_CONNECTION_LIMIT`); further ones are closed on
        /// accept. Default 1024.
        public var maximumConnections: Int
        /// Seconds a connection may stay idle, and the time a client has to send a request
        /// (`MHD_OPTION_CONNECTION_TIMEOUT`, rounded up to whole seconds). Time spent in the handler does not
        /// count. Default 30.
        public var connectionTimeout: TimeInterval
        /// The most bytes of request line and header fields; larger requests are answered 431 (or with
        /// libmicrohttpd's own 4xx when its per-connection memory runs out first) and never reach the
        /// handler. Default 16 KiB.
        public var maximumHeaderBytes: Int
        /// The most body bytes; a larger declared `Content-Length` is answered 413 at once, without reading
        /// the body, and a chunked body that grows past it is discarded and answered 413. Default 1 MiB.
        public var maximumBodyBytes: Int
        /// A PEM certificate (chain) file; with ``tlsKeyPath`` it turns on HTTPS through libmicrohttpd's
        /// GnuTLS. Both or neither. Default `nil`.
        public var tlsCertificatePath: String?
        /// The PEM private key file for ``tlsCertificatePath``. Default `nil`.
        ///
        /// - Important: The key is read into memory at start, handed to libmicrohttpd and zeroed once the
        ///   server stops. Keep the file readable by the server's user only.
        public var tlsKeyPath: String?

        /// A configuration; see each property for its meaning and default.
        public init(
            host: String = "127.0.0.1",
            port: Int = 8080,
            threadCount: Int = HTTPServer.availableProcessorCount,
            maximumConnections: Int = 1024,
            connectionTimeout: TimeInterval = 30,
            maximumHeaderBytes: Int = 16 * 1024,
            maximumBodyBytes: Int = 1 << 20,
            tlsCertificatePath: String? = nil,
            tlsKeyPath: String? = nil
        ) {
            self.host = host
            self.port = port
            self.threadCount = threadCount
            self.maximumConnections = maximumConnections
            self.connectionTimeout = connectionTimeout
            self.maximumHeaderBytes = maximumHeaderBytes
            self.maximumBodyBytes = maximumBodyBytes
            self.tlsCertificatePath = tlsCertificatePath
            self.tlsKeyPath = tlsKeyPath
        }

        /// Throws the first out-of-range value.
        func validate() throws(HTTPServerError) {
            guard (0...65535).contains(port) else { throw .invalidConfiguration("port \(port) is not in 0...65535") }
            guard (1...1024).contains(threadCount) else {
                throw .invalidConfiguration("threadCount \(threadCount) is not in 1...1024")
            }
            guard (1...1_000_000).contains(maximumConnections) else {
                throw .invalidConfiguration("maximumConnections \(maximumConnections) is not in 1...1000000")
            }
            guard connectionTimeout.isFinite, connectionTimeout > 0, connectionTimeout <= 86_400 else {
                throw .invalidConfiguration("connectionTimeout must be more than 0 and at most 86400 seconds")
            }
            guard (1024...(1 << 20)).contains(maximumHeaderBytes) else {
                throw .invalidConfiguration("maximumHeaderBytes \(maximumHeaderBytes) is not in 1024...1048576")
            }
            guard (0...(1 << 30)).contains(maximumBodyBytes) else {
                throw .invalidConfiguration("maximumBodyBytes \(maximumBodyBytes) is not in 0...1073741824")
            }
            guard (tlsCertificatePath == nil) == (tlsKeyPath == nil) else {
                throw .tlsFailed("tlsCertificatePath and tlsKeyPath must be given together")
            }
        }

        /// libmicrohttpd's per-connection memory pool: the header bytes (kept in the read buffer), their
        /// parsed index, and room for the response head. Twice the header limit plus 8 KiB, at least MHD's
        /// default 32 KiB; the exact header limit is enforced separately (431).
        var connectionMemoryLimit: Int { max(32 * 1024, 2 * maximumHeaderBytes + 8 * 1024) }

        /// ``connectionTimeout`` in whole seconds, rounded up.
        var connectionTimeoutSeconds: UInt32 { UInt32(connectionTimeout.rounded(.up)) }
    }
}

extension HTTPServer {
    /// The processors this process may run on: the size of its CPU affinity mask (so `taskset`, cpusets and
    /// container CPU pinning are honoured), or the active processor count where the mask is unavailable.
    /// At least 1.
    public static var availableProcessorCount: Int {
        let count = Int(smartauth_mhd_available_processors())
        return count > 0 ? count : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
}
