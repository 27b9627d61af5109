import Foundation
import SmartAuthCore
import Testing

@testable import SmartAuthSQLiteStore

/// ``KeyValueStore`` on SQLite: values and the compare-and-set.
@Suite struct SQLiteStoreKeyValueTests {
    @Test func compareAndSetFollowsTheExpectedValue() async throws {
        try await withStore { store, _ async throws in
            let ring: [UInt8] = [0x7B, 0x00, 0xFF, 0x22, 0x00]
            let rotated: [UInt8] = Array("{\"keys\":[]}".utf8)
            #expect(try await store.value(for: "key-ring") == nil)
            #expect(try await store.setValue(ring, for: "key-ring", ifCurrentValueIs: nil))
            #expect(try await store.value(for: "key-ring") == ring)
            // Already set: a second "create" loses, and a stale expectation loses.
            #expect(try await store.setValue(rotated, for: "key-ring", ifCurrentValueIs: nil) == false)
            #expect(try await store.setValue(rotated, for: "key-ring", ifCurrentValueIs: [0x7B]) == false)
            #expect(try await store.value(for: "key-ring") == ring)
            #expect(try await store.setValue(rotated, for: "key-ring", ifCurrentValueIs: ring))
            #expect(try await store.value(for: "key-ring") == rotated)
            // An expectation for a key that has no value fails.
            #expect(try await store.setValue(ring, for: "other", ifCurrentValueIs: ring) == false)
            #expect(try await store.value(for: "other") == nil)
        }
    }

    @Test func emptyValueIsAValueNotAbsence() async throws {
        try await withStore { store, _ async throws in
            #expect(try await store.setValue([], for: "empty", ifCurrentValueIs: nil))
            #expect(try await store.value(for: "empty") == [])
            #expect(try await store.setValue([1], for: "empty", ifCurrentValueIs: nil) == false)
            #expect(try await store.setValue([1], for: "empty", ifCurrentValueIs: []))
            #expect(try await store.value(for: "empty") == [1])
        }
    }

    @Test func largeValueRoundTrips() async throws {
        try await withStore { store, _ async throws in
            let value = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            #expect(try await store.setValue(value, for: "big", ifCurrentValueIs: nil))
            #expect(try await store.value(for: "big") == value)
        }
    }

    @Test func concurrentFirstWritersHaveExactlyOneWinner() async throws {
        // As two servers starting at once: tasks on two stores sharing the file.
        try await withStore { first, path async throws in
            let second = try SQLiteStore(path: path)
            let winners = try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                for index in 0..<60 {
                    let store = index % 2 == 0 ? first : second
                    let value = Array("ring-\(index)".utf8)
                    group.addTask { try await store.setValue(value, for: "ring", ifCurrentValueIs: nil) ? value : nil }
                }
                return try await group.reduce(into: [[UInt8]]()) { if let value = $1 { $0.append(value) } }
            }
            await second.close()
            #expect(winners.count == 1)
            #expect(try await first.value(for: "ring") == winners.first)
        }
    }
}
