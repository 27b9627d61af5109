import Synchronization

/// Fans ``AuthEvent``s out to synchronous hooks and to async subscribers.
///
/// The engine publishes an event for every login, refresh and revocation, so ``publish(_:)`` is built to be
/// cheap and to never wait: with nobody listening it is one atomic load; otherwise it copies the current
/// hooks and subscribers under a short lock, releases the lock, then calls each hook and hands the event to
/// each subscriber's bounded buffer.
///
/// - Hooks (``addHook(_:)``) run synchronously on the publishing thread, in registration order. They suit
///   quick, non-blocking work such as incrementing a metric.
/// - Subscriptions (``subscribe(bufferSize:)``) are `AsyncSequence`s with a bounded buffer. A subscriber that
///   falls behind loses the newest events (they are counted in ``droppedEventCount``); it never slows the
///   publisher down.
///
/// - Warning: A hook runs on the thread that is authenticating a user, while that request waits. A slow or
///   blocking hook slows every login and refresh down; hand slow work to a subscription instead.
public final class EventBus: Sendable {
    /// A registered hook.
    private struct Hook: Sendable {
        let token: HookToken
        let body: @Sendable (AuthEvent) -> Void
    }

    /// A registered async subscriber.
    private struct Subscriber: Sendable {
        let id: UInt64
        let continuation: AsyncStream<AuthEvent>.Continuation
    }

    private struct State: Sendable {
        var hooks: [Hook] = []
        var subscribers: [Subscriber] = []
        var nextID: UInt64 = 0

        var listenerCount: Int { hooks.count + subscribers.count }
    }

    private let state = Mutex(State())
    /// `hooks.count + subscribers.count`, written under the lock, read without it by `publish` so that
    /// publishing with nobody listening takes no lock.
    private let listenerCount = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)
    private let defaultBufferSize: Int

    /// A bus with no hooks and no subscribers.
    ///
    /// - Parameter defaultBufferSize: How many events a subscription buffers when ``subscribe(bufferSize:)``
    ///   is called without a size. Default 1024; values below 1 are treated as 1.
    public init(defaultBufferSize: Int = 1024) {
        self.defaultBufferSize = max(1, defaultBufferSize)
    }

    deinit {
        // End every subscription so that its consumer's `for await` loop finishes instead of waiting forever.
        // The termination handlers hold the bus weakly, so they do nothing here.
        let subscribers = state.withLock { $0.subscribers }
        for subscriber in subscribers { subscriber.continuation.finish() }
    }

    /// Delivers `event` to every hook, in registration order, and to every subscriber's buffer.
    ///
    /// Never blocks on a subscriber and never throws. When a subscriber's buffer is full the event is dropped
    /// for that subscriber only and counted in ``droppedEventCount``. Events published from one thread reach
    /// each subscriber in publication order; events published concurrently from several threads have no
    /// defined order between them.
    ///
    /// Hooks are called without any lock held, so a hook may publish, add or remove hooks, or subscribe.
    ///
    /// - Parameter event: The event to deliver.
    public func publish(_ event: AuthEvent) {
        // The fast path: the engine publishes on every login and refresh, usually with nobody listening.
        guard listenerCount.load(ordering: .acquiring) > 0 else { return }
        let (hooks, subscribers) = state.withLock { ($0.hooks, $0.subscribers) }
        for hook in hooks { hook.body(event) }
        for subscriber in subscribers {
            if case .dropped = subscriber.continuation.yield(event) {
                dropped.add(1, ordering: .relaxed)
            }
        }
    }

    /// Adds a synchronous hook, called for every event published from now on.
    ///
    /// The hook runs on the publishing thread, in registration order with the other hooks. It may be called
    /// concurrently from several threads when several events are published at once.
    ///
    /// - Warning: Keep hooks quick and non-blocking: the publishing request waits for them.
    /// - Parameter hook: The function to call with each event.
    /// - Returns: A token that removes the hook when passed to ``removeHook(_:)``.
    @discardableResult
    public func addHook(_ hook: @escaping @Sendable (AuthEvent) -> Void) -> HookToken {
        state.withLock { state in
            let token = HookToken(id: state.nextID)
            state.nextID += 1
            state.hooks.append(Hook(token: token, body: hook))
            listenerCount.store(state.listenerCount, ordering: .releasing)
            return token
        }
    }

    /// Removes the hook that `token` names; does nothing if it was already removed.
    ///
    /// Publications that start after this returns do not call the hook; one already in progress on another
    /// thread may still call it once.
    ///
    /// - Parameter token: The token ``addHook(_:)`` returned.
    public func removeHook(_ token: HookToken) {
        state.withLock { state in
            state.hooks.removeAll { $0.token == token }
            listenerCount.store(state.listenerCount, ordering: .releasing)
        }
    }

    /// Subscribes to every event published from now on.
    ///
    /// The subscription buffers at most `bufferSize` events that its consumer has not read yet. When the
    /// buffer is full the newest events are dropped (the consumer later sees the oldest ones, without gaps
    /// among them) and counted in ``droppedEventCount``.
    ///
    /// The subscription ends, and ``subscriberCount`` goes down, when the consuming task is cancelled or when
    /// the subscription and its iterator are no longer referenced (for example after leaving a
    /// `for await` loop over it). If the bus is deinitialised first, iteration ends normally.
    ///
    /// - Parameter bufferSize: The most events to buffer; `nil` uses the bus's default. Values below 1 are
    ///   treated as 1.
    /// - Returns: An `AsyncSequence` of the events.
    public func subscribe(bufferSize: Int? = nil) -> EventSubscription {
        let size = max(1, bufferSize ?? defaultBufferSize)
        let (stream, continuation) = AsyncStream<AuthEvent>.makeStream(bufferingPolicy: .bufferingOldest(size))
        let id = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.subscribers.append(Subscriber(id: id, continuation: continuation))
            listenerCount.store(state.listenerCount, ordering: .releasing)
            return id
        }
        // Set outside the lock: the handler takes it. Weak: the bus owns the continuation, which owns the
        // handler. Nobody else holds the stream yet, so it cannot have terminated before this line.
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id: id) }
        return EventSubscription(stream: stream)
    }

    private func unsubscribe(id: UInt64) {
        state.withLock { state in
            state.subscribers.removeAll { $0.id == id }
            listenerCount.store(state.listenerCount, ordering: .releasing)
        }
    }

    /// How many events were dropped, summed over all subscribers, because a subscriber's buffer was full,
    /// since the bus was made.
    public var droppedEventCount: Int { dropped.load(ordering: .relaxed) }

    /// The current number of async subscribers.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }
}

/// Identifies a hook added with ``EventBus/addHook(_:)``, to remove it with ``EventBus/removeHook(_:)``.
public struct HookToken: Hashable, Sendable {
    fileprivate let id: UInt64
}

/// The events of one ``EventBus`` subscription, in publication order.
///
/// Made by ``EventBus/subscribe(bufferSize:)``. Iterate it once, from one task; it ends when that task is
/// cancelled, when the bus is deinitialised, or never otherwise.
public struct EventSubscription: AsyncSequence, Sendable {
    /// The events.
    public typealias Element = AuthEvent
    /// Iteration never fails.
    public typealias Failure = Never

    private let stream: AsyncStream<AuthEvent>

    fileprivate init(stream: AsyncStream<AuthEvent>) { self.stream = stream }

    /// Reads the subscription's events one by one.
    public struct AsyncIterator: AsyncIteratorProtocol {
        /// The events.
        public typealias Element = AuthEvent
        /// Iteration never fails.
        public typealias Failure = Never

        private var base: AsyncStream<AuthEvent>.Iterator

        fileprivate init(base: AsyncStream<AuthEvent>.Iterator) { self.base = base }

        /// The next event, waiting for one if none is buffered; `nil` once the subscription has ended.
        public mutating func next() async -> AuthEvent? { await base.next() }

        /// The next event, waiting for one if none is buffered; `nil` once the subscription has ended.
        ///
        /// - Parameter actor: The actor the caller is isolated to, if any.
        public mutating func next(isolation actor: isolated (any Actor)?) async -> AuthEvent? {
            await base.next(isolation: actor)
        }
    }

    /// An iterator over the events.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: stream.makeAsyncIterator()) }
}
