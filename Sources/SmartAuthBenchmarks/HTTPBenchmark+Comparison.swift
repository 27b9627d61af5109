import SmartAuthJWT

import Foundation

extension HTTPBenchmark {
    /// One SmartAuth row against the faster Node reference of the same round, on one route and algorithm, over
    /// every round of the run: the goals are ratios, and a ratio of two figures measured a minute apart on
    /// a shared machine moves with the machine (node:http alone has moved 37k–46k req/s between runs), so each
    /// round's ratio is taken from figures measured side by side, and the spread over the rounds is reported.
    public struct Comparison: Sendable, Equatable {
        /// `userinfo` or `refresh`.
        public let bench: String
        /// `HS256`, `ES256`.
        public let algorithm: String
        /// The SmartAuth row (`smartauth`, `smartauth-cached`, `smartauth-stateless`).
        public let server: String
        /// The reference that was faster in most rounds (`node-http` or `express`).
        public let reference: String
        /// Per round, in round order: SmartAuth's req/s ÷ the faster reference's req/s in that round.
        public let ratios: [Double]
        /// Per round: whether SmartAuth's p99 was lower than that reference's.
        public let lowerP99: [Bool]
        /// The goal for this row (userinfo: 2× for HS256, 1.5× for ES256), `nil` where it sets none.
        public let goal: Double?

        public var medianRatio: Double { Measurement.median(ratios) }

        /// Rounds in which the goal was met: the ratio reached it and the p99 was lower.
        public var roundsMet: Int {
            guard let goal else { return 0 }
            return zip(ratios, lowerP99).filter { $0 >= goal && $1 }.count
        }

        /// One line for people.
        public var line: String {
            var line = String(format: "%@ %@ %@: %.2f× %@'s req/s", bench, algorithm, server, medianRatio, reference)
            if ratios.count > 1 {
                line += String(
                    format: " (median of %d rounds, %.2f–%.2f×), p99 lower in %d of %d", ratios.count,
                    ratios.min() ?? 0, ratios.max() ?? 0, lowerP99.filter { $0 }.count, ratios.count)
            } else {
                line += ", p99 " + (lowerP99.first == true ? "lower" : "not lower")
            }
            if let goal {
                line += String(format: "  (goal ≥ %.1f× with a lower p99: met in %d of %d)", goal, roundsMet, ratios.count)
            }
            return line
        }

        /// One JSON object on one line:
        /// `{"bench":"userinfo-ratio","alg":…,"server":…,"reference":…,"rounds":N,"ratio_median":N,"ratio_min":N,
        /// "ratio_max":N,"p99_lower_rounds":N,"goal":N,"goal_met_rounds":N}`.
        public var json: String {
            var object: JSONObject = [
                "bench": .string(bench + "-ratio"), "alg": .string(algorithm), "server": .string(server),
                "reference": .string(reference), "rounds": .number(JSONNumber(ratios.count)),
                "ratio_median": .figure(medianRatio), "ratio_min": .figure(ratios.min() ?? 0),
                "ratio_max": .figure(ratios.max() ?? 0),
                "p99_lower_rounds": .number(JSONNumber(lowerP99.filter { $0 }.count)),
            ]
            if let goal {
                object["goal"] = .figure(goal)
                object["goal_met_rounds"] = .number(JSONNumber(roundsMet))
            }
            return JSONWriter.string(of: .object(object))
        }
    }

    /// The goal for a row: on userinfo, 2× the faster Node reference for HS256 and 1.5× for ES256.
    static func goal(bench: String, algorithm: String) -> Double? {
        guard bench == "userinfo" else { return nil }
        return switch algorithm {
        case "HS256": 2.0
        case "ES256": 1.5
        default: nil
        }
    }

    /// Every SmartAuth row of `results` against the faster reference of its own round, in the order the rows
    /// first appear. Rounds without a reference figure for that route are left out.
    public static func comparisons(_ results: [Result]) -> [Comparison] {
        struct Key: Hashable {
            let bench: String
            let algorithm: String
            let server: String
        }
        var order: [Key] = []
        var rounds: [Key: [(ratio: Double, lowerP99: Bool, reference: String)]] = [:]
        for row in results where row.sessionCheck != nil {
            let references = results.filter {
                $0.sessionCheck == nil && $0.algorithm == row.algorithm && $0.bench == row.bench && $0.round == row.round
            }
            guard let faster = references.max(by: { $0.requestsPerSecond < $1.requestsPerSecond }) else { continue }
            let key = Key(bench: row.bench, algorithm: row.algorithm, server: row.server)
            if rounds[key] == nil { order.append(key) }
            rounds[key, default: []].append(
                (row.requestsPerSecond / max(faster.requestsPerSecond, 1), row.p99 < faster.p99, faster.server))
        }
        return order.map { key in
            let measured = rounds[key] ?? []
            let counts = measured.reduce(into: [String: Int]()) { $0[$1.reference, default: 0] += 1 }
            let reference = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? ""
            return Comparison(
                bench: key.bench, algorithm: key.algorithm, server: key.server, reference: reference,
                ratios: measured.map(\.ratio), lowerP99: measured.map(\.lowerP99),
                goal: goal(bench: key.bench, algorithm: key.algorithm))
        }
    }

    /// Lines comparing SmartAuth with the faster Node reference against the goals (reported, not
    /// asserted).
    public static func summary(_ results: [Result]) -> [String] {
        comparisons(results).map(\.line)
    }
}
