import Foundation
import Testing

@testable import SmartAuthBenchmarks

/// `bench http` compares SmartAuth with the faster Node reference round by round; these pin that arithmetic.
@Suite struct HTTPBenchmarkComparisonTests {
    private func row(
        _ server: String, _ rate: Double, p99: Double, round: Int, bench: String = "userinfo", alg: String = "HS256"
    ) -> HTTPBenchmark.Result {
        HTTPBenchmark.Result(
            bench: bench, algorithm: alg, server: server,
            sessionCheck: server.hasPrefix("smartauth") ? "stateless" : nil, sessions: 10_000,
            requestsPerSecond: rate, p50: p99 / 2, p99: p99, requests: Int(rate) * 5, errors: 0, round: round)
    }

    @Test func eachRoundIsComparedWithTheFasterReferenceOfThatRound() throws {
        let results = [
            row("smartauth-stateless", 90_000, p99: 1.1, round: 1),
            row("node-http", 40_000, p99: 3.0, round: 1),
            row("express", 12_000, p99: 9.0, round: 1),
            // Round 2: the machine is slower for everybody; the ratio is taken within the round.
            row("smartauth-stateless", 70_000, p99: 1.4, round: 2),
            row("node-http", 36_000, p99: 3.5, round: 2),
            row("express", 11_000, p99: 9.0, round: 2),
            row("smartauth-stateless", 84_000, p99: 4.0, round: 3),
            row("node-http", 40_000, p99: 3.0, round: 3),
            row("express", 12_000, p99: 9.0, round: 3),
        ]
        let comparisons = HTTPBenchmark.comparisons(results)
        #expect(comparisons.count == 1)
        let comparison = try #require(comparisons.first)
        #expect(comparison.reference == "node-http")
        #expect(comparison.ratios == [2.25, 70_000.0 / 36_000, 2.1])
        #expect(comparison.lowerP99 == [true, true, false])
        #expect(comparison.medianRatio == 2.1)
        #expect(comparison.goal == 2.0)
        // Round 2 misses the ratio, round 3 the p99.
        #expect(comparison.roundsMet == 1)
        #expect(comparison.line.contains("met in 1 of 3"))
        let json = comparison.json
        #expect(json.contains("\"bench\":\"userinfo-ratio\""))
        #expect(json.contains("\"ratio_median\":2.1"))
        #expect(json.contains("\"goal_met_rounds\":1"))
        #expect(json.contains("\"p99_lower_rounds\":2"))
    }

    @Test func goalsFollowTheIssueAndRefreshHasNone() {
        let results = [
            row("smartauth", 16_000, p99: 6, round: 1, alg: "ES256"),
            row("node-http", 10_000, p99: 8, round: 1, alg: "ES256"),
            row("smartauth", 16_000, p99: 6, round: 2, alg: "ES256"),
            row("node-http", 11_000, p99: 8, round: 2, alg: "ES256"),
            row("smartauth", 4_000, p99: 12, round: 1, bench: "refresh", alg: "ES256"),
            row("node-http", 20_000, p99: 5, round: 1, bench: "refresh", alg: "ES256"),
        ]
        let comparisons = HTTPBenchmark.comparisons(results)
        #expect(comparisons.map(\.bench) == ["userinfo", "refresh"])
        #expect(comparisons[0].goal == 1.5)
        // An even number of rounds: the mean of the middle two.
        #expect(abs(comparisons[0].medianRatio - (1.6 + 16_000.0 / 11_000) / 2) < 1e-12)
        #expect(comparisons[0].roundsMet == 1)
        #expect(comparisons[1].goal == nil)
        #expect(comparisons[1].ratios == [0.2])
        #expect(!comparisons[1].json.contains("goal"))
    }

    @Test func aRoundWithoutAReferenceIsLeftOut() {
        let results = [
            row("smartauth-stateless", 90_000, p99: 1, round: 1),
            row("node-http", 45_000, p99: 3, round: 1),
            row("smartauth-stateless", 10, p99: 1, round: 2),
        ]
        #expect(HTTPBenchmark.comparisons(results).first?.ratios == [2.0])
    }
}
