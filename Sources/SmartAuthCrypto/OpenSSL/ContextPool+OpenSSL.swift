internal import CSmartAuthOpenSSL
import Synchronization

/// Idle, ready-to-use OpenSSL contexts of one configuration (an `EVP_PKEY_CTX` through `EVP_PKEY_verify_init`
/// with its padding and digest set, a keyed `EVP_MAC_CTX`, or an `EVP_MD_CTX` that each use initialises again),
/// so that the hot path neither creates nor configures a context.
///
/// One idle context sits in a lock-free slot (an atomic exchange to take it, a compare-and-exchange to give it
/// back), which covers the common case of little contention without a lock. Further idle contexts, up to
/// ``maximumIdle``, wait in a `Mutex`-protected array. A context is in the pool or in exactly one caller's hands.
///
/// `@unchecked Sendable`: the pool owns C pointers, which are not `Sendable`. Every idle pointer is reachable
/// only through the atomic slot or under the mutex, and a pointer that has been taken is used by one thread
/// only until it is given back. The pool frees every idle context exactly once, in `deinit`.
final class ContextPool: @unchecked Sendable {
    /// Which OpenSSL free function the contexts need.
    enum Kind {
        /// `EVP_PKEY_CTX`, freed with `EVP_PKEY_CTX_free`.
        case publicKey
        /// `EVP_MAC_CTX`, freed with `EVP_MAC_CTX_free`.
        case mac
        /// `EVP_MD_CTX`, freed with `EVP_MD_CTX_free`.
        case digest
    }

    /// How many idle contexts the overflow array keeps; more are freed when given back. Bounds memory after
    /// a burst of concurrency.
    static let maximumIdle = 32

    private let kind: Kind
    private let fast = Atomic<OpaquePointer?>(nil)
    /// Idle contexts beyond the fast slot, as address bit patterns: an `Int` is `Sendable`, so it can move in
    /// and out of the mutex's `sending` closure, where a (non-`Sendable`) `OpaquePointer` cannot.
    private let overflow = Mutex<[Int]>([])

    init(kind: Kind) {
        self.kind = kind
    }

    deinit {
        if let context = fast.exchange(nil, ordering: .acquiring) {
            free(context)
        }
        let remaining = overflow.withLock { contexts in
            defer { contexts.removeAll() }
            return contexts
        }
        for address in remaining {
            if let context = OpaquePointer(bitPattern: address) { free(context) }
        }
    }

    /// Runs `body` with an idle context, or with a new one from `make` (which must return a context the pool
    /// may own and free), then keeps the context for the next caller.
    ///
    /// - Returns: What `body` returns, or `nil` if the pool was empty and `make` failed.
    @inline(__always)
    func withContext<R>(make: () -> OpaquePointer?, _ body: (OpaquePointer) -> R) -> R? {
        guard let context = take() ?? make() else { return nil }
        let result = body(context)
        give(context)
        return result
    }

    @inline(__always)
    private func take() -> OpaquePointer? {
        if let context = fast.exchange(nil, ordering: .acquiring) {
            return context
        }
        return overflow.withLock { $0.popLast() }.flatMap { OpaquePointer(bitPattern: $0) }
    }

    @inline(__always)
    private func give(_ context: OpaquePointer) {
        if fast.compareExchange(expected: nil, desired: context, ordering: .acquiringAndReleasing).exchanged {
            return
        }
        let address = Int(bitPattern: context)
        let kept = overflow.withLock { contexts in
            guard contexts.count < Self.maximumIdle else { return false }
            contexts.append(address)
            return true
        }
        if !kept { free(context) }
    }

    private func free(_ context: OpaquePointer) {
        switch kind {
        case .publicKey: EVP_PKEY_CTX_free(context)
        case .mac: EVP_MAC_CTX_free(context)
        case .digest: EVP_MD_CTX_free(context)
        }
    }
}

/// One ``ContextPool`` per configuration slot of a key (for example, per hash function and padding).
final class PKeyContextPool: Sendable {
    private let slots: [ContextPool]

    init(slotCount: Int) {
        slots = (0..<slotCount).map { _ in ContextPool(kind: .publicKey) }
    }

    /// Runs `body` with a configured context for `slot`, made by `make` if none is idle.
    ///
    /// - Returns: What `body` returns, or `nil` if no context could be made.
    @inline(__always)
    func withContext<R>(slot: Int, make: () -> OpaquePointer?, _ body: (OpaquePointer) -> R) -> R? {
        slots[slot].withContext(make: make, body)
    }
}
