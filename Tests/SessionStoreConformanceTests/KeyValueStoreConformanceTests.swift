import SmartAuthCore
import Testing

/// The rules every ``KeyValueStore`` must follow, checked against every store in ``AuthStoreFactory/all``.
@Suite struct KeyValueStoreConformanceTests {
    @Test(arguments: AuthStoreFactory.all)
    func absentKeyReadsAsNil(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        #expect(try await store.setValue([1, 2, 3], for: "keyring", ifCurrentValueIs: nil))
        #expect(try await store.value(for: "refresh-secret") == nil)
        #expect(try await store.value(for: "keyrin") == nil)
        #expect(try await store.value(for: "keyring2") == nil)
    }

    @Test(arguments: AuthStoreFactory.all)
    func setIfAbsentSucceedsOnlyOnce(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        #expect(try await store.setValue([1], for: "keyring", ifCurrentValueIs: nil))
        #expect(try await store.value(for: "keyring") == [1])
        #expect(try await store.setValue([2], for: "keyring", ifCurrentValueIs: nil) == false)
        #expect(try await store.value(for: "keyring") == [1])
    }

    @Test(arguments: AuthStoreFactory.all)
    func compareAndSetReplacesOnlyTheExpectedValue(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        #expect(try await store.setValue([1, 2, 3], for: "keyring", ifCurrentValueIs: nil))

        for wrong: [UInt8] in [[1, 2], [1, 2, 3, 4], [1, 2, 4], [], [3, 2, 1]] {
            #expect(try await store.setValue([9], for: "keyring", ifCurrentValueIs: wrong) == false, "\(wrong)")
            #expect(try await store.value(for: "keyring") == [1, 2, 3])
        }
        #expect(try await store.setValue([4, 5], for: "keyring", ifCurrentValueIs: [1, 2, 3]))
        #expect(try await store.value(for: "keyring") == [4, 5])
        // The value that was replaced is no longer current.
        #expect(try await store.setValue([6], for: "keyring", ifCurrentValueIs: [1, 2, 3]) == false)
        #expect(try await store.value(for: "keyring") == [4, 5])
        // Expecting a value on a key that has none fails and creates nothing.
        #expect(try await store.setValue([7], for: "secret", ifCurrentValueIs: [4, 5]) == false)
        #expect(try await store.value(for: "secret") == nil)
    }

    @Test(arguments: AuthStoreFactory.all)
    func binaryValuesRoundTripExactly(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let everyByte = (0...255).map { UInt8($0) }
        let reversed = Array(everyByte.reversed())
        var generator = SystemRandomNumberGenerator()
        let large = (0..<65_536).map { _ in UInt8.random(in: .min ... .max, using: &generator) }

        #expect(try await store.setValue(everyByte, for: "every-byte", ifCurrentValueIs: nil))
        #expect(try await store.value(for: "every-byte") == everyByte)
        #expect(try await store.setValue(reversed, for: "every-byte", ifCurrentValueIs: everyByte))
        #expect(try await store.value(for: "every-byte") == reversed)
        #expect(try await store.setValue(large, for: "large", ifCurrentValueIs: nil))
        #expect(try await store.value(for: "large") == large)
        #expect(try await store.setValue([0, 0, 0], for: "zeros", ifCurrentValueIs: nil))
        #expect(try await store.value(for: "zeros") == [0, 0, 0])
    }

    @Test(arguments: AuthStoreFactory.all)
    func emptyValueIsAValueDistinctFromNone(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        #expect(try await store.setValue([], for: "empty", ifCurrentValueIs: nil))
        #expect(try await store.value(for: "empty") == [])
        #expect(try await store.setValue([1], for: "empty", ifCurrentValueIs: nil) == false)
        #expect(try await store.setValue([1], for: "empty", ifCurrentValueIs: []))
        #expect(try await store.value(for: "empty") == [1])
        #expect(try await store.setValue([], for: "empty", ifCurrentValueIs: [1]))
        #expect(try await store.value(for: "empty") == [])
    }

    @Test(arguments: AuthStoreFactory.all)
    func unicodeKeysAreDistinctAndRoundTrip(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let keys = ["keyring", "Keyring", "keyring ", "clé-🔑", "用户", "مفتاح"]
        for (index, key) in keys.enumerated() {
            #expect(try await store.setValue([UInt8(index)], for: key, ifCurrentValueIs: nil), "\(key)")
        }
        for (index, key) in keys.enumerated() {
            #expect(try await store.value(for: key) == [UInt8(index)], "\(key)")
        }
    }

    @Test(arguments: AuthStoreFactory.all)
    func concurrentSetIfAbsentHasExactlyOneWinner(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        // Every contender's value is distinct, as two servers' freshly generated key rings are.
        let results = try await race(500) { index in
            try await store.setValue(Array("keyring-of-\(index)".utf8), for: "keyring", ifCurrentValueIs: nil)
        }
        let winners = results.indices.filter { results[$0] }
        #expect(winners.count == 1)
        let winner = try #require(winners.first)
        #expect(try await store.value(for: "keyring") == Array("keyring-of-\(winner)".utf8))
    }

    @Test(arguments: AuthStoreFactory.all)
    func concurrentCompareAndSetIncrementsLoseNoUpdate(_ factory: AuthStoreFactory) async throws {
        let store = try await factory.make()
        let tasks = 50
        // Each task adds one to a counter by reading it and compare-and-setting it, retrying when it lost.
        _ = try await race(tasks) { _ in
            while true {
                let current = try await store.value(for: "counter")
                let next = UInt8((current?.first ?? 0) + 1)
                if try await store.setValue([next], for: "counter", ifCurrentValueIs: current) { return }
            }
        }
        #expect(try await store.value(for: "counter") == [UInt8(tasks)])
    }
}
