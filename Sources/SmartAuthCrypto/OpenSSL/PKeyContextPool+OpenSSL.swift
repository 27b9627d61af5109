internal import CSmartAuthOpenSSL
import Synchronization

/// A per-key pool of `EVP_PKEY_CTX`s already through `EVP_PKEY_verify_init` and configured (padding, digest,
/// salt length), one list per configuration slot, so that verifying does not create and configure a context
/// each time.
///
/// Contexts are checked out under the lock and used outside it; a context is only ever in one caller's hands.
final class PKeyContextPool: Sendable {
    /// How many idle contexts a slot keeps; more are freed after use. Bounds memory after a burst.
    static let maximumIdlePerSlot = 32

    private let idle: Mutex<[[PKeyContext]]>

    init(slotCount: Int) {
        idle = Mutex([[PKeyContext]](repeating: [], count: slotCount))
    }

    /// Runs `body` with a configured context for `slot`, taken from the pool or made by `make`, and puts it back
    /// afterwards.
    ///
    /// - Returns: What `body` returns, or `nil` if no context could be made.
    func withContext<R>(
        slot: Int,
        make: () -> PKeyContext?,
        _ body: (OpaquePointer) -> R
    ) -> R? {
        let pooled = idle.withLock { $0[slot].popLast() }
        guard let context = pooled ?? make() else { return nil }
        let result = body(context.pointer)
        idle.withLock { slots in
            if slots[slot].count < Self.maximumIdlePerSlot {
                slots[slot].append(context)
            }
        }
        return result
    }
}
