package import SmartAuthJWT

/// The ad hoc benchmark harness: warm up, then time several runs and keep the best, so a figure reflects the
/// code and not a moment when the machine was busy. Library and reference runs are interleaved so both see
/// the same machine.
public enum Measurement {
    /// Operations per second of `body`, which performs `iterations` operations per call.
    ///
    /// - Parameters:
    ///   - seconds: the time budget for the measured runs (the warm-up adds about a tenth of it).
    ///   - runs: how many timed runs; the best is reported.
    static func opsPerSecond(seconds: Double, runs: Int = 5, _ body: (Int) -> Void) -> Double {
        // Calibrate: find an iteration count that takes about one run's share of the budget.
        let clock = ContinuousClock()
        var iterations = 1
        var elapsed = 0.0
        while true {
            let start = clock.now
            body(iterations)
            elapsed = (clock.now - start).seconds
            if elapsed >= seconds / Double(runs * 10) || iterations >= 1 << 30 { break }
            iterations *= 2
        }
        let perRun = max(1, Int(Double(iterations) * (seconds / Double(runs)) / max(elapsed, 1e-9)))
        var best = 0.0
        for _ in 0..<runs {
            let start = clock.now
            body(perRun)
            best = max(best, Double(perRun) / max((clock.now - start).seconds, 1e-9))
        }
        return best
    }

    /// The median of `values` (the mean of the middle two for an even count; 0 for none).
    public static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
    }

    /// A line that warns when the harness runs in a debug build, whose figures mean nothing.
    public static var buildWarning: String? {
        #if DEBUG
        return "WARNING: this is a debug build; benchmark figures are meaningless. Use `swift build -c release`."
        #else
        return nil
        #endif
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}

extension JSONValue {
    /// A measured figure (milliseconds, a ratio) for the benches' JSON lines: rounded to three decimals.
    package static func figure(_ value: Double) -> JSONValue {
        .number(JSONNumber((value * 1000).rounded() / 1000))
    }
}
