import Foundation
import SmartAuthCore
import Testing

@testable import SmartAuthRedisStore

/// ``KeyValueStore`` on Redis: binary values and an atomic compare-and-set.
@Suite struct RedisStoreKeyValueStoreTests {
    @Test func compareAndSetFollowsTheExpectedValue() async throws {
        try await LiveRedis.withStore { store async throws in
            let first: [UInt8] = [0, 1, 2, 255, 0, 13, 10]  // binary, with NULs and a CRLF
            let second = Array("key ring v2".utf8)
            #expect(try await store.value(for: "ring") == nil)
            #expect(try await store.setValue(first, for: "ring", ifCurrentValueIs: nil))
            #expect(try await store.value(for: "ring") == first)
            #expect(try await store.setValue(second, for: "ring", ifCurrentValueIs: nil) == false)
            #expect(try await store.setValue(second, for: "ring", ifCurrentValueIs: [0, 1, 2]) == false)
            #expect(try await store.setValue(second, for: "ring", ifCurrentValueIs: first))
            #expect(try await store.value(for: "ring") == second)
            #expect(try await store.setValue([], for: "ring", ifCurrentValueIs: second))
            #expect(try await store.value(for: "ring") == [])
            // An empty value is a value, not an absence.
            #expect(try await store.setValue([1], for: "ring", ifCurrentValueIs: nil) == false)
            #expect(try await store.setValue([1], for: "ring", ifCurrentValueIs: []))
        }
    }

    @Test func concurrentFirstWritesHaveExactlyOneWinner() async throws {
        try await LiveRedis.withStore { store async throws in
            let wins = try await race(100) { index in
                try await store.setValue(Array("ring-\(index)".utf8), for: "ring", ifCurrentValueIs: nil) ? index : nil
            }.compactMap { $0 }
            #expect(wins.count == 1)
            let winner = try #require(wins.first)
            #expect(try await store.value(for: "ring") == Array("ring-\(winner)".utf8))
        }
    }

    @Test func prefixesSeparateStoresOnOneServer() async throws {
        try await LiveRedis.withStore { one async throws in
            try await LiveRedis.withStore { two async throws in
                #expect(try await one.setValue([1], for: "shared", ifCurrentValueIs: nil))
                #expect(try await two.value(for: "shared") == nil)
                #expect(try await two.setValue([2], for: "shared", ifCurrentValueIs: nil))
                #expect(try await one.value(for: "shared") == [1])
            }
        }
    }
}
