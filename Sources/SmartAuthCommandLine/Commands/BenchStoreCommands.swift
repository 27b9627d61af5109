import Foundation
import SmartAuthBenchmarks
import SmartAuthCore
import SmartAuthJWT
import SmartAuthPostgresStore
import SmartAuthRedisStore
import SmartAuthServer
import Synchronization

/// `smart-auth bench store`, `bench limiter` and `bench password`.
enum BenchStoreCommands {
    static let all: [Command] = [store, limiter, password]

    static let store = Command(
        path: ["bench", "store"],
        summary: "measure authenticate and refresh against a store, next to the server's own limit for the same work",
        help: """
            usage: smart-auth bench store --store URL [--concurrency N] [--seconds S] [--rounds N] [--pool N] [--alg ALG]
                                         [--cpus LIST] [--json]

            Runs authenticate (stateful and cached) and refresh with N concurrent tasks against the store, with
            ops/s and p50/p99 latency, and beside each the server's own limit for the same shape of work, measured
            in the same run with N clients against reference sessions the bench creates (and deletes afterwards):
              Redis       redis-benchmark of HGETALL of a session hash (what a stateful authenticate reads), and of
                          EVALSHA of the store's own rotate script on the full rotation path (refresh)
              PostgreSQL  pgbench -M prepared of the store's session SELECT (authenticate), and of the one
                          UPDATE … RETURNING it runs to rotate the current token (refresh)
            Cached authentication reads the store only on a cache miss, so it has no limit. Without redis-tools
            or pgbench the limits are left out. For stores that broadcast revocations (Redis, PostgreSQL) it also
            measures how long a logout on one engine takes to reach a second engine in cached mode.
            Everything is measured in --rounds rounds, the reference first in odd rounds and last in even ones, so
            that a slow spell of the machine (or the server's background work after the other side's writes)
            touches both; each ratio is taken within its round, and the summary gives the median and range.
            Each figure also gives the CPU this process used per operation (engine, signing, store client) and,
            beside it, the reference tool's own CPU per operation: where the client and the server share the
            machine's cores, the client's CPU is taken from the server, so it bounds the ratio. To measure the
            server's own limit, give the server cores of its own and the bench the others (as `bench http` does
            with taskset): start the server pinned (e.g. `taskset -c 1 redis-server …`) and pass --cpus 0, which
            pins this process and the reference tool it starts. scripts/bench-store.sh does both for the test
            servers of scripts/services.sh.

              --store URL        redis://…, postgres://…, sqlite:PATH or memory:
              --concurrency N    concurrent tasks, and the reference tools' clients (default 16)
              --seconds S        time per figure (default 3)
              --rounds N         rounds (default 3)
              --pool N           the store's connections (default: the concurrency, at most 64)
              --alg ALG          the access tokens' signature algorithm (default EdDSA, the server's default)
              --cpus LIST        run this process and the reference tools on these CPUs only (e.g. 0, 0-2, 0,2)
              --json             one object per line, e.g.
                                 {"bench":"refresh","store":"redis","concurrency":N,"ops_per_sec":N,"p50_ms":N,"p99_ms":N,"cpu_us_per_op":N,"limit_ops_per_sec":N,"limit_reference":"…","limit_tool_cpu_us_per_op":N,"round":N}
                                 {"bench":"refresh-ratio","store":"redis","rounds":N,"ratio_median":N,"ratio_min":N,"ratio_max":N}
                                 {"bench":"revocation-propagation","store":"redis","p50_ms":N,"p99_ms":N}
            """,
        options: ["store", "concurrency", "seconds", "rounds", "pool", "alg", "cpus"], flags: ["json"], usageStatus: 2
    ) { arguments, console in
        let url = try arguments.required("store")
        var cpus: [Int]?
        if let list = arguments.value("cpus") {
            guard let parsed = CPUAffinity.parse(list) else { throw UsageError("--cpus takes a CPU list such as 0, 0-2 or 0,2") }
            cpus = parsed
        }
        let algorithmName = arguments.value("alg") ?? "EdDSA"
        guard let algorithm = SignatureAlgorithm(name: algorithmName) else { throw UsageError("unknown algorithm \(algorithmName)") }
        guard let concurrency = Int(arguments.value("concurrency") ?? "16"), concurrency >= 1 else { throw UsageError("--concurrency must be positive") }
        guard let seconds = Double(arguments.value("seconds") ?? "3"), seconds > 0 else { throw UsageError("--seconds must be positive") }
        guard let rounds = Int(arguments.value("rounds") ?? "3"), (1...100).contains(rounds) else {
            throw UsageError("--rounds must be between 1 and 100")
        }
        // As many pooled connections as the reference tool opens clients, so both sides use the same number.
        guard let pool = Int(arguments.value("pool") ?? String(min(concurrency, 64))), (1...64).contains(pool) else {
            throw UsageError("--pool must be between 1 and 64")
        }
        let json = arguments.has("json")
        let kind = storeKind(url)
        let store: any AuthStore
        switch kind {
        case "redis": store = try RedisStore(url: url, configuration: .init(poolSize: pool))
        case "postgres": store = try PostgresStore(url: url, configuration: .init(poolSize: pool))
        default: store = try StoreURL.open(url)
        }
        if let warning = Measurement.buildWarning { console.printError(warning) }
        let cpuList = cpus?.map(String.init).joined(separator: ",")
        if let cpus, let cpuList {
            try CPUAffinity.pinProcess(to: cpus)
            if !json { console.print("this process and the reference tools run on CPUs \(cpuList)") }
        }
        let shared = kind == "redis" || kind == "postgres"
        var missingTools: String?
        if shared { missingTools = StoreReference.missingTools(for: kind) }
        if let missingTools { console.printError(missingTools) }
        if shared, cpus == nil, isLoopback(url) {
            console.printError(
                "note: the server runs on this machine and shares its \(ProcessInfo.processInfo.activeProcessorCount) CPUs with the bench: "
                    + "the CPU the client spends per operation is taken from the server, which bounds the ratios. For the server's own "
                    + "limit, run it on CPUs of its own and pass --cpus with the others (scripts/bench-store.sh does both).")
        }

        /// The server's limits, measured against reference sessions made (and removed) for this measurement.
        func measureLimits() throws -> StoreReference.Limits {
            guard shared, missingTools == nil else { return StoreReference.Limits() }
            // Reference sessions: for pgbench's per-client rotation at least one per client.
            let count = max(1000, concurrency)
            let sessions = try blocking { try await StoreReference.seed(store: store, count: count, padded: kind == "redis") }
            defer { try? blocking { await StoreReference.remove(sessions, from: store) } }
            if kind == "redis" {
                return StoreReference.redis(
                    url: url, prefix: RedisStore.Configuration().keyPrefix, rotateSource: RedisScriptReference.rotateSource,
                    expiryMargin: RedisScriptReference.expiryMargin, timeText: RedisScriptReference.text,
                    sessions: sessions, concurrency: concurrency, seconds: seconds)
            }
            return StoreReference.postgres(
                url: url, schema: PostgresStore.Configuration().schema, select: StatementText.selectSession,
                rotate: StatementText.rotateCurrentSession,
                sessions: sessions, concurrency: concurrency, seconds: seconds)
        }

        var ratios: [String: [Double]] = [:]
        var ratioOrder: [String] = []
        for round in 1...rounds {
            // The reference first in odd rounds, last in even ones.
            var limits = round % 2 == 1 ? try measureLimits() : StoreReference.Limits()
            let collected = Mutex<[StoreBenchmark.Result]>([])
            try blocking {
                try await StoreBenchmark.run(store: store, algorithm: algorithm, seconds: seconds, concurrency: concurrency) { result in
                    collected.withLock { $0.append(result) }
                }
            }
            let results = collected.withLock { $0 }
            if round % 2 == 0 { limits = try measureLimits() }
            for problem in limits.problems { console.printError(problem) }
            for result in results {
                let limit = limits.byOperation[result.name]
                var object: JSONObject = [
                    "bench": .string(result.name), "store": .string(kind), "concurrency": .number(JSONNumber(concurrency)),
                    "ops_per_sec": .number(JSONNumber(Int64(result.opsPerSecond.rounded()))),
                    "p50_ms": .figure(result.p50),
                    "p99_ms": .figure(result.p99),
                ]
                if let cpu = result.cpuMicroseconds { object["cpu_us_per_op"] = .figure(cpu) }
                if let limit {
                    object["limit_ops_per_sec"] = .number(JSONNumber(Int64(limit.opsPerSecond.rounded())))
                    object["limit_reference"] = .string(limit.reference)
                    if let cpu = limit.toolCPUMicroseconds { object["limit_tool_cpu_us_per_op"] = .figure(cpu) }
                    if ratios[result.name] == nil { ratioOrder.append(result.name) }
                    ratios[result.name, default: []].append(result.opsPerSecond / max(limit.opsPerSecond, 1))
                }
                if let cpuList { object["cpus"] = .string(cpuList) }
                object["round"] = .number(JSONNumber(round))
                if json {
                    console.print(JSONWriter.string(of: .object(object)))
                } else {
                    console.print(
                        result.name.padding(toLength: 24, withPad: " ", startingAt: 0)
                            + String(format: "%8d ops/s  p50 %.2f ms  p99 %.2f ms", Int(result.opsPerSecond), result.p50, result.p99)
                            + (limit.map { String(format: "  %.2f × the server's limit of %d/s", result.opsPerSecond / $0.opsPerSecond, Int($0.opsPerSecond)) } ?? "")
                            + cpuText(result.cpuMicroseconds, limit?.toolCPUMicroseconds)
                            + (rounds > 1 ? "  (round \(round))" : ""))
                    if let limit, round == 1 { console.print("    limit: " + limit.reference) }
                }
            }
        }
        for name in ratioOrder {
            let values = ratios[name] ?? []
            let median = Measurement.median(values)
            if json {
                let object: JSONObject = [
                    "bench": .string(name + "-ratio"), "store": .string(kind), "rounds": .number(JSONNumber(values.count)),
                    "ratio_median": .figure(median),
                    "ratio_min": .figure(values.min() ?? 0),
                    "ratio_max": .figure(values.max() ?? 0),
                ]
                console.print(JSONWriter.string(of: .object(object)))
            } else {
                console.print(
                    name.padding(toLength: 24, withPad: " ", startingAt: 0)
                        + String(format: "median %.2f × the server's limit over %d round%@ (%.2f–%.2f)", median, values.count,
                                 values.count == 1 ? "" : "s", values.min() ?? 0, values.max() ?? 0))
            }
        }
        if store is any RevocationFeed {
            let (p50, p99) = try blocking { try await StoreBenchmark.revocationPropagation(store: store) }
            if json {
                let object: JSONObject = [
                    "bench": .string("revocation-propagation"), "store": .string(kind), "p50_ms": .figure(p50), "p99_ms": .figure(p99),
                ]
                console.print(JSONWriter.string(of: .object(object)))
            } else {
                console.print(String(format: "revocation propagation   p50 %.2f ms  p99 %.2f ms", p50, p99))
            }
        }
        return 0
    }

    /// `  CPU 57 µs/op (tool 12)`: this process's CPU per operation, and the reference tool's beside it.
    static func cpuText(_ here: Double?, _ tool: Double?) -> String {
        guard let here else { return "" }
        return String(format: "  CPU %.0f µs/op", here) + (tool.map { String(format: " (tool %.0f)", $0) } ?? "")
    }

    /// Whether the store's server is on this machine (a loopback host or a Unix socket).
    static func isLoopback(_ url: String) -> Bool {
        guard let components = URLComponents(string: url) else { return false }
        let host = (components.host ?? "").lowercased()
        if host.isEmpty || host.hasPrefix("/") || host.hasPrefix("%2f") { return true }
        return host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    static func storeKind(_ url: String) -> String {
        if url.hasPrefix("redis://") { return "redis" }
        if url.hasPrefix("postgres") { return "postgres" }
        if url.hasPrefix("sqlite:") { return "sqlite" }
        return "memory"
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
