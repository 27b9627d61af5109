import SmartAuthHTTP
import Synchronization

/// What the libmicrohttpd callbacks share: the Swift handler, the limits, and the requests in flight.
///
/// One instance per started server. libmicrohttpd holds a retained reference to it as the callbacks' closure
/// from `MHD_start_daemon` until `MHD_stop_daemon` has returned. Everything here is either immutable or behind
/// a lock or an atomic, because the callbacks run on libmicrohttpd's worker threads and the handler's
/// completion on Swift's concurrency pool.
final class RequestDispatcher: Sendable {
    let handler: @Sendable (HTTPRequest) async -> HTTPResponse
    let maximumHeaderBytes: Int
    let maximumBodyBytes: Int
    /// Set when shutdown starts: from then on every response carries `Connection: close`, so keep-alive
    /// clients go away instead of sending more requests.
    let isDraining = Atomic<Bool>(false)
    /// Set when shutdown stops waiting for handlers: new complete requests get 503 rather than a suspension.
    let isAbandoning = Atomic<Bool>(false)
    /// Every request between its request line (URI callback) and libmicrohttpd's completion notice.
    private let live = Mutex<[ObjectIdentifier: InFlightRequest]>([:])

    init(handler: @escaping @Sendable (HTTPRequest) async -> HTTPResponse, maximumHeaderBytes: Int, maximumBodyBytes: Int) {
        self.handler = handler
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Requests begun and not yet completed (being received, handled, or answered).
    var liveRequestCount: Int { live.withLock { $0.count } }

    func register(_ context: InFlightRequest) {
        live.withLock { $0[ObjectIdentifier(context)] = context }
    }

    func unregister(_ context: InFlightRequest) {
        live.withLock { $0[ObjectIdentifier(context)] = nil }
    }

    /// Stops waiting for handlers: every suspended connection is resumed (to answer 503 and close), and no
    /// connection is suspended after this returns. Required before `MHD_stop_daemon`, which must not find a
    /// suspended connection.
    ///
    /// Why nothing slips through: `isAbandoning` is set first; a request that suspends does so under its own
    /// lock after reading the flag. Either it suspended before we take its lock here (we see `.handling` and
    /// resume it), or it takes its lock after we released it and then reads `true`. Requests registered after
    /// the snapshot took the `live` lock after us, so they read `true` too.
    func abandonHandlers() {
        isAbandoning.store(true, ordering: .sequentiallyConsistent)
        let contexts = live.withLock { Array($0.values) }
        for context in contexts { context.abandon() }
    }
}
