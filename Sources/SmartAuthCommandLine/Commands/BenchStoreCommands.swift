import Foundation
import SmartAuthBenchmarks
import SmartAuthCore
import SmartAuthJWT
import SmartAuthServer

/// `smart-auth bench store`, `bench limiter` and `bench password`.
enum BenchStoreCommands {
    static let all: [Command] = [store, limiter, password]

    static let store = Command(
        path: ["bench", "store"],
        summary: "measure authenticate and refresh against a store, next to the server's own round-trip limit",
        help: """
            usage: smart-auth bench store --store URL [--concurrency N] [--seconds S] [--json]

            Runs authenticate (stateful and cached) and refresh with N concurrent tasks against the store, with
            ops/s and p50/p99 latency, and beside them the server's own limit measured in the same run: for Redis
            redis-benchmark (PING, one round trip, N clients), for PostgreSQL pgbench (SELECT 1, N clients). For
            stores that broadcast revocations (Redis, PostgreSQL) it also measures how long a logout on one engine
            takes to reach a second engine in cached mode.

              --store URL        redis://…, postgres://…, sqlite:PATH or memory:
              --concurrency N    concurrent tasks (default 16)
              --seconds S        time per figure (default 3)
              --json             one object per line, e.g.
                                 {"bench":"refresh","store":"redis","concurrency":N,"ops_per_sec":N,"p50_ms":N,"p99_ms":N,"limit_ops_per_sec":N}
                                 {"bench":"revocation-propagation","store":"redis","p50_ms":N,"p99_ms":N}
            """,
        options: ["store", "concurrency", "seconds"], flags: ["json"], usageStatus: 2
    ) { arguments, console in
        let url = try arguments.required("store")
        guard let concurrency = Int(arguments.value("concurrency") ?? "16"), concurrency >= 1 else { throw UsageError("--concurrency must be positive") }
        guard let seconds = Double(arguments.value("seconds") ?? "3"), seconds > 0 else { throw UsageError("--seconds must be positive") }
        let json = arguments.has("json")
        let kind = storeKind(url)
        let store = try StoreURL.open(url)
        if let warning = Measurement.buildWarning { console.printError(warning) }
        let limit = referenceLimit(url: url, kind: kind, concurrency: concurrency, seconds: seconds)
        try blocking {
            try await StoreBenchmark.run(store: store, seconds: seconds, concurrency: concurrency) { result in
                var object: JSONObject = [
                    "bench": .string(result.name), "store": .string(kind), "concurrency": .number(JSONNumber(concurrency)),
                    "ops_per_sec": .number(JSONNumber(Int64(result.opsPerSecond.rounded()))),
                    "p50_ms": .number(JSONNumber((result.p50 * 1000).rounded() / 1000)),
                    "p99_ms": .number(JSONNumber((result.p99 * 1000).rounded() / 1000)),
                ]
                if let limit { object["limit_ops_per_sec"] = .number(JSONNumber(Int64(limit.rounded()))) }
                if json {
                    console.print(JSONWriter.string(of: .object(object)))
                } else {
                    let ratio = limit.map { String(format: "  (%.2f × the server's round-trip limit of %d/s)", result.opsPerSecond / $0, Int($0)) } ?? ""
                    console.print(
                        result.name.padding(toLength: 24, withPad: " ", startingAt: 0)
                            + String(format: "%8d ops/s  p50 %.2f ms  p99 %.2f ms", Int(result.opsPerSecond), result.p50, result.p99) + ratio)
                }
            }
            if store is any RevocationFeed {
                let (p50, p99) = try await StoreBenchmark.revocationPropagation(store: store)
                if json {
                    console.print(#"{"bench":"revocation-propagation","store":"\#(kind)","p50_ms":\#((p50 * 1000).rounded() / 1000),"p99_ms":\#((p99 * 1000).rounded() / 1000)}"#)
                } else {
                    console.print(String(format: "revocation propagation   p50 %.2f ms  p99 %.2f ms", p50, p99))
                }
            }
        }
        return 0
    }

    static func storeKind(_ url: String) -> String {
        if url.hasPrefix("redis://") { return "redis" }
        if url.hasPrefix("postgres") { return "postgres" }
        if url.hasPrefix("sqlite:") { return "sqlite" }
        return "memory"
    }

    /// The server's own round-trip rate with `concurrency` clients, measured with its own benchmark tool.
    static func referenceLimit(url: String, kind: String, concurrency: Int, seconds: Double) -> Double? {
        guard let components = URLComponents(string: url) else { return nil }
        let host = components.host ?? "127.0.0.1"
        switch kind {
        case "redis":
            var arguments = ["-h", host, "-p", String(components.port ?? 6379), "-c", String(concurrency), "-n", "100000", "-t", "ping_mbulk", "--csv"]
            if let password = components.password { arguments += ["-a", password] }
            let output = runTool("redis-benchmark", arguments)
            let line = output.split(separator: "\n").first { $0.hasPrefix("\"PING_MBULK\"") }
            return line.flatMap { Double($0.split(separator: ",")[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))) }
        case "postgres":
            let script = NSTemporaryDirectory() + "smartauth-pgbench-\(UUID().uuidString).sql"
            guard (try? "SELECT 1;\n".write(toFile: script, atomically: true, encoding: .utf8)) != nil else { return nil }
            defer { try? FileManager.default.removeItem(atPath: script) }
            var arguments = ["-n", "-c", String(concurrency), "-j", "2", "-T", String(Int(max(1, seconds))), "-f", script, "-h", host,
                             "-p", String(components.port ?? 5432)]
            if let user = components.user { arguments += ["-U", user] }
            arguments.append(String(components.path.dropFirst()))
            let output = runTool(pgbench(), arguments)
            guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }) else { return nil }
            return Double(line.dropFirst("tps = ".count).prefix { $0.isNumber || $0 == "." })
        default:
            return nil
        }
    }

    static func pgbench() -> String {
        let candidates = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in candidates.sorted().reversed() where FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\(version)/bin/pgbench") {
            return "/usr/lib/postgresql/\(version)/bin/pgbench"
        }
        return "pgbench"
    }

    static func runTool(_ tool: String, _ arguments: [String]) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        guard (try? process.run()) != nil else { return "" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static let limiter = Command(
        path: ["bench", "limiter"],
        summary: "measure rate-limit decisions per second against a store",
        help: """
            usage: smart-auth bench limiter --store URL [--seconds S] [--concurrency N] [--json]

            GCRA decisions per second over 10,000 keys, with one task and with N concurrent tasks (default 2 × cores).
            --json prints {"bench":"limiter","store":"memory","concurrency":N,"ops_per_sec":N} per figure.
            """,
        options: ["store", "seconds", "concurrency"], flags: ["json"], usageStatus: 2
    ) { arguments, console in
        let url = arguments.value("store") ?? "memory:"
        let store = try StoreURL.open(url)
        guard let seconds = Double(arguments.value("seconds") ?? "2"), seconds > 0 else { throw UsageError("--seconds must be positive") }
        guard let concurrency = Int(arguments.value("concurrency") ?? String(2 * ProcessInfo.processInfo.activeProcessorCount)), concurrency >= 1 else {
            throw UsageError("--concurrency must be positive")
        }
        if let warning = Measurement.buildWarning { console.printError(warning) }
        let kind = storeKind(url)
        try blocking {
            for tasks in [1, concurrency] {
                let rate = try await LimiterBenchmark.run(store: store, seconds: seconds, concurrency: tasks)
                if arguments.has("json") {
                    console.print(LimiterBenchmark.json(store: kind, concurrency: tasks, opsPerSecond: rate))
                } else {
                    console.print("limiter  \(kind)  \(tasks) task\(tasks == 1 ? "" : "s")  \(Int(rate)) decisions/s")
                }
            }
        }
        return 0
    }

    static let password = Command(
        path: ["bench", "password"],
        summary: "measure argon2id verifications per second against libargon2 itself",
        help: """
            usage: smart-auth bench password [--seconds S] [--json]

            Argon2id verifications per second at the default (OWASP) parameters through SmartAuth's PasswordHasher,
            next to libargon2's own speed in the same run.
            --json prints {"bench":"password","ops_per_sec":N,"reference_ops_per_sec":N,"ratio":R}.
            """,
        options: ["seconds"], flags: ["json"], usageStatus: 2
    ) { arguments, console in
        guard let seconds = Double(arguments.value("seconds") ?? "3"), seconds > 0 else { throw UsageError("--seconds must be positive") }
        if let warning = Measurement.buildWarning { console.printError(warning) }
        let (ops, reference) = try blocking { try await PasswordBenchmark.run(seconds: seconds) }
        if arguments.has("json") {
            console.print(PasswordBenchmark.json(opsPerSecond: ops, referenceOpsPerSecond: reference))
        } else {
            console.print(String(format: "argon2id verify: %.1f/s through SmartAuth, %.1f/s libargon2 directly (ratio %.2f)", ops, reference, reference > 0 ? ops / reference : 0))
        }
        return 0
    }
}
