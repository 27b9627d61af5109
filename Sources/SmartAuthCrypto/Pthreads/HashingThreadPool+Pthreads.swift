import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed set of dedicated POSIX threads that run blocking jobs (Argon2 hashes) in first-in, first-out order.
///
/// Why not the cooperative pool: Swift's cooperative pool has one thread per core, and a 20-100 ms memory-hard
/// hash blocks its thread for the whole time. A burst of logins would then stall every other task in the
/// process. Here the blocking work runs on `threadCount` threads of its own; callers suspend (they do not block)
/// until their job is done, and jobs beyond `threadCount` wait in the queue, which bounds both the CPU
/// (`threadCount` hashes, each with its lanes) and the memory (`threadCount` × the hash's memory) in use.
///
/// Jobs are closures; the queue drops each one as soon as it is taken, so whatever a job captures (a password's
/// ``SecretBytes``) is released when the job finishes. The threads are detached and exit once the pool is
/// released and the queue is empty; releasing the pool never waits.
final class HashingThreadPool: Sendable {
    /// A unit of work. It must not throw or block forever.
    typealias Job = @Sendable () -> Void

    /// The number of threads.
    let threadCount: Int
    private let queue: JobQueue

    /// Starts `threadCount` threads.
    ///
    /// - Throws: ``CryptoError/Code/internalFailure`` if a thread cannot be started; threads already started
    ///   are stopped.
    init(threadCount: Int) throws(CryptoError) {
        precondition(threadCount >= 1, "a pool needs at least one thread")
        let queue = JobQueue()
        for index in 0..<threadCount {
            let context = Unmanaged.passRetained(WorkerContext(queue: queue))
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { argument in
                // Balances `passRetained` above; the context lives as long as this thread.
                let context = Unmanaged<WorkerContext>.fromOpaque(argument!).takeRetainedValue()
                context.run()
                return nil
            }, context.toOpaque())
            guard status == 0 else {
                context.release()
                queue.stop(threadCount: index)
                throw .internalFailure("could not start password hashing thread \(index + 1) of \(threadCount)")
            }
            pthread_detach(thread)
            queue.register(thread)
        }
        self.threadCount = threadCount
        self.queue = queue
    }

    deinit {
        queue.stop(threadCount: threadCount)
    }

    /// Adds `job` to the end of the queue; one of the pool's threads runs it.
    func submit(_ job: @escaping Job) {
        queue.push(job)
    }

    /// Whether the calling thread is one of this pool's threads.
    func isCurrentThreadAWorker() -> Bool {
        queue.isWorker(pthread_self())
    }

    /// The number of processors currently online, at least 1 (`sysconf(_SC_NPROCESSORS_ONLN)`).
    static var activeProcessorCount: Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}

/// What a worker thread needs: the queue it takes jobs from.
private final class WorkerContext: Sendable {
    let queue: JobQueue

    init(queue: JobQueue) {
        self.queue = queue
    }

    /// Takes and runs jobs until the pool stops.
    ///
    /// The thread is not named: `pthread_setname_np` needs `_GNU_SOURCE`, which Swift's Glibc module does not
    /// set, so naming would take a C shim exported from the CSmartAuthArgon2 umbrella header.
    func run() {
        while let job = queue.next() {
            job()
        }
    }
}

/// The jobs waiting for a thread, shared by the pool and its threads.
///
/// `ready` counts signals: one per pushed job and one per thread asked to stop. A thread waits for a signal,
/// then takes the oldest job; when none is left after a signal, the pool is stopping and the thread exits. Every
/// job is taken by exactly one thread, and every thread exits once the pool stops.
private final class JobQueue: Sendable {
    private struct State: ~Copyable {
        /// Taken slots are set to `nil` at once so that a finished job's captures are released.
        var jobs: [HashingThreadPool.Job?] = []
        var head = 0
        var workers: [pthread_t] = []
    }

    private let state = Mutex(State())
    private let ready = DispatchSemaphore(value: 0)

    func register(_ thread: pthread_t) {
        state.withLock { $0.workers.append(thread) }
    }

    func isWorker(_ thread: pthread_t) -> Bool {
        state.withLock { state in state.workers.contains { pthread_equal($0, thread) != 0 } }
    }

    func push(_ job: @escaping HashingThreadPool.Job) {
        state.withLock { $0.jobs.append(job) }
        ready.signal()
    }

    /// Asks `threadCount` threads to exit once the queue is empty.
    func stop(threadCount: Int) {
        for _ in 0..<threadCount { ready.signal() }
    }

    /// Blocks until there is a job or the pool stops; `nil` means stop.
    func next() -> HashingThreadPool.Job? {
        ready.wait()
        return state.withLock { state -> HashingThreadPool.Job? in
            guard state.head < state.jobs.count else { return nil }
            let job = state.jobs[state.head]
            state.jobs[state.head] = nil
            state.head += 1
            // Compact once the taken prefix is both large and most of the array: amortised O(1) per job.
            if state.head >= 64, state.head * 2 >= state.jobs.count {
                state.jobs.removeFirst(state.head)
                state.head = 0
            }
            return job
        }
    }
}
