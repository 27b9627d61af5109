import Dispatch
import Synchronization

/// Runs async work from a synchronous command and waits for it. The waiting thread is the process's main
/// thread, which is not part of Swift's cooperative pool, so the work is not starved.
func blocking<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
    let semaphore = DispatchSemaphore(value: 0)
    let outcome = Mutex<Result<T, any Error>?>(nil)
    Task {
        do {
            let value = try await operation()
            outcome.withLock { $0 = .success(value) }
        } catch {
            outcome.withLock { $0 = .failure(error) }
        }
        semaphore.signal()
    }
    semaphore.wait()
    return try outcome.withLock { $0! }.get()
}
