import CSmartAuthHTTP
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Owns one running libmicrohttpd daemon: starts it, quiesces it, stops it (at the latest in `deinit`).
///
/// `@unchecked Sendable` because it stores C pointers (the daemon, via `OpaquePointer`; the PEM copies) and
/// the `Unmanaged` retain handed to libmicrohttpd. It is safe: the daemon pointer is only passed to
/// libmicrohttpd functions documented as callable from any thread (`MHD_quiesce_daemon`, `MHD_stop_daemon`),
/// and all mutable state is behind `state`, whose `stopped` flag makes stopping happen exactly once.
final class Daemon: @unchecked Sendable {
    private let daemon: OpaquePointer
    private let dispatcher: Unmanaged<RequestDispatcher>
    /// The bound port.
    let port: Int
    /// The PEM copies handed to libmicrohttpd; zeroed and freed with this object, after the daemon stopped.
    private let tlsMaterial: [PEMBuffer]

    private struct State {
        /// The listening socket `MHD_quiesce_daemon` handed back; ours to close after `MHD_stop_daemon`.
        var quiescedSocket: Int32 = -1
        var stopped = false
    }
    private let state: Mutex<State>

    private init(daemon: OpaquePointer, dispatcher: Unmanaged<RequestDispatcher>, tlsMaterial: [PEMBuffer]) {
        self.daemon = daemon
        self.dispatcher = dispatcher
        self.port = Int(smartauth_mhd_bound_port(daemon))
        self.tlsMaterial = tlsMaterial
        self.state = Mutex(State())
    }

    deinit { stop() }

    /// Binds, listens and starts libmicrohttpd's threads.
    ///
    /// - Throws: ``HTTPServerError`` `.tlsFailed`, `.bindFailed` or `.startFailed`.
    static func start(
        configuration: HTTPServer.Configuration, dispatcher: RequestDispatcher
    ) throws(HTTPServerError) -> Daemon {
        var tlsMaterial: [PEMBuffer] = []
        if let certificatePath = configuration.tlsCertificatePath, let keyPath = configuration.tlsKeyPath {
            guard MHD_is_feature_supported(.FEATURE_TLS) == .YES else {
                throw .tlsFailed("this libmicrohttpd was built without TLS support")
            }
            tlsMaterial = [
                try PEMBuffer(contentsOf: certificatePath, describedAs: "TLS certificate"),
                try PEMBuffer(contentsOf: keyPath, describedAs: "TLS private key"),
            ]
        }

        var isIPv6: Int32 = 0
        var errorNumber: Int32 = 0
        let socket = smartauth_mhd_listen(
            configuration.host, UInt16(configuration.port), SOMAXCONN, &isIPv6, &errorNumber)
        guard socket >= 0 else {
            let hint = errorNumber == EINVAL ? " (host must be an IPv4 or IPv6 address literal)" : ""
            throw .bindFailed(
                "cannot listen on \(configuration.host) port \(configuration.port): "
                    + "\(String(cString: strerror(errorNumber)))\(hint)")
        }

        // poll(), not epoll: in libmicrohttpd 0.9.75, MHD_quiesce_daemon with an epoll thread pool races the
        // workers (it marks them quiesced, a woken worker removes the listen socket from its epoll set, and the
        // quiesce's own EPOLL_CTL_DEL then fails with ENOENT, which it turns into MHD_PANIC: the process aborts
        // during a graceful shutdown; seen in this project's CI). With poll() the quiesce only signals each
        // worker through its inter-thread channel.
        var flags =
            MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_POLL.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
        if !tlsMaterial.isEmpty { flags |= MHD_USE_TLS.rawValue }
        if isIPv6 != 0 { flags |= MHD_USE_IPv6.rawValue }

        let retained = Unmanaged.passRetained(dispatcher)
        var options = smartauth_mhd_options(
            flags: flags,
            listen_fd: socket,
            thread_pool_size: UInt32(configuration.threadCount),
            connection_limit: UInt32(configuration.maximumConnections),
            connection_timeout: configuration.connectionTimeoutSeconds,
            memory_limit: configuration.connectionMemoryLimit,
            // Reject HTTP/1.1 without Host and spaces inside the target or header names.
            strict_for_client: 1,
            tls_certificate_pem: tlsMaterial.first?.pointer,
            tls_key_pem: tlsMaterial.last?.pointer,
            access_handler: RequestDispatcher.accessCallback,
            access_handler_cls: retained.toOpaque(),
            completed_handler: RequestDispatcher.completedCallback,
            uri_handler: RequestDispatcher.uriCallback,
            callbacks_cls: retained.toOpaque())
        let (started, message) = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { buffer in
            let daemon = smartauth_mhd_start(&options, buffer.baseAddress!, buffer.count)
            return (daemon, String(cString: buffer.baseAddress!))
        }
        guard let started else {
            retained.release()
            let reason = message.isEmpty ? "libmicrohttpd did not start" : "libmicrohttpd: \(message)"
            let lowercased = message.lowercased()
            if !tlsMaterial.isEmpty,
                ["tls", "x509", "certificate", "key", "pem"].contains(where: { lowercased.contains($0) })
            {
                throw .tlsFailed(reason)
            }
            throw .startFailed(reason)
        }
        return Daemon(daemon: started, dispatcher: retained, tlsMaterial: tlsMaterial)
    }

    /// Stops accepting connections (`MHD_quiesce_daemon`). Connections already accepted go on.
    func quiesce() {
        state.withLock { state in
            guard !state.stopped, state.quiescedSocket < 0 else { return }
            state.quiescedSocket = MHD_quiesce_daemon(daemon)
        }
    }

    /// Resumes every suspended connection (their handlers are abandoned: 503), stops libmicrohttpd (closing
    /// every connection and joining its threads), closes the quiesced socket, and releases the dispatcher.
    /// Idempotent. Blocks until libmicrohttpd's threads have exited, which takes milliseconds.
    func stop() {
        let quiescedSocket: Int32? = state.withLock { state in
            if state.stopped { return nil }
            state.stopped = true
            return state.quiescedSocket
        }
        guard let quiescedSocket else { return }
        dispatcher.takeUnretainedValue().abandonHandlers()
        MHD_stop_daemon(daemon)
        if quiescedSocket >= 0 { close(quiescedSocket) }
        dispatcher.release()
    }
}

/// A NUL-terminated copy of a PEM file for libmicrohttpd, zeroed when freed (it may hold a private key).
final class PEMBuffer {
    private let buffer: UnsafeMutableBufferPointer<CChar>
    var pointer: UnsafePointer<CChar> { UnsafePointer(buffer.baseAddress!) }

    /// Reads `path` (at most 1 MiB).
    ///
    /// - Throws: ``HTTPServerError`` `.tlsFailed` if the file cannot be read or is empty or too large.
    init(contentsOf path: String, describedAs description: String) throws(HTTPServerError) {
        let file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else {
            throw .tlsFailed("cannot open the \(description) \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(file) }
        let capacity = 1 << 20
        let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: capacity + 1)
        var length = 0
        while length < capacity {
            let count = read(file, buffer.baseAddress! + length, capacity - length)
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else {
                let reason = String(cString: strerror(errno))
                smartauth_mhd_zeroize(buffer.baseAddress!, length)
                buffer.deallocate()
                throw .tlsFailed("cannot read the \(description) \(path): \(reason)")
            }
            if count == 0 { break }
            length += count
        }
        // One more read tells "exactly 1 MiB" from "more than 1 MiB".
        var probe: CChar = 0
        guard length > 0, length < capacity || read(file, &probe, 1) == 0 else {
            smartauth_mhd_zeroize(buffer.baseAddress!, length)
            buffer.deallocate()
            throw .tlsFailed("the \(description) \(path) is empty or larger than 1 MiB")
        }
        buffer[length] = 0
        self.buffer = buffer
    }

    deinit {
        smartauth_mhd_zeroize(buffer.baseAddress!, buffer.count)
        buffer.deallocate()
    }
}
