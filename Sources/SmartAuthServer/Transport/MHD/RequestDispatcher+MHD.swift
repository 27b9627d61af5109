import CSmartAuthHTTP
import SmartAuthHTTP
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

// The three libmicrohttpd callbacks. Each is a `@convention(c)` closure that finds the dispatcher through its
// closure pointer (`Unmanaged`, retained by `Daemon` for the daemon's lifetime) and the request through
// `*con_cls`. They run on libmicrohttpd's worker threads, touch only `Sendable` state, never block, never
// throw, and never log (the application logs).

extension RequestDispatcher {
    /// `MHD_OPTION_URI_LOG_CALLBACK`: a request line arrived. Creates the request context (this callback is
    /// the only one that sees the raw target, query included) and returns it retained, as `*con_cls`.
    static let uriCallback: smartauth_mhd_uri_callback = { closure, uri, connection in
        // Without a context the access handler returns MHD_NO and libmicrohttpd closes the connection.
        guard let closure else { return nil }
        let dispatcher = Unmanaged<RequestDispatcher>.fromOpaque(closure).takeUnretainedValue()
        let context = InFlightRequest(
            connection: connection, rawTarget: UnsafeRawBufferPointer(start: uri, count: strlen(uri)))
        dispatcher.requestBegan()
        return Unmanaged.passRetained(context).toOpaque()
    }

    /// `MHD_OPTION_NOTIFY_COMPLETED`: the request is over (answered, failed, timed out, client gone, daemon
    /// stopping). Balances the retain of ``uriCallback`` and poisons `*con_cls` (NULL: later calls find no
    /// context and close).
    static let completedCallback: MHD_RequestCompletedCallback = { closure, _, contextPointer, _ in
        guard let closure, let contextPointer, let raw = contextPointer.pointee else { return }
        contextPointer.pointee = nil
        let dispatcher = Unmanaged<RequestDispatcher>.fromOpaque(closure).takeUnretainedValue()
        let unmanaged = Unmanaged<InFlightRequest>.fromOpaque(raw)
        let context = unmanaged.takeUnretainedValue()
        context.machine.withLock { $0.completed() }
        dispatcher.requestCompleted()
        unmanaged.release()
    }

    /// The access handler (`MHD_AccessHandlerCallback`).
    static let accessCallback: MHD_AccessHandlerCallback = {
        closure, _, _, method, version, uploadData, uploadDataSize, contextPointer in
        guard let closure, let method, let version, let uploadDataSize, let raw = contextPointer?.pointee else {
            return .NO
        }
        let dispatcher = Unmanaged<RequestDispatcher>.fromOpaque(closure).takeUnretainedValue()
        let context = Unmanaged<InFlightRequest>.fromOpaque(raw).takeUnretainedValue()
        return dispatcher.access(
            context, method: method, version: version, uploadData: uploadData, uploadDataSize: uploadDataSize)
    }

    /// One access-handler call. libmicrohttpd calls it once with the head, once per chunk of body bytes, and
    /// then with no bytes each time the request is complete and not yet answered: right away, and again after
    /// every resume. We answer only on one of those later calls, which keeps the connection alive.
    private func access(
        _ context: InFlightRequest, method: UnsafePointer<CChar>, version: UnsafePointer<CChar>,
        uploadData: UnsafePointer<CChar>?, uploadDataSize: UnsafeMutablePointer<Int>
    ) -> MHD_Result {
        let connection = context.connection.pointer
        let size = uploadDataSize.pointee
        if size > 0 {
            let bytes = UnsafeRawBufferPointer(start: uploadData, count: size)
            let action = context.machine.withLock { $0.receivedBody(bytes, limit: maximumBodyBytes) }
            guard action == .consumed else { return .NO }
            uploadDataSize.pointee = 0
            return .YES
        }

        let isFirstCall = context.machine.withLock { if case .head = $0.state { true } else { false } }
        if isFirstCall {
            let verdict = readHead(context, method: method, version: version)
            switch context.machine.withLock({ $0.receivedHead(verdict) }) {
            case .continueReading: return .YES
            case .queueError(let status): return queueError(status: status, on: connection)
            case .close: return .NO
            }
        }

        let action = context.machine.withLock {
            $0.receivedFullRequest(acceptingWork: !isAbandoning.load(ordering: .sequentiallyConsistent))
        }
        switch action {
        case .run(let request):
            return run(request, context: context)
        case .queue(let response):
            return queue(response, on: connection)
        case .queueError(let status):
            return queueError(status: status, on: connection)
        case .close:
            return .NO
        }
    }

    /// Offers the request to the immediate handler, if any; otherwise runs the handler on this worker thread
    /// until it finishes or first awaits (`Task.immediate`). A request answered either way without waiting is
    /// answered right here; a handler that awaits goes on on Swift's pool while the connection is suspended, and
    /// ``InFlightRequest/handlerFinished(_:dispatcher:)`` resumes it.
    private func run(_ request: HTTPRequest, context: InFlightRequest) -> MHD_Result {
        switch immediateHandler?(request) {
        case .respond(let response)?:
            context.handlerFinished(response, dispatcher: self)
        case .continueWith(let rest)?:
            start(rest, for: context)
        case nil:
            let handler = self.handler
            start({ await handler(request) }, for: context)
        }
        let connection = context.connection.pointer
        let next = context.machine.withLock { machine in
            guard case .running = machine.state else {
                return machine.handlerLeftThread(acceptingWork: true)
            }
            // Register before reading the flag: see abandonHandlers() for why this order matters. Suspend under
            // the request's lock, together with the state change: whoever resumes (the task, or shutdown's
            // abandonHandlers) takes the same lock and so always finds the suspension done.
            registerSuspended(context)
            let next = machine.handlerLeftThread(
                acceptingWork: !isAbandoning.load(ordering: .sequentiallyConsistent))
            if case .suspend = next {
                MHD_suspend_connection(connection)
            } else {
                unregisterSuspended(context)
            }
            return next
        }
        switch next {
        case .queue(let response):
            return queue(response, on: connection)
        case .suspend:
            return .YES
        case .queueError(let status):
            return queueError(status: status, on: connection)
        case .close:
            return .NO
        }
    }

    /// Runs `work` in a task that starts on this thread and stays on it until it finishes or first awaits.
    private func start(_ work: @escaping @Sendable () async -> HTTPResponse, for context: InFlightRequest) {
        Task.immediate { [self] in
            let response = await work()
            context.handlerFinished(response, dispatcher: self)
        }
    }

    /// Reads the header fields (in order) and the peer address, and judges the head.
    private func readHead(
        _ context: InFlightRequest, method: UnsafePointer<CChar>, version: UnsafePointer<CChar>
    ) -> RequestStateMachine.HeadVerdict {
        let connection = context.connection.pointer
        let method = String(cString: method)
        let version = String(cString: version)
        var head = RequestHead(requestLineBytes: method.utf8.count + context.rawTargetLength + version.utf8.count + 2)
        withUnsafeMutablePointer(to: &head) { head in
            _ = MHD_get_connection_values_n(
                connection, .HEADER_KIND,
                { closure, _, key, keySize, value, valueSize in
                    guard let head = closure?.assumingMemoryBound(to: RequestHead.self) else { return .NO }
                    head.pointee.add(
                        name: UnsafeRawBufferPointer(start: key, count: keySize).assumingMemoryBound(to: UInt8.self),
                        value: UnsafeRawBufferPointer(start: value, count: valueSize).assumingMemoryBound(to: UInt8.self))
                    return .YES
                }, head)
        }
        return head.verdict(
            method: method, target: context.target, version: version,
            remoteAddress: Self.remoteAddress(of: connection), maximumHeaderBytes: maximumHeaderBytes,
            maximumBodyBytes: maximumBodyBytes)
    }

    private static func remoteAddress(of connection: OpaquePointer) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            let length = smartauth_mhd_client_address(connection, buffer.baseAddress!, buffer.count)
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: length), as: UTF8.self)
        }
    }

    /// Queues the handler's response: status, header fields, body copied by libmicrohttpd. libmicrohttpd adds
    /// `Content-Length`, `Date` and `Connection` itself, so the handler's `Content-Length` and
    /// `Transfer-Encoding` are dropped. A status outside 200...599, or a header libmicrohttpd refuses (CR, LF,
    /// or a NUL byte, which C would silently cut at), turns the answer into a 500: never a half-built response.
    private func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        guard (200...599).contains(response.status) else { return queueError(status: 500, on: connection) }
        let created = response.body.withUnsafeBytes { body in
            // MHD_RESPMEM_MUST_COPY: libmicrohttpd copies, so the pointer need not outlive this call.
            MHD_create_response_from_buffer(
                body.count, UnsafeMutableRawPointer(mutating: body.baseAddress), .RESPMEM_MUST_COPY)
        }
        guard let created else { return .NO }
        defer { MHD_destroy_response(created) }
        let draining = isDraining.load(ordering: .relaxed)
        for field in response.headers {
            if Self.isTransportHeader(field.name, draining: draining) { continue }
            guard !field.name.utf8.contains(0), !field.value.utf8.contains(0),
                field.name.withCString({ name in
                    field.value.withCString { value in MHD_add_response_header(created, name, value) }
                }) == .YES
            else { return queueError(status: 500, on: connection) }
        }
        if draining { _ = MHD_add_response_header(created, "Connection", "close") }
        return MHD_queue_response(connection, UInt32(response.status), created)
    }

    /// A transport-made answer (400, 413, 431, 500, 501, 503): empty body, and the connection closes after it.
    private func queueError(status: Int, on connection: OpaquePointer) -> MHD_Result {
        guard let created = MHD_create_response_from_buffer(0, nil, .RESPMEM_PERSISTENT) else { return .NO }
        defer { MHD_destroy_response(created) }
        _ = MHD_add_response_header(created, "Connection", "close")
        return MHD_queue_response(connection, UInt32(status), created)
    }

    private static func isTransportHeader(_ name: String, draining: Bool) -> Bool {
        var name = name
        return name.withUTF8 { name in
            RequestHead.equalsLowercase(name, "content-length") || RequestHead.equalsLowercase(name, "transfer-encoding")
                || (draining && RequestHead.equalsLowercase(name, "connection"))
        }
    }
}
