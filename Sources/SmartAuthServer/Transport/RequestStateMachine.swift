import SmartAuthHTTP

/// The life of one HTTP request inside the libmicrohttpd transport, as a value with no I/O.
///
/// libmicrohttpd calls the access handler several times per request, on the connection's worker thread; the
/// Swift handler finishes on another thread; and the request-completed callback may come at any point (client
/// gone, timeout, daemon stopping). Each event is a `mutating` method returning what the caller must do.
///
/// ```
///   .head ──head accepted──▶ .body ──full request──▶ .running ──handler done──────────────────▶ .responded ─┐
///     │                        │                      └─first await──▶ .handling ──handler done──▶ .responded ─┤
///     │                        └─over limit─▶ .discarding ──full request (413)──────────────────────────────────┤
///     └──head rejected (4xx)────────────────────────────────────────────────────────────────────────────────────┴▶ .queued
///   .running or .handling ──forced stop──▶ .abandoned ──(503)──▶ .queued
///   any ──completed──▶ .closed   (memory released; the connection pointer must not be used again)
/// ```
///
/// The handler starts on the worker thread, inside the access-handler call that saw the full request
/// (`.running`). A handler that completes without awaiting anything (a JWT checked in memory) is answered in
/// that same call: no suspension, no thread hop. A handler that awaits (a store round trip, a password hash)
/// leaves the worker thread at its first suspension point; only then is the connection suspended (`.handling`)
/// and, when the handler finishes on Swift's pool, resumed so that the next access-handler call queues the answer.
///
/// Answering only on the second or a later access-handler call keeps the connection alive: a response queued
/// on the first call, before libmicrohttpd knows the body is fully read, makes it close the connection. Only
/// rejections use the first call, and those want the connection closed anyway.
struct RequestStateMachine: Sendable {
    enum State: Sendable {
        /// Created when the request line arrived; the access handler has not been called yet.
        case head
        /// Head accepted; the body (if any) is being collected into ``request``.
        case body
        /// The body grew past the limit; further bytes are counted and dropped, then 413.
        case discarding(droppedBytes: Int)
        /// The handler runs on the worker thread, inside the access-handler call; the connection is not suspended.
        case running
        /// The handler awaited: the connection is suspended and the handler goes on in a task on Swift's pool.
        case handling
        /// The handler finished: queued at once if it finished while `.running`, otherwise by the access-handler
        /// call that follows the resume.
        case responded(HTTPResponse)
        /// The server stopped waiting for the handler; the connection was resumed to answer 503 and close.
        case abandoned
        /// A response is queued; libmicrohttpd sends it and then reports completion.
        case queued
        /// libmicrohttpd reported completion: the request is gone.
        case closed
    }

    /// The first access-handler call's verdict on the head (request line and header fields).
    enum HeadVerdict: Sendable {
        /// Accept: the request without its body, and the declared `Content-Length` (nil when chunked or absent).
        case accept(HTTPRequest, contentLength: Int?)
        /// Reject with this status before any handler runs.
        case reject(status: Int)
    }

    enum HeadAction: Equatable, Sendable {
        /// Return MHD_YES and wait for the body or the final call.
        case continueReading
        /// Queue this error status (the connection closes).
        case queueError(status: Int)
        /// Nothing sensible to do: return MHD_NO so libmicrohttpd closes the connection.
        case close
    }

    enum BodyAction: Equatable, Sendable {
        /// The bytes were taken (kept or dropped): mark them processed and return MHD_YES.
        case consumed
        /// The client keeps sending far past the limit: return MHD_NO and close without an answer.
        case close
    }

    enum FullRequestAction: Sendable {
        /// Run the handler on this request, on this thread until its first suspension point; then call
        /// ``handlerLeftThread(acceptingWork:)``.
        case run(HTTPRequest)
        /// Queue this response.
        case queue(HTTPResponse)
        /// Queue this error status and close the connection.
        case queueError(status: Int)
        /// Return MHD_NO: libmicrohttpd closes the connection.
        case close
    }

    enum ResumeAction: Equatable, Sendable {
        /// Call MHD_resume_connection (exactly once per suspension).
        case resume
        /// Nothing: the connection is not suspended (or the request is gone).
        case none
    }

    enum AfterRunAction: Sendable {
        /// The handler already finished: queue its response now.
        case queue(HTTPResponse)
        /// The handler is still running elsewhere: suspend the connection (in the same critical section).
        case suspend
        /// Queue this error status and close the connection (the server stopped waiting for handlers).
        case queueError(status: Int)
        /// Return MHD_NO: libmicrohttpd closes the connection.
        case close
    }

    private(set) var state: State = .head
    /// The request being assembled; its body grows in place.
    private var request = HTTPRequest(method: "", path: "")

    /// The first access-handler call, with the verdict on the head.
    mutating func receivedHead(_ verdict: HeadVerdict) -> HeadAction {
        guard case .head = state else { return .close }
        switch verdict {
        case .accept(let head, let contentLength):
            request = head
            if let contentLength { request.body.reserveCapacity(contentLength) }
            state = .body
            return .continueReading
        case .reject(let status):
            state = .queued
            return .queueError(status: status)
        }
    }

    /// An access-handler call carrying body bytes. Bytes beyond `limit` are dropped; once `limit` more have
    /// been dropped, the connection is closed without an answer (a chunked upload that never stops).
    mutating func receivedBody(_ bytes: UnsafeRawBufferPointer, limit: Int) -> BodyAction {
        switch state {
        case .body:
            if request.body.count + bytes.count > limit {
                request.body = []
                state = .discarding(droppedBytes: bytes.count)
            } else {
                request.body.append(contentsOf: bytes)
            }
            return .consumed
        case .discarding(let dropped):
            let total = dropped + bytes.count
            if total > max(limit, 64 * 1024) * 2 {
                state = .queued
                return .close
            }
            state = .discarding(droppedBytes: total)
            return .consumed
        case .head, .running, .handling, .responded, .abandoned, .queued, .closed:
            return .close
        }
    }

    /// An access-handler call with no body bytes after the first: the request is complete, or (after a
    /// resume) the handler's answer is ready to queue. `acceptingWork` is false once the server stopped waiting
    /// for handlers: then new requests get 503 instead of a suspension nobody would resume.
    mutating func receivedFullRequest(acceptingWork: Bool) -> FullRequestAction {
        switch state {
        case .body:
            guard acceptingWork else {
                state = .queued
                return .queueError(status: 503)
            }
            state = .running
            let complete = request
            request = HTTPRequest(method: "", path: "")
            return .run(complete)
        case .discarding:
            state = .queued
            return .queueError(status: 413)
        case .responded(let response):
            state = .queued
            return .queue(response)
        case .abandoned:
            state = .queued
            return .queueError(status: 503)
        case .head, .running, .handling, .queued, .closed:
            // .head cannot precede a full request; .running and .handling mean the handler has the request (and
            // a suspended connection gets no calls); .queued means it already has an answer. Close, don't guess.
            return .close
        }
    }

    /// The handler left the worker thread: it finished, or it reached its first suspension point. In the
    /// second case the connection must be suspended now, unless the server has stopped waiting for handlers
    /// (`acceptingWork` false): then 503, because nobody would resume it.
    mutating func handlerLeftThread(acceptingWork: Bool) -> AfterRunAction {
        switch state {
        case .running:
            guard acceptingWork else {
                state = .queued
                return .queueError(status: 503)
            }
            state = .handling
            return .suspend
        case .responded(let response):
            state = .queued
            return .queue(response)
        case .abandoned:
            state = .queued
            return .queueError(status: 503)
        case .head, .body, .discarding, .handling, .queued, .closed:
            return .close
        }
    }

    /// The handler finished with `response`.
    mutating func handlerFinished(_ response: HTTPResponse) -> ResumeAction {
        switch state {
        case .running:
            state = .responded(response)
            return .none
        case .handling:
            state = .responded(response)
            return .resume
        default:
            return .none
        }
    }

    /// The server stops waiting for this request's handler.
    mutating func abandon() -> ResumeAction {
        switch state {
        case .running:
            state = .abandoned
            return .none
        case .handling:
            state = .abandoned
            return .resume
        default:
            return .none
        }
    }

    /// libmicrohttpd reported the request complete (answered, failed, timed out, client gone, daemon stopping).
    mutating func completed() {
        state = .closed
        request = HTTPRequest(method: "", path: "")
    }
}
