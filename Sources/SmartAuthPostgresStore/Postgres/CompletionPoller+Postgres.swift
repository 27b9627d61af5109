internal import CSmartAuthPostgres
import Foundation
import Glibc
import SmartAuthCore
import Synchronization

/// One thread that waits, with one `epoll` instance, for the answers to the statements that
/// ``ConnectionPool/execute(_:_:decode:)`` sends straight from the calling task, reads them and hands them back.
///
/// Why: with a worker thread per connection, a single statement costs two thread hand-offs (the caller wakes a
/// worker, the worker sleeps in `poll` until the answer, then wakes the caller), and on a small machine those
/// context switches cost more than the work. Here the caller sends the statement itself (libpq in nonblocking
/// mode: a `send` that never waits) and only the answer crosses threads; with several statements in flight, one
/// wake-up of this thread collects several answers.
///
/// Ownership: while a statement is watched, its connection belongs to this thread alone (the caller has handed
/// it over and touches it no more); the completion hands it back. Sockets are armed with `EPOLLONESHOT`, so an
/// event is reported once per arming and a connection that is not watched produces none.
final class CompletionPoller: Sendable {
    /// Called on the poller's thread once the exchange has finished, with the connection (broken if the exchange
    /// failed at the connection level) and the results.
    typealias Completion = @Sendable (PostgresConnection, Result<QueryResult, SessionStoreError>) -> Void

    private struct Watch: Sendable {
        let connection: PostgresConnection
        let deadline: ContinuousClock.Instant
        let completion: Completion
    }

    private struct State: Sendable {
        /// By slot (the pool's worker index, which owns the connection between statements).
        var watches: [Watch?]
        var stopping = false
        var exited = false
    }

    private let state: Mutex<State>
    /// The `epoll` descriptor and the `eventfd` that wakes it (to stop); closed by the thread when it ends.
    private let poller: Int32
    private let wakeup: Int32
    private static let wakeupSlot = UInt64.max
    /// How long the thread waits when nothing is watched: the time every watch is given. A watch that starts
    /// while the thread waits so has its deadline after the thread wakes, which then waits for that deadline;
    /// so starting a watch never needs to wake the thread (a system call per statement).
    private let idleWait: Duration

    /// A poller for slots `0..<slots`, with its thread running; `nil` if the kernel refuses the descriptors
    /// (the pool then sends every statement through its workers).
    ///
    /// - Parameter timeout: How long after it starts each watch may last at most; ``watch(_:slot:writable:deadline:completion:)``
    ///   must be given deadlines no later than this after it is called.
    init?(slots: Int, timeout: Duration) {
        let poller = smartauth_pq_poller_create()
        guard poller >= 0 else { return nil }
        let wakeup = smartauth_pq_wakeup_create()
        guard wakeup >= 0, smartauth_pq_poller_arm(poller, wakeup, Self.wakeupSlot, 0) == 0 else {
            if wakeup >= 0 { close(wakeup) }
            close(poller)
            return nil
        }
        self.poller = poller
        self.wakeup = wakeup
        idleWait = timeout
        state = Mutex(State(watches: Array(repeating: nil, count: slots)))
        let thread = Thread { [self] in self.run() }
        thread.name = "SmartAuthPostgresStore poller"
        thread.start()
    }

    /// Takes over `connection`, on which ``PostgresConnection/startPrepared(_:_:)`` has just sent a statement,
    /// until the answer is in or `deadline` passes; then calls `completion` on the poller's thread.
    ///
    /// - Parameter writable: Whether part of the statement is still to be written.
    func watch(
        _ connection: PostgresConnection, slot: Int, writable: Bool, deadline: ContinuousClock.Instant,
        completion: @escaping Completion
    ) {
        let accepted = state.withLock { state -> Bool in
            guard !state.exited else { return false }
            precondition(state.watches[slot] == nil, "slot \(slot) is already watched")
            state.watches[slot] = Watch(connection: connection, deadline: deadline, completion: completion)
            return true
        }
        guard accepted else {
            completion(connection, connection.abandonExchange(.unavailable("the store is shutting down")))
            return
        }
        // Armed last: from here on the poller thread may run the completion.
        if smartauth_pq_poller_arm(poller, connection.socket, UInt64(slot), writable ? 1 : 0) != 0 {
            finish(slot) { $0.abandonExchange(.unavailable("could not watch the PostgreSQL connection")) }
        }
    }

    /// Ends the thread once the statements in flight are answered (or time out).
    func stop() {
        state.withLock { $0.stopping = true }
        smartauth_pq_wakeup_signal(wakeup)
    }

    // MARK: - The thread

    private func run() {
        var slots = [UInt64](repeating: 0, count: 64)
        while true {
            let timeout = state.withLock { state -> Int32? in
                if state.stopping && state.watches.allSatisfy({ $0 == nil }) {
                    state.exited = true
                    return nil
                }
                var earliest = ContinuousClock.now.advanced(by: idleWait)
                for case let watch? in state.watches where watch.deadline < earliest { earliest = watch.deadline }
                return Self.milliseconds(until: earliest)
            }
            guard let timeout else { break }
            let count = slots.withUnsafeMutableBufferPointer { slots in
                smartauth_pq_poller_wait(poller, slots.baseAddress!, Int32(slots.count), timeout)
            }
            for slot in slots.prefix(Int(max(0, count))) {
                if slot == Self.wakeupSlot {
                    smartauth_pq_wakeup_drain(wakeup)
                    // Re-armed at once: a later signal must wake the thread again.
                    _ = smartauth_pq_poller_arm(poller, wakeup, Self.wakeupSlot, 0)
                } else {
                    progress(Int(slot))
                }
            }
            expire(at: .now)
        }
        close(wakeup)
        close(poller)
    }

    /// Moves the exchange in `slot` on after its socket became ready.
    private func progress(_ slot: Int) {
        guard let watch = state.withLock({ $0.watches[slot] }) else { return }
        switch watch.connection.continueExchange() {
        case .waiting(let writable):
            if smartauth_pq_poller_arm(poller, watch.connection.socket, UInt64(slot), writable ? 1 : 0) != 0 {
                finish(slot) { $0.abandonExchange(.unavailable("could not watch the PostgreSQL connection")) }
            }
        case .finished(let result):
            finish(slot) { _ in result }
        }
    }

    /// Fails the exchanges whose deadline has passed; their connections are broken (an answer may still come).
    private func expire(at now: ContinuousClock.Instant) {
        let late = state.withLock { state -> [Int] in
            state.watches.indices.filter { state.watches[$0].map { $0.deadline <= now } ?? false }
        }
        for slot in late {
            finish(slot) { $0.abandonExchange(.unavailable("PostgreSQL did not answer in time")) }
        }
    }

    /// Stops watching `slot` and runs its completion with the result `outcome` gives.
    private func finish(
        _ slot: Int, _ outcome: (PostgresConnection) -> Result<QueryResult, SessionStoreError>
    ) {
        guard let watch = state.withLock({ state -> Watch? in
            defer { state.watches[slot] = nil }
            return state.watches[slot]
        }) else { return }
        watch.completion(watch.connection, outcome(watch.connection))
    }

    private static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        return Int32(min(Int64(Int32.max), seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1))
    }
}
