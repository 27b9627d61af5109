import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends lines to a file from a serial dispatch queue, with a bounded backlog, so that the thread that
/// publishes an event never waits for the disk.
///
/// `enqueue` reserves a slot in an atomic counter of queued lines, or drops the line when `capacity` lines are
/// already queued; the queued block writes the line and frees its slot. A serial queue writes lines in the
/// order they were queued, and `flush()` (`queue.sync {}`) returns once every earlier block has run.
final class AuditLogFile: Sendable {
    private let descriptor: Int32
    private let capacity: Int
    /// Lines queued and not yet written.
    private let pending = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)
    /// The one thread that writes to `descriptor`. Internal so that tests can suspend it to fill the queue.
    let queue = DispatchQueue(label: "SmartAuth.AuditLogFile", qos: .utility)

    init(path: String, capacity: Int) throws(AuthError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw AuthError(.configuration, "cannot open the audit log file \"\(path)\": \(reason)")
        }
        self.descriptor = descriptor
        self.capacity = capacity
    }

    deinit {
        // Queued blocks hold `self` strongly, so by now every queued line has been written.
        close(descriptor)
    }

    /// Queues `line` plus a newline for writing, or drops and counts it when the queue is full.
    func enqueue(_ line: String) {
        guard pending.add(1, ordering: .relaxed).newValue <= capacity else {
            pending.subtract(1, ordering: .relaxed)
            dropped.add(1, ordering: .relaxed)
            return
        }
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        queue.async { [self, bytes] in
            if !writeAll(bytes) { dropped.add(1, ordering: .relaxed) }
            pending.subtract(1, ordering: .relaxed)
        }
    }

    /// Blocks until every line queued before the call has been written.
    func flush() {
        queue.sync {}
    }

    /// Lines lost because the queue was full or the write failed.
    var droppedLineCount: Int { dropped.load(ordering: .relaxed) }

    /// Writes all of `bytes`, retrying short writes and `EINTR`. With `O_APPEND` a regular file takes a whole
    /// line in one `write(2)`, so lines from other processes do not interleave with ours.
    private func writeAll(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return true }
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, base + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
    }
}
