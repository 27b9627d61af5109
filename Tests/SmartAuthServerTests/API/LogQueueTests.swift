import Dispatch
import Synchronization
import Testing

@testable import SmartAuthServer

/// The access-log queue: a blocked destination never blocks a request; order is kept, overflow is counted.
@Suite struct LogQueueTests {
    @Test func aBlockedSinkHoldsNoAppenderAndOverflowIsCounted() throws {
        let written = Mutex<[String]>([])
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let queue = LogQueue(capacity: 3) { line in
            written.withLock { $0.append(line) }
            if line == "line 0" {
                entered.signal()
                release.wait()  // the destination blocks, like a full pipe
            }
        }
        queue.append("line 0")
        #expect(entered.wait(timeout: .now() + 30) == .success, "the writer thread never wrote")
        // The writer is stuck in the sink; these appends return at once: 3 wait, 6 are dropped.
        for index in 1..<10 { queue.append("line \(index)") }
        #expect(written.withLock { $0 } == ["line 0"])
        release.signal()
        queue.close()
        let lines = written.withLock { $0 }
        #expect(lines.prefix(4) == ["line 0", "line 1", "line 2", "line 3"])
        #expect(lines.count == 5)
        #expect(lines.last == "6 access-log lines dropped: the log could not keep up")
        queue.append("after close")
        #expect(written.withLock { $0 }.count == 5)
    }

    @Test func closeWritesEverythingStillWaiting() {
        let written = Mutex<[String]>([])
        let queue = LogQueue { line in written.withLock { $0.append(line) } }
        for index in 0..<1_000 { queue.append("\(index)") }
        queue.close()
        #expect(written.withLock { $0 } == (0..<1_000).map(String.init))
    }
}
