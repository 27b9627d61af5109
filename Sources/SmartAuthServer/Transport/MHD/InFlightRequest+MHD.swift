import CSmartAuthHTTP
import SmartAuthHTTP
import Synchronization

/// libmicrohttpd's connection handle, carried to the handler's task so that it can resume the connection.
///
/// `@unchecked Sendable` because it wraps a C pointer. It is safe: the pointer is dereferenced only by
/// libmicrohttpd; we pass it (a) inside callbacks, on the connection's own worker thread, and (b) to
/// `MHD_resume_connection`, which libmicrohttpd allows from any thread, and only while the request's state
/// machine, under its lock, says the connection is suspended (so it cannot have been freed).
struct ConnectionHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// The per-request context behind libmicrohttpd's `*con_cls`.
///
/// Created in the URI callback (which sees the raw target) and passed to libmicrohttpd with
/// `Unmanaged.passRetained`; that retain is released in the request-completed callback, which libmicrohttpd
/// calls for every request the URI callback saw. The handler's task holds its own strong reference, so a
/// client that disconnects (or a daemon that stops) while the handler runs frees nothing the task still uses:
/// the task finds the state `.closed` and drops its response.
final class InFlightRequest: Sendable {
    let connection: ConnectionHandle
    /// The parsed target, or nil if it was malformed (answered 400 at the first access-handler call).
    let target: RequestTarget?
    /// Length of the raw target, counted against the header limit.
    let rawTargetLength: Int
    let machine = Mutex(RequestStateMachine())

    init(connection: OpaquePointer, rawTarget: UnsafeRawBufferPointer) {
        self.connection = ConnectionHandle(pointer: connection)
        self.target = RequestTarget(rawTarget)
        self.rawTargetLength = rawTarget.count
    }

    /// The handler finished: store the response. If the connection was suspended, resume it (its next
    /// access-handler call queues the response) and take it off the dispatcher's suspended list; if the
    /// handler finished on the worker thread, the access handler queues it itself. Resuming happens under the
    /// lock so that a concurrent ``abandon()`` (or the daemon stopping right after it) can never see a
    /// decided-but-not-yet-performed resume.
    func handlerFinished(_ response: HTTPResponse, dispatcher: RequestDispatcher) {
        machine.withLock { machine in
            if machine.handlerFinished(response) == .resume {
                dispatcher.unregisterSuspended(self)
                MHD_resume_connection(connection.pointer)
            }
        }
    }

    /// Shutdown stopped waiting: resume the connection if its handler still runs.
    func abandon() {
        machine.withLock { machine in
            if machine.abandon() == .resume { MHD_resume_connection(connection.pointer) }
        }
    }
}
