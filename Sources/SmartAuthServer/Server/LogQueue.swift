import Foundation

/// Takes access-log lines from request handlers without making them wait for the log's destination.
///
/// A line is appended to a buffer under a lock; one thread of the queue's own hands the lines to `sink` (standard
/// error, usually), waking only when the buffer goes from empty to not empty. So a slow or blocked destination (a
/// full pipe) stalls that thread, never libmicrohttpd's worker threads or Swift's pool. When more than `capacity`
/// lines wait, further lines are dropped and counted, and one line saying how many is logged when the writer
/// catches up. ``close()`` writes what is left and ends the thread.
final class LogQueue: @unchecked Sendable {
    // @unchecked: every stored var is read and written only with `condition` locked.
    private let condition = NSCondition()
    private var pending: [String] = []
    private var dropped = 0
    private var closed = false
    private var finished = false
    private let capacity: Int
    private let sink: @Sendable (String) -> Void

    /// A queue in front of `sink`, holding at most `capacity` waiting lines; its thread starts at once.
    init(capacity: Int = 10_000, sink: @escaping @Sendable (String) -> Void) {
        self.capacity = max(1, capacity)
        self.sink = sink
        let thread = Thread { [self] in run() }
        thread.name = "SmartAuth log"
        thread.start()
    }

    /// Queues `line`; never blocks on the destination.
    func append(_ line: String) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        guard pending.count < capacity else {
            dropped += 1
            return
        }
        pending.append(line)
        if pending.count == 1 { condition.signal() }
    }

    /// Writes the lines still waiting, then ends the thread. Returns once they are written. Later lines are dropped.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while pending.isEmpty && dropped == 0 && !closed { condition.wait() }
            let lines = pending
            let lost = dropped
            pending.removeAll(keepingCapacity: true)
            dropped = 0
            let done = closed
            condition.unlock()
            for line in lines { sink(line) }
            if lost > 0 { sink("\(lost) access-log line\(lost == 1 ? "" : "s") dropped: the log could not keep up") }
            if done && lines.isEmpty && lost == 0 { break }
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
