import Foundation
import SmartAuthCore
import Synchronization

/// The writes waiting for the writer connection, committed together: one transaction, and so one `fsync` with
/// the default `synchronous = FULL`, for every write that arrived while the previous transaction was running.
///
/// Each write runs inside the shared transaction within a savepoint of its own, in arrival order, so it sees every
/// earlier write of the batch exactly as it would one committed before it: the result is the same as running them
/// one transaction each, in that order. A write that throws is rolled back to its savepoint and fails alone. No
/// write's caller is answered before the transaction has committed; if the commit fails (or SQLite abandons the
/// transaction after an I/O error), every write of the batch fails, none of them is in the database.
final class GroupCommit: Sendable {
    /// One write: runs in the batch's transaction, then learns how the batch ended.
    private protocol Job: Sendable {
        /// Runs the write at a savepoint; false if it threw (its outcome is then that error).
        func attempt(_ connection: SQLiteConnection) -> Bool
        /// Answers the caller: the write's own outcome, or `failure` if the batch did not commit.
        func finish(batchFailure failure: SessionStoreError?)
    }

    private final class Write<Result: Sendable>: Job, @unchecked Sendable {
        // @unchecked: `outcome` is written by `attempt` and read by `finish`, both on the writer's queue.
        private let body: @Sendable (SQLiteConnection) throws(SessionStoreError) -> Result
        private let continuation: CheckedContinuation<Swift.Result<Result, SessionStoreError>, Never>
        private var outcome: Swift.Result<Result, SessionStoreError>?

        init(
            _ body: @escaping @Sendable (SQLiteConnection) throws(SessionStoreError) -> Result,
            _ continuation: CheckedContinuation<Swift.Result<Result, SessionStoreError>, Never>
        ) {
            self.body = body
            self.continuation = continuation
        }

        func attempt(_ connection: SQLiteConnection) -> Bool {
            do {
                outcome = .success(try body(connection))
                return true
            } catch {
                outcome = .failure(error)
                return false
            }
        }

        func finish(batchFailure failure: SessionStoreError?) {
            if let failure {
                continuation.resume(returning: .failure(failure))
            } else {
                continuation.resume(returning: outcome ?? .failure(.unavailable("the write did not run")))
            }
        }
    }

    private struct Pending {
        var jobs: [any Job] = []
        /// A write asked for housekeeping at this time (the latest such time wins).
        var housekeeping: Date?
        /// A drain is queued on the writer and has not taken the jobs yet.
        var scheduled = false
    }

    /// The most writes one transaction takes; more wait for the next.
    static let maximumBatch = 256

    private let worker: ConnectionWorker
    private let pending = Mutex(Pending())
    /// Transactions committed so far (for tests and diagnostics).
    let committedBatches = Atomic<Int>(0)
    /// Housekeeping (the store's purge of expired rows) after a batch's writes, before its commit, in the same
    /// transaction at a savepoint of its own: if it throws, it is undone and the writes still commit.
    private let housekeeping: @Sendable (SQLiteConnection, Date) throws(SessionStoreError) -> Void

    init(
        worker: ConnectionWorker,
        housekeeping: @escaping @Sendable (SQLiteConnection, Date) throws(SessionStoreError) -> Void
    ) {
        self.worker = worker
        self.housekeeping = housekeeping
    }

    /// Runs `body` in the next batch's transaction and returns its result once that transaction has committed.
    /// With `housekeepingAt`, that batch also does the store's housekeeping at that time.
    func write<Result: Sendable>(
        housekeepingAt: Date? = nil, _ body: @escaping @Sendable (SQLiteConnection) throws(SessionStoreError) -> Result
    ) async throws(SessionStoreError) -> Result {
        let outcome = await withCheckedContinuation {
            (continuation: CheckedContinuation<Swift.Result<Result, SessionStoreError>, Never>) in
            let job = Write(body, continuation)
            let schedule = pending.withLock { pending -> Bool in
                pending.jobs.append(job)
                if let housekeepingAt, pending.housekeeping.map({ $0 < housekeepingAt }) ?? true {
                    pending.housekeeping = housekeepingAt
                }
                guard !pending.scheduled else { return false }
                pending.scheduled = true
                return true
            }
            if schedule { worker.enqueue { [self] connection in drain(connection) } }
        }
        return try outcome.get()
    }

    /// On the writer's queue: takes the waiting writes and commits them together.
    private func drain(_ connection: SQLiteConnection) {
        let (jobs, housekeepingAt, more) = pending.withLock { pending -> ([any Job], Date?, Bool) in
            let taken = Array(pending.jobs.prefix(Self.maximumBatch))
            pending.jobs.removeFirst(taken.count)
            let housekeepingAt = pending.housekeeping
            pending.housekeeping = nil
            // Still scheduled if some are left: this drain queues the next one itself.
            pending.scheduled = !pending.jobs.isEmpty
            return (taken, housekeepingAt, !pending.jobs.isEmpty)
        }
        if more { worker.enqueue { [self] connection in drain(connection) } }
        guard !jobs.isEmpty else { return }
        let failure = commit(jobs, housekeepingAt: housekeepingAt, on: connection)
        for job in jobs { job.finish(batchFailure: failure) }
    }

    /// Runs `jobs` in one transaction; nil once it has committed, otherwise why nothing of it is in the database.
    private func commit(_ jobs: [any Job], housekeepingAt: Date?, on connection: SQLiteConnection) -> SessionStoreError? {
        do throws(SessionStoreError) {
            // On a closed connection this throws `.unavailable` ("the SQLite store is closed").
            try connection.transaction { () throws(SessionStoreError) in
                for job in jobs { try Self.atSavepoint(connection) { job.attempt(connection) } }
                if let housekeepingAt {
                    // Its failure is undone and forgotten: the writes still commit.
                    try Self.atSavepoint(connection) { (try? housekeeping(connection, housekeepingAt)) != nil }
                }
            }
            committedBatches.add(1, ordering: .relaxed)
            return nil
        } catch {
            return error
        }
    }

    /// Runs `step` at a savepoint of the open transaction, and undoes it if `step` reports failure.
    /// - Throws: `.unavailable` if SQLite ended the whole transaction meanwhile (after a disk or I/O error): then
    ///   nothing of the batch holds.
    private static func atSavepoint(_ connection: SQLiteConnection, _ step: () -> Bool) throws(SessionStoreError) {
        try connection.execute("SAVEPOINT step")
        let succeeded = step()
        guard connection.isInTransaction else {
            throw .unavailable("the SQLite transaction was abandoned after an error")
        }
        if !succeeded { try connection.execute("ROLLBACK TO step") }
        try connection.execute("RELEASE step")
    }
}
