public import Foundation
public import SmartAuthHTTP
import Synchronization

/// The standalone server's HTTP/1.1 transport, over libmicrohttpd.
///
/// libmicrohttpd's worker threads (``Configuration/threadCount``, each with its own poll() loop) accept
/// connections and parse requests. Every complete request starts `handler` in a task that runs on the worker
/// thread until the handler finishes or first awaits (`Task.immediate`): a handler that answers from memory
/// (a JWT checked without a store round trip) costs no thread hop at all. A handler that awaits (a store, a
/// password hash) leaves the worker thread at that point; its connection is suspended meanwhile, so a slow
/// handler never holds a worker thread, and resumed when the response is ready. Connections stay alive
/// between requests.
///
/// Before a handler sees a request the transport has already refused, with a closed connection:
/// ambiguous framing (two `Content-Length`s, `Content-Length` with `Transfer-Encoding`, a transfer coding
/// other than `chunked`) with 400 or 501, a malformed target with 400, a head over
/// ``Configuration/maximumHeaderBytes`` with 431, and a body over ``Configuration/maximumBodyBytes`` with 413.
///
/// ```swift
/// let server = HTTPServer(configuration: .init(port: 8080)) { request in
///     HTTPResponse(status: 200, body: Array("hello".utf8))
/// }
/// try server.start()
/// await HTTPServer.waitForTerminationSignal()
/// await server.shutdown(gracePeriod: 10)
/// ```
///
/// The transport never prints or logs; the application logs in its handler.
public final class HTTPServer: Sendable {
    private enum Lifecycle: Sendable {
        case idle
        case starting
        case running(Daemon)
        case stopping(waiters: [CheckedContinuation<Void, Never>])
        case stopped
    }

    private let configuration: Configuration
    private let dispatcher: RequestDispatcher
    private let lifecycle = Mutex(Lifecycle.idle)
    private let boundPort = Atomic<Int>(0)

    /// A server that will answer every request with `handler`; call ``start()`` to listen.
    ///
    /// - Parameters:
    ///   - configuration: Address, threads and limits.
    ///   - handler: Called once per request, concurrently. It starts on a libmicrohttpd worker thread and
    ///     continues on Swift's concurrency pool after its first suspension point, so its synchronous parts
    ///     must not block (do blocking I/O behind an `await`, as every SmartAuth store does). It must always
    ///     return a response: errors are the application's to map to a status. A status outside 200...599
    ///     is sent as 500.
    public convenience init(configuration: Configuration, handler: @escaping @Sendable (HTTPRequest) async -> HTTPResponse) {
        self.init(configuration: configuration, immediateHandler: nil, handler: handler)
    }

    /// What an immediate handler decided about a request.
    public enum Immediate: Sendable {
        /// The answer, given at once: no task is created.
        case respond(HTTPResponse)
        /// The rest of the work, which may wait; it runs instead of the server's handler, starting on the worker
        /// thread like any handler. Whatever the immediate handler already worked out travels in the closure.
        case continueWith(@Sendable () async -> HTTPResponse)
    }

    /// A server that first offers every request to `immediateHandler`, on the worker thread, and hands it to
    /// `handler` only when that returns nil.
    ///
    /// - Parameters:
    ///   - configuration: Address, threads and limits.
    ///   - immediateHandler: Answers what it can at once, hands back the rest of the work for what must wait,
    ///     and returns nil for requests it leaves to `handler`. It runs on a libmicrohttpd worker thread and
    ///     must never block or wait (no I/O, no locks held long).
    ///   - handler: As in ``init(configuration:handler:)``.
    public init(
        configuration: Configuration, immediateHandler: (@Sendable (HTTPRequest) -> Immediate?)?,
        handler: @escaping @Sendable (HTTPRequest) async -> HTTPResponse
    ) {
        self.configuration = configuration
        self.dispatcher = RequestDispatcher(
            immediateHandler: immediateHandler, handler: handler, maximumHeaderBytes: configuration.maximumHeaderBytes,
            maximumBodyBytes: configuration.maximumBodyBytes)
    }

    /// The bound TCP port: ``Configuration/port``, or the one the system picked for port 0. 0 before
    /// ``start()``; after ``shutdown(gracePeriod:)`` the port the server had.
    public var port: Int { boundPort.load(ordering: .acquiring) }

    /// Requests begun and not yet completed. For tests and metrics.
    var liveRequestCount: Int { dispatcher.liveRequestCount }

    /// Validates the configuration, binds the listening socket and starts libmicrohttpd's threads. Returns
    /// once the server accepts connections. A server starts at most once.
    ///
    /// - Throws: ``HTTPServerError`` with code `.invalidConfiguration` (a value out of range), `.bindFailed`
    ///   (address in use or not available, `host` not an address literal), `.tlsFailed` (TLS unsupported, PEM
    ///   file unreadable, certificate or key rejected, only one of the two paths set) or `.startFailed`
    ///   (libmicrohttpd failed to start, or the server was already started or shut down).
    public func start() throws(HTTPServerError) {
        try configuration.validate()
        try lifecycle.withLock { (state) throws(HTTPServerError) in
            guard case .idle = state else { throw .startFailed("the server was already started") }
            state = .starting
        }
        let daemon: Daemon
        do {
            daemon = try Daemon.start(configuration: configuration, dispatcher: dispatcher)
        } catch {
            lifecycle.withLock { state in
                if case .starting = state { state = .idle }
            }
            throw error
        }
        boundPort.store(daemon.port, ordering: .releasing)
        let keep = lifecycle.withLock { state in
            guard case .starting = state else { return false }
            state = .running(daemon)
            return true
        }
        guard keep else {
            // shutdown() ran while we were starting.
            daemon.stop()
            throw .startFailed("the server was shut down while starting")
        }
    }

    /// Stops the server gracefully and returns once it has stopped.
    ///
    /// 1. Stops accepting connections (`MHD_quiesce_daemon`); from now on every response carries
    ///    `Connection: close`.
    /// 2. Waits until every request in flight (being received, handled or answered) has completed, for at
    ///    most `gracePeriod` seconds.
    /// 3. Answers requests whose handler is still running with 503, closes every connection and stops
    ///    libmicrohttpd's threads (`MHD_stop_daemon`). Handlers still running finish in the background and
    ///    their responses are dropped.
    ///
    /// Calling it again, or concurrently, waits for the same stop. Cancelling the calling task ends the
    /// grace period at once. A server that never started just becomes stopped.
    ///
    /// - Parameter gracePeriod: Seconds to wait for requests in flight; 0 stops at once. Default 10.
    public func shutdown(gracePeriod: TimeInterval = 10) async {
        enum Step {
            case stop(Daemon)
            case wait
            case done
        }
        let step: Step = lifecycle.withLock { state in
            switch state {
            case .idle, .starting, .stopped:
                state = .stopped
                return .done
            case .running(let daemon):
                state = .stopping(waiters: [])
                return .stop(daemon)
            case .stopping:
                return .wait
            }
        }
        switch step {
        case .done:
            return
        case .wait:
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let stillStopping = lifecycle.withLock { state in
                    guard case .stopping(var waiters) = state else { return false }
                    waiters.append(continuation)
                    state = .stopping(waiters: waiters)
                    return true
                }
                if !stillStopping { continuation.resume() }
            }
        case .stop(let daemon):
            dispatcher.isDraining.store(true, ordering: .sequentiallyConsistent)
            daemon.quiesce()
            await waitForLiveRequests(upTo: gracePeriod)
            daemon.stop()
            let waiters = lifecycle.withLock { state in
                guard case .stopping(let waiters) = state else { return [CheckedContinuation<Void, Never>]() }
                state = .stopped
                return waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    private func waitForLiveRequests(upTo gracePeriod: TimeInterval) async {
        let seconds = gracePeriod.isFinite ? min(max(gracePeriod, 0), 86_400) : (gracePeriod > 0 ? 86_400 : 0)
        let deadline = ContinuousClock.now.advanced(by: .seconds(seconds))
        // Polling is simpler than a completion signal and costs nothing measurable during a shutdown.
        while dispatcher.liveRequestCount > 0, ContinuousClock.now < deadline {
            do {
                try await Task.sleep(for: .milliseconds(5))
            } catch {
                return
            }
        }
    }
}
