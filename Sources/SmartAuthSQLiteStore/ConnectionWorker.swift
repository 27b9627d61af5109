import Dispatch
import SmartAuthCore

/// A connection and the serial queue that is its one owner.
///
/// Every call into SQLite blocks (on disk I/O, on the busy timeout); none runs on Swift's cooperative pool. An
/// `async` caller hands a closure to the worker's queue, a Dispatch serial queue served by Dispatch's own
/// threads, and is resumed through a checked continuation when it has run — so thousands of waiting tasks cost
/// no threads, and the connection is used by one thread at a time.
final class ConnectionWorker: Sendable {
    private let queue: DispatchQueue
    private let connection: SQLiteConnection

    /// A worker that owns `connection` from now on.
    init(_ connection: SQLiteConnection, label: String) {
        self.connection = connection
        self.queue = DispatchQueue(label: label)
    }

    /// Runs `body` with the connection on the worker's queue and returns its result.
    func run<Result: Sendable>(
        _ body: @escaping @Sendable (SQLiteConnection) throws(SessionStoreError) -> Result
    ) async throws(SessionStoreError) -> Result {
        let connection = connection
        let outcome = await withCheckedContinuation {
            (continuation: CheckedContinuation<Swift.Result<Result, SessionStoreError>, Never>) in
            queue.async {
                continuation.resume(
                    returning: Swift.Result { () throws(SessionStoreError) -> Result in
                        guard connection.isOpen else {
                            throw SessionStoreError.unavailable("the SQLite store is closed")
                        }
                        return try body(connection)
                    })
            }
        }
        return try outcome.get()
    }

    /// Queues `body` to run with the connection on the worker's queue, after every job queued before it; the
    /// caller learns of its end through `body` itself. `body` runs even when the connection is closed: it checks.
    func enqueue(_ body: @escaping @Sendable (SQLiteConnection) -> Void) {
        let connection = connection
        queue.async { body(connection) }
    }

    /// Closes the connection after every job queued before this call.
    func close() async {
        let connection = connection
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                connection.close()
                continuation.resume()
            }
        }
    }
}
