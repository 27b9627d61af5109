import Foundation
import SmartAuthCore
import SmartAuthTesting
import Testing

@Suite struct BruteForceProtectorTests {
    func protector(_ clock: ManualClock) -> BruteForceProtector {
        BruteForceProtector(store: MemoryRateLimitStore(), clock: clock)
    }

    func retryAfter(_ protector: BruteForceProtector, _ address: String = "198.51.100.1", trusted: Bool = false) async -> Double? {
        do {
            try await protector.checkAllowed(account: "alice@example.com", address: address, trustedDevice: trusted)
            return nil
        } catch {
            #expect(error.code == .rateLimited)
            return error.retryAfter
        }
    }

    @Test func backOffScheduleDoublesAndIsCapped() {
        let protector = protector(ManualClock())
        #expect((0..<5).map { protector.delay(afterFailures: $0, threshold: 5) } == [0, 0, 0, 0, 0])
        #expect((5..<10).map { protector.delay(afterFailures: $0, threshold: 5) } == [1, 2, 4, 8, 16])
        #expect(protector.delay(afterFailures: 100, threshold: 5) == 900)
    }

    @Test func perAddressBackOffStartsAtItsThresholdAndGrows() async throws {
        let clock = ManualClock()
        let protector = protector(clock)
        for _ in 0..<4 { try await protector.recordFailure(account: "alice@example.com", address: "198.51.100.1") }
        #expect(await retryAfter(protector) == nil)
        try await protector.recordFailure(account: "alice@example.com", address: "198.51.100.1")  // 5th
        #expect(await retryAfter(protector) == 1)
        clock.advance(by: 1)
        #expect(await retryAfter(protector) == nil)
        try await protector.recordFailure(account: "alice@example.com", address: "198.51.100.1")  // 6th
        #expect(await retryAfter(protector) == 2)
        // Another address is not affected (yet).
        #expect(await retryAfter(protector, "203.0.113.50") == nil)
        // Success clears everything.
        try await protector.recordSuccess(account: "alice@example.com", address: "198.51.100.1")
        #expect(await retryAfter(protector) == nil)
    }

    /// With the defaults, at most 20 consecutive failures for one account before the back-off answers.
    @Test func accountWideBackOffCatchesDistributedAttacks() async throws {
        let clock = ManualClock()
        let protector = protector(clock)
        for index in 0..<20 {
            #expect(await retryAfter(protector, "203.0.113.\(index)") == nil)
            try await protector.recordFailure(account: "alice@example.com", address: "203.0.113.\(index)")
        }
        #expect(await retryAfter(protector, "192.0.2.200") == 1)
        // The owner on a device that already has a session is judged by its own address only.
        #expect(await retryAfter(protector, "192.0.2.200", trusted: true) == nil)
        // Failures are forgotten after the window.
        clock.advance(by: 12 * 3600 + 1)
        #expect(await retryAfter(protector, "192.0.2.200") == nil)
    }

    @Test func countersFailClosed() async {
        let down = BruteForceProtector(store: UnavailableCounters(), clock: ManualClock())
        let error = await #expect(throws: AuthError.self) { try await down.checkAllowed(account: "a", address: "b") }
        #expect(error?.code == .storeUnavailable)
    }
}
