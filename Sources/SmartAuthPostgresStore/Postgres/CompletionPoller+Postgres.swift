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
/// it over and touches it no more); the completion hands it back.
///
/// Registration: a slot's connection is registered with `epoll` once, edge-triggered, and stays registered while
/// it is the slot's connection, so that watching a statement costs no system call (re-arming a one-shot
/// registration cost an `epoll_ctl` per statement). An edge reported while the slot has no watch (an answer
/// faster than the caller's hand-over, traffic of a worker's exchange, the server ending an idle connection)
/// is remembered: the next watch of the slot reads the connection on the calling thread first, and until then
/// the pool polls the idle socket before using it (``isQuiet(slot:connection:)``). An exchange that is still waiting
/// after being moved on is re-registered, which makes the kernel report at once what is already readable
/// (libpq may leave part of a long answer unread, and no new edge would come for it).
final class CompletionPoller: Sendable {
    /// Called once the exchange has finished (on the poller's thread, or in ``watch(_:slot:writable:deadline:completion:)``
    /// when the answer was in already), with the connection (broken if the exchange failed at the connection
    /// level) and the results.
    typealias Completion = @Sendable (PostgresConnection, Result<QueryResult, SessionStoreError>) -> Void

    private struct Watch: Sendable {
        let connection: PostgresConnection
        let deadline: ContinuousClock.Instant
        let completion: Completion
    }

    private struct State: Sendable {
        /// By slot (the pool's worker index, which owns the connection between statements).
        var watches: [Watch?]
        /// By slot: the connection whose socket is registered. Held, so that its socket stays open (and its
        /// number is not reused) for as long as it is registered under the slot.
        var registered: [PostgresConnection?]
        /// By slot: an event came while the slot had no watch.
        var unclaimedEvent: [Bool]
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
        // Edge-triggered like the sockets: each signal after a drain is a new edge.
        guard wakeup >= 0, smartauth_pq_poller_register(poller, wakeup, Self.wakeupSlot, 0) == 0 else {
            if wakeup >= 0 { close(wakeup) }
            close(poller)
            return nil
        }
        self.poller = poller
        self.wakeup = wakeup
        idleWait = timeout
        state = Mutex(
            State(
                watches: Array(repeating: nil, count: slots), registered: Array(repeating: nil, count: slots),
                unclaimedEvent: Array(repeating: false, count: slots)))
        let thread = Thread { [self] in self.run() }
        thread.name = "SmartAuthPostgresStore poller"
        thread.start()
    }

    /// Takes over `connection`, on which ``PostgresConnection/startPrepared(_:_:)`` has just sent a statement,
    /// until the answer is in or `deadline` passes; then calls `completion` on the poller's thread.
    ///
    /// If the socket reported something before this call (the server answered faster than the caller handed the
    /// connection over), the calling thread reads the connection itself first, and when that finishes the exchange
    /// it runs `completion` at once, on the calling thread: the answer crosses no thread and the poller thread is
    /// not woken for it.
    ///
    /// - Parameter writable: Whether part of the statement is still to be written.
    func watch(
        _ connection: PostgresConnection, slot: Int, writable: Bool, deadline: ContinuousClock.Instant,
        completion: @escaping Completion
    ) {
        enum Next { case refused, readHere, register, nothing }
        var writable = writable
        var readHere = false
        while true {
            let next = state.withLock { state -> Next in
                guard !state.exited else { return .refused }
                precondition(state.watches[slot] == nil, "slot \(slot) is already watched")
                let unclaimed = state.unclaimedEvent[slot]
                state.unclaimedEvent[slot] = false
                let registered = state.registered[slot] === connection
                // An event already reported (edge-triggered, it will not be reported again): read it here.
                if registered && !writable && unclaimed && !readHere { return .readHere }
                state.watches[slot] = Watch(connection: connection, deadline: deadline, completion: completion)
                // After reading here, register again: the kernel then reports what arrived since.
                if !registered || writable || readHere {
                    state.registered[slot] = connection
                    return .register
                }
                return .nothing
            }
            switch next {
            case .refused:
                completion(connection, connection.abandonExchange(.unavailable("the store is shutting down")))
            case .readHere:
                readHere = true
                switch connection.continueExchange() {
                case .finished(let result):
                    completion(connection, result)
                case .waiting(let stillWritable):
                    writable = stillWritable
                    continue
                }
            case .register:
                // From here on the poller thread may run the completion. Registering reports at once what is ready.
                register(slot, connection, writable: writable)
            case .nothing:
                break
            }
            return
        }
    }

    /// Whether `connection` is registered under `slot` and nothing has arrived on its socket since its last
    /// exchange here ended: then it cannot have been closed by the server meanwhile (an EOF, a termination notice
    /// are events), and polling its socket before the next statement would find nothing.
    func isQuiet(slot: Int, connection: PostgresConnection) -> Bool {
        state.withLock { $0.registered[slot] === connection && !$0.unclaimedEvent[slot] }
    }

    /// Registers (or re-registers) the socket of `connection` under `slot`; on failure ends the slot's exchange.
    private func register(_ slot: Int, _ connection: PostgresConnection, writable: Bool) {
        if smartauth_pq_poller_register(poller, connection.socket, UInt64(slot), writable ? 1 : 0) != 0 {
            state.withLock { $0.registered[slot] = nil }
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
                } else {
                    let slot = Int(slot)
                    let watched = state.withLock { state -> Bool in
                        if state.watches[slot] != nil { return true }
                        state.unclaimedEvent[slot] = true
                        return false
                    }
                    if watched { progress(slot) }
                }
            }
            expire(at: .now)
        }
        close(wakeup)
        close(poller)
        state.withLock { $0.registered = $0.registered.map { _ in nil } }
    }

    /// Moves the exchange in `slot` on after its socket became ready.
    private func progress(_ slot: Int) {
        guard let watch = state.withLock({ $0.watches[slot] }) else { return }
        switch watch.connection.continueExchange() {
        case .waiting(let writable):
            register(slot, watch.connection, writable: writable)
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
