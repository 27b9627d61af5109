import Foundation
import SmartAuthCore
import Synchronization

/// Collects a stream's notices, with the time each arrived, on a task of its own.
final class NoticeCollector: Sendable {
    private final class Received: Sendable {
        let list = Mutex<[(notice: RevocationNotice, at: ContinuousClock.Instant)]>([])
    }

    private let received = Received()
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<RevocationNotice>) {
        let received = self.received
        task = Task {
            for await notice in stream { received.list.withLock { $0.append((notice, ContinuousClock.now)) } }
        }
    }

    deinit { task.cancel() }

    var notices: [RevocationNotice] { received.list.withLock { $0.map(\.notice) } }

    /// Waits (polling every 5 ms, at most `timeout` seconds) for a notice that satisfies `matches`; returns it and
    /// when it arrived.
    func first(
        within timeout: Double, where matches: (RevocationNotice) -> Bool
    ) async -> (notice: RevocationNotice, at: ContinuousClock.Instant)? {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while true {
            if let found = received.list.withLock({ $0.first { matches($0.notice) } }) { return found }
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}
