import Foundation
public import SmartAuthCore
import SmartAuthJWT
import Synchronization

/// `smart-auth bench limiter`: rate-limit decisions per second against a store, one task and many.
public enum LimiterBenchmark {
    /// Decisions per second with `concurrency` tasks for `seconds`, over 10,000 distinct keys.
    public static func run(store: any RateLimitStore, seconds: Double, concurrency: Int) async throws -> Double {
        let limiter = RateLimiter(store: store)
        let limit = RateLimit(limit: 1_000_000, period: 1)
        let keys = (0..<10_000).map { RateLimitKey.ip("10.0.\($0 >> 8).\($0 & 255)") }
        return try await EngineBenchmark.measure(seconds, concurrency) { index in
            _ = try await limiter.acquire(keys[index % keys.count], limit: limit)
        }
    }

    /// One JSON line: `{"bench":"limiter","store":…,"concurrency":N,"ops_per_sec":N}`.
    public static func json(store: String, concurrency: Int, opsPerSecond: Double) -> String {
        JSONWriter.string(of: .object([
            "bench": .string("limiter"), "store": .string(store), "concurrency": .number(JSONNumber(concurrency)),
            "ops_per_sec": .number(JSONNumber(Int64(opsPerSecond.rounded()))),
        ]))
    }
}
