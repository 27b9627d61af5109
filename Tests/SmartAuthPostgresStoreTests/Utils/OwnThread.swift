import Foundation

/// Runs blocking work (a child process, a pipe read) on a thread of its own, so that it never holds one of the
/// few threads of Swift's cooperative pool that the other tests need.
func onOwnThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
