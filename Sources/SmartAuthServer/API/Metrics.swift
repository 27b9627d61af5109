import Foundation
import Synchronization

/// Prometheus counters and histograms for `/metrics`: requests and latency by route and status, logins,
/// refreshes, reuse detections and rate-limited requests.
public final class Metrics: Sendable {
    static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    private struct RouteKey: Hashable {
        let route: String
        let status: Int
    }

    private struct Histogram {
        var counts = [Int](repeating: 0, count: Metrics.buckets.count)
        var sum = 0.0
        var count = 0

        /// Counts one observation in every bucket whose bound it does not exceed (Prometheus buckets are cumulative).
        mutating func record(_ seconds: Double) {
            for (index, bound) in Metrics.buckets.enumerated() where seconds <= bound { counts[index] += 1 }
            sum += seconds
            count += 1
        }
    }

    private struct State {
        var requests: [RouteKey: Int] = [:]
        var latency: [String: Histogram] = [:]
        var counters: [String: Int] = [:]
    }

    private let state = Mutex(State())

    /// Empty metrics.
    public init() {}

    /// Records one request.
    func record(route: String, status: Int, seconds: Double) {
        state.withLock { state in
            state.requests[RouteKey(route: route, status: status), default: 0] += 1
            // Mutated in place: copying the histogram out and back would copy its counts on every request.
            state.latency[route, default: Histogram()].record(seconds)
        }
    }

    /// Adds one to a named counter (`logins`, `refreshes`, `refresh_reuse_detected`, `rate_limited`, …).
    func increment(_ name: String, by amount: Int = 1) {
        state.withLock { $0.counters[name, default: 0] += amount }
    }

    /// The value of a named counter.
    func counter(_ name: String) -> Int { state.withLock { $0.counters[name] ?? 0 } }

    /// The Prometheus text exposition (version 0.0.4).
    func render() -> String {
        let state = self.state.withLock { $0 }
        var lines: [String] = []
        lines.append("# HELP smartauth_http_requests_total HTTP requests by route and status.")
        lines.append("# TYPE smartauth_http_requests_total counter")
        for (key, count) in state.requests.sorted(by: { ($0.key.route, $0.key.status) < ($1.key.route, $1.key.status) }) {
            lines.append("smartauth_http_requests_total{route=\"\(escape(key.route))\",status=\"\(key.status)\"} \(count)")
        }
        lines.append("# HELP smartauth_http_request_duration_seconds HTTP request latency by route.")
        lines.append("# TYPE smartauth_http_request_duration_seconds histogram")
        for (route, histogram) in state.latency.sorted(by: { $0.key < $1.key }) {
            for (index, bound) in Metrics.buckets.enumerated() {
                lines.append("smartauth_http_request_duration_seconds_bucket{route=\"\(escape(route))\",le=\"\(bound)\"} \(histogram.counts[index])")
            }
            lines.append("smartauth_http_request_duration_seconds_bucket{route=\"\(escape(route))\",le=\"+Inf\"} \(histogram.count)")
            lines.append("smartauth_http_request_duration_seconds_sum{route=\"\(escape(route))\"} \(histogram.sum)")
            lines.append("smartauth_http_request_duration_seconds_count{route=\"\(escape(route))\"} \(histogram.count)")
        }
        for name in ["logins", "login_failures", "refreshes", "refresh_reuse_detected", "rate_limited", "sessions_revoked"] {
            lines.append("# HELP smartauth_\(name)_total \(name.replacingOccurrences(of: "_", with: " ").capitalized).")
            lines.append("# TYPE smartauth_\(name)_total counter")
            lines.append("smartauth_\(name)_total \(state.counters[name] ?? 0)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
