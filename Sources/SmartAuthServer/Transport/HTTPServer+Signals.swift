import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

extension HTTPServer {
    /// Waits until the process receives SIGINT or SIGTERM, and returns the signal's name (`"SIGINT"` or
    /// `"SIGTERM"`).
    ///
    /// While waiting, the two signals are caught instead of terminating the process; once one arrives their
    /// default actions are restored, so a second Ctrl-C during a long shutdown ends the process at once. The
    /// usual `main`:
    ///
    /// ```swift
    /// try server.start()
    /// let signal = await HTTPServer.waitForTerminationSignal()
    /// logger.info("\(signal): shutting down")
    /// await server.shutdown(gracePeriod: 10)
    /// exit(0)
    /// ```
    ///
    /// - Important: Signal dispositions are process-wide; call this from one place only.
    /// - Returns: The name of the signal that arrived.
    @discardableResult
    public static func waitForTerminationSignal() async -> String {
        enum Wait: Sendable {
            case waiting(CheckedContinuation<String, Never>?)
            case received(String)
        }
        let wait = Mutex(Wait.waiting(nil))
        let signals: [(number: Int32, name: String)] = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")]
        let queue = DispatchQueue(label: "SmartAuthServer.HTTPServer.signals")
        let sources = signals.map { signalInfo in
            // Dispatch sees the signal only if its default action (terminate) is disabled.
            signal(signalInfo.number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalInfo.number, queue: queue)
            source.setEventHandler {
                let continuation: CheckedContinuation<String, Never>? = wait.withLock { state in
                    guard case .waiting(let continuation) = state else { return nil }
                    state = .received(signalInfo.name)
                    return continuation
                }
                continuation?.resume(returning: signalInfo.name)
            }
            source.resume()
            return source
        }
        let name = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let received: String? = wait.withLock { state in
                switch state {
                case .received(let name):
                    return name
                case .waiting:
                    state = .waiting(continuation)
                    return nil
                }
            }
            if let received { continuation.resume(returning: received) }
        }
        for source in sources { source.cancel() }
        for signalInfo in signals { signal(signalInfo.number, SIG_DFL) }
        return name
    }
}
