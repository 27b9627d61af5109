import Foundation
import SmartAuthCore
import Synchronization
import Testing

@Suite struct EventBusTests {
    /// An event told apart from others by its generation.
    static func event(_ number: Int, kind: AuthEvent.Kind = .sessionRefreshed) -> AuthEvent {
        AuthEvent(kind: kind, time: Date(timeIntervalSince1970: 1_900_000_000), generation: UInt64(number))
    }

    /// Waits (up to about 10 s, not a timing assertion) for a condition another thread makes true.
    static func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<10_000 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return condition()
    }

    @Test func hooksAreCalledOncePerEventInRegistrationOrder() {
        let bus = EventBus()
        let calls = Mutex<[String]>([])
        bus.addHook { event in calls.withLock { $0.append("a\(event.generation ?? 99)") } }
        bus.addHook { event in calls.withLock { $0.append("b\(event.generation ?? 99)") } }
        bus.addHook { event in calls.withLock { $0.append("c\(event.generation ?? 99)") } }
        bus.publish(Self.event(1))
        bus.publish(Self.event(2))
        #expect(calls.withLock { $0 } == ["a1", "b1", "c1", "a2", "b2", "c2"])
    }

    @Test func removedHookIsNotCalled() {
        let bus = EventBus()
        let calls = Mutex<[String]>([])
        bus.addHook { _ in calls.withLock { $0.append("kept") } }
        let token = bus.addHook { _ in calls.withLock { $0.append("removed") } }
        bus.publish(Self.event(1))
        bus.removeHook(token)
        bus.removeHook(token)  // a second removal does nothing
        bus.publish(Self.event(2))
        #expect(calls.withLock { $0 } == ["kept", "removed", "kept"])
    }

    @Test func publishingWithNobodyListeningDoesNothing() {
        let bus = EventBus()
        bus.publish(Self.event(1))
        let token = bus.addHook { _ in }
        bus.removeHook(token)
        bus.publish(Self.event(2))
        #expect(bus.droppedEventCount == 0)
        #expect(bus.subscriberCount == 0)
    }

    @Test func hookMayPublishWithoutDeadlock() {
        let bus = EventBus()
        let seen = Mutex<[UInt64]>([])
        bus.addHook { event in
            seen.withLock { $0.append(event.generation ?? 0) }
            if event.generation == 1 { bus.publish(Self.event(2)) }
        }
        bus.publish(Self.event(1))
        #expect(seen.withLock { $0 } == [1, 2])
    }

    @Test func subscriberReceivesEventsInOrder() async throws {
        let bus = EventBus()
        let subscription = bus.subscribe()
        #expect(bus.subscriberCount == 1)
        for number in 0..<100 { bus.publish(Self.event(number)) }
        var iterator = subscription.makeAsyncIterator()
        for number in 0..<100 {
            let event = try #require(await iterator.next())
            #expect(event.generation == UInt64(number))
        }
        #expect(bus.droppedEventCount == 0)
    }

    @Test func subscriberWaitsForEventsPublishedLater() async throws {
        let bus = EventBus()
        let subscription = bus.subscribe()
        let consumer = Task {
            var received: [UInt64] = []
            for await event in subscription {
                received.append(event.generation ?? 0)
                if received.count == 3 { break }
            }
            return received
        }
        for number in 1...3 { bus.publish(Self.event(number)) }
        #expect(await consumer.value == [1, 2, 3])
    }

    @Test func everySubscriberGetsEveryEvent() async throws {
        let bus = EventBus()
        let first = bus.subscribe()
        let second = bus.subscribe()
        #expect(bus.subscriberCount == 2)
        for number in 0..<5 { bus.publish(Self.event(number)) }
        for subscription in [first, second] {
            var iterator = subscription.makeAsyncIterator()
            var received: [UInt64] = []
            for _ in 0..<5 { received.append(try #require(await iterator.next()).generation ?? 99) }
            #expect(received == [0, 1, 2, 3, 4])
        }
    }

    @Test func fullBufferDropsNewestEventsAndCountsThem() async throws {
        let bus = EventBus()
        let slow = bus.subscribe(bufferSize: 2)
        let fast = bus.subscribe(bufferSize: 100)
        // `publish` is synchronous: that these calls return at all shows it never waits for the consumer.
        for number in 0..<10 { bus.publish(Self.event(number)) }
        #expect(bus.droppedEventCount == 8)

        var slowIterator = slow.makeAsyncIterator()
        #expect(await slowIterator.next()?.generation == 0)
        #expect(await slowIterator.next()?.generation == 1)
        // Room again: the next event is delivered, not dropped.
        bus.publish(Self.event(10))
        #expect(await slowIterator.next()?.generation == 10)
        #expect(bus.droppedEventCount == 8)

        // The other subscriber lost nothing.
        var fastIterator = fast.makeAsyncIterator()
        for number in 0...10 { #expect(await fastIterator.next()?.generation == UInt64(number)) }
    }

    @Test func defaultBufferSizeApplies() {
        let bus = EventBus(defaultBufferSize: 3)
        let subscription = bus.subscribe()
        for number in 0..<5 { bus.publish(Self.event(number)) }
        #expect(bus.droppedEventCount == 2)
        withExtendedLifetime(subscription) {}
    }

    @Test func cancellingTheConsumingTaskUnsubscribes() async throws {
        let bus = EventBus()
        let subscription = bus.subscribe()
        let started = Mutex(false)
        let consumer = Task {
            started.withLock { $0 = true }
            var count = 0
            for await _ in subscription { count += 1 }
            return count
        }
        #expect(await Self.eventually { started.withLock { $0 } })
        #expect(bus.subscriberCount == 1)
        consumer.cancel()
        _ = await consumer.value
        // The termination handler may run on the cancelling thread just after the consumer resumes.
        #expect(await Self.eventually { bus.subscriberCount == 0 })
        bus.publish(Self.event(1))
        #expect(bus.droppedEventCount == 0)
    }

    @Test func endingIterationUnsubscribes() async throws {
        let bus = EventBus()
        bus.addHook { _ in }
        func readOne() async -> UInt64? {
            for await event in bus.subscribe() {
                return event.generation
            }
            return nil
        }
        async let first = readOne()
        #expect(await Self.eventually { bus.subscriberCount == 1 })
        bus.publish(Self.event(7))
        #expect(await first == 7)
        // Leaving the loop released the subscription and its iterator.
        #expect(bus.subscriberCount == 0)
    }

    @Test func droppingAnUnusedSubscriptionUnsubscribes() {
        let bus = EventBus()
        do {
            let subscription = bus.subscribe()
            #expect(bus.subscriberCount == 1)
            withExtendedLifetime(subscription) {}
        }
        #expect(bus.subscriberCount == 0)
    }

    @Test func subscriptionEndsWhenTheBusGoesAway() async {
        var bus: EventBus? = EventBus()
        let subscription = bus!.subscribe()
        bus!.publish(Self.event(1))
        bus = nil
        var received: [UInt64] = []
        for await event in subscription { received.append(event.generation ?? 99) }
        #expect(received == [1])
    }

    @Test func concurrentPublishingDeliversEachEventExactlyOnce() async throws {
        let bus = EventBus()
        let hookCounts = Mutex<[UInt64: Int]>([:])
        bus.addHook { event in hookCounts.withLock { $0[event.generation ?? .max, default: 0] += 1 } }
        let subscription = bus.subscribe(bufferSize: 10_000)
        let (tasks, perTask) = (50, 100)

        await withTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for index in 0..<perTask { bus.publish(Self.event(task * perTask + index)) }
                }
            }
        }

        let counts = hookCounts.withLock { $0 }
        #expect(counts.count == tasks * perTask)
        #expect(counts.values.allSatisfy { $0 == 1 })
        #expect(counts[UInt64(tasks * perTask)] == nil)

        var seen = Set<UInt64>()
        var iterator = subscription.makeAsyncIterator()
        for _ in 0..<(tasks * perTask) {
            let event = try #require(await iterator.next())
            #expect(seen.insert(event.generation ?? .max).inserted)
        }
        #expect(seen.count == tasks * perTask)
        #expect(bus.droppedEventCount == 0)
    }

    @Test func concurrentSubscribingAndPublishingKeepsCountsConsistent() async {
        let bus = EventBus()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                group.addTask {
                    let subscription = bus.subscribe(bufferSize: 1)
                    let token = bus.addHook { _ in }
                    for number in 0..<50 { bus.publish(Self.event(index * 50 + number)) }
                    bus.removeHook(token)
                    withExtendedLifetime(subscription) {}
                }
            }
        }
        #expect(bus.subscriberCount == 0)
        #expect(bus.droppedEventCount > 0)
    }
}
