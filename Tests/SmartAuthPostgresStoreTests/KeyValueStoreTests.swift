import Foundation
import SmartAuthCore
import SmartAuthPostgresStore
import Testing

@Suite struct KeyValueStoreTests {
    @Test func compareAndSetFollowsTheCurrentValue() async throws {
        let store = try TestDatabase.store(poolSize: 1)
        let first: [UInt8] = [0, 1, 2, 255, 0]
        let second = Array("second \u{0} value".utf8)
        #expect(try await store.value(for: "keyring") == nil)
        #expect(try await store.setValue(first, for: "keyring", ifCurrentValueIs: nil))
        #expect(try await store.value(for: "keyring") == first)
        #expect(try await store.setValue(second, for: "keyring", ifCurrentValueIs: nil) == false)
        #expect(try await store.setValue(second, for: "keyring", ifCurrentValueIs: [0, 1, 2]) == false)
        #expect(try await store.value(for: "keyring") == first)
        #expect(try await store.setValue(second, for: "keyring", ifCurrentValueIs: first))
        #expect(try await store.value(for: "keyring") == second)
        #expect(try await store.setValue([], for: "keyring", ifCurrentValueIs: second))
        #expect(try await store.value(for: "keyring") == [])
        #expect(try await store.setValue([], for: "absent", ifCurrentValueIs: []) == false)
        #expect(try await store.value(for: "absent") == nil)
    }

    @Test func concurrentInitialisersHaveOneWinner() async throws {
        let store = try TestDatabase.store()
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<40 {
                group.addTask { try await store.setValue([UInt8(index)], for: "ring", ifCurrentValueIs: nil) }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(wins == 1)
        #expect(try await store.value(for: "ring")?.count == 1)
    }

    @Test func largeValuesRoundTrip() async throws {
        let store = try TestDatabase.store(poolSize: 1)
        let value = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(try await store.setValue(value, for: "big", ifCurrentValueIs: nil))
        #expect(try await store.value(for: "big") == value)
    }
}
