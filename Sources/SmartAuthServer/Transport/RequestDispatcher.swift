import SmartAuthHTTP
import Synchronization

/// What the libmicrohttpd callbacks share: the Swift handler, the limits, and the requests in flight.
///
/// One instance per started server. libmicrohttpd holds a retained reference to it as the callbacks' closure
/// from `MHD_start_daemon` until `MHD_stop_daemon` has returned. Everything here is either immutable or behind
/// a lock or an atomic, because the callbacks run on libmicrohttpd's worker threads and the handler's
/// completion on Swift's concurrency pool.
final class RequestDispatcher: Sendable {
    let immediateHandler: (@Sendable (HTTPRequest) -> HTTPServer.Immediate?)?
    let handler: @Sendable (HTTPRequest) async -> HTTPResponse
    let maximumHeaderBytes: Int
    let maximumBodyBytes: Int
    /// Set when shutdown starts: from then on every response carries `Connection: close`, so keep-alive
    /// clients go away instead of sending more requests.
    let isDraining = Atomic<Bool>(false)
    /// Set when shutdown stops waiting for handlers: new complete requests get 503 rather than a suspension.
    let isAbandoning = Atomic<Bool>(false)
    /// Requests between their request line (URI callback) and libmicrohttpd's completion notice.
    private let liveCount = Atomic<Int>(0)
    /// The requests whose connection is suspended while their handler runs on Swift's pool: the ones
    /// ``abandonHandlers()`` must resume before libmicrohttpd stops.
    private let suspended = Mutex<[ObjectIdentifier: InFlightRequest]>([:])

    init(
        immediateHandler: (@Sendable (HTTPRequest) -> HTTPServer.Immediate?)? = nil,
        handler: @escaping @Sendable (HTTPRequest) async -> HTTPResponse, maximumHeaderBytes: Int, maximumBodyBytes: Int
    ) {
        self.immediateHandler = immediateHandler
        self.handler = handler
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Requests begun and not yet completed (being received, handled, or answered).
    var liveRequestCount: Int { liveCount.load(ordering: .relaxed) }

    func requestBegan() { liveCount.add(1, ordering: .relaxed) }

    func requestCompleted() { liveCount.subtract(1, ordering: .relaxed) }

    /// Records a request whose connection is about to be suspended. Call it before reading ``isAbandoning``.
    func registerSuspended(_ context: InFlightRequest) {
        suspended.withLock { $0[ObjectIdentifier(context)] = context }
    }

    func unregisterSuspended(_ context: InFlightRequest) {
        suspended.withLock { $0[ObjectIdentifier(context)] = nil }
    }

    /// Stops waiting for handlers: every suspended connection is resumed (to answer 503 and close), and no
    /// connection is suspended after this returns. Required before `MHD_stop_daemon`, which must not find a
    /// suspended connection.
    ///
    /// Why nothing slips through: `isAbandoning` is set first; a request that suspends does so under its own
    /// lock, after registering itself and then reading the flag. If it read `false`, its registration came
    /// before our store of `true`, so before our snapshot: we find it, take its lock once it has suspended,
    /// see `.handling` and resume it. If it read `true`, it answers 503 instead of suspending.
    func abandonHandlers() {
        isAbandoning.store(true, ordering: .sequentiallyConsistent)
        let contexts = suspended.withLock { Array($0.values) }
        for context in contexts { context.abandon() }
    }
}
