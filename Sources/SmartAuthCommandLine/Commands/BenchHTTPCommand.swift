import Foundation
import SmartAuthBenchmarks
import SmartAuthJWT
import SmartAuthServer

/// `smart-auth bench http`.
enum BenchHTTPCommand {
    static let all: [Command] = [command]

    static let command = Command(
        path: ["bench", "http"],
        summary: "drive the auth server with wrk next to Node.js references (node:http, Express) of the same routes",
        help: """
            usage: smart-auth bench http [--alg HS256,ES256] [--rounds N] [--seconds S] [--warmup S] [--sessions N]
                                         [--connections N] [--servers LIST] [--no-cached] [--no-stateless]
                                         [--store-dir DIR] [--benchmarks DIR] [--json]

            Serves a temporary SQLite store with `smart-auth serve --session-check stateful --no-rate-limits --quiet`
            pinned to core 0 (taskset -c 0) and drives it with wrk pinned to core 1 (wrk -t1 -cN -dSs --latency) on
            GET /v1/userinfo (authenticate: every request verified, a session lookup per request) and on the
            refresh grant (POST /v1/token, grant_type=refresh_token: each token used once, rotated). In the same run
            it drives a reference implementation of the same two routes in Node.js (benchmarks/node/reference.js,
            jose v4) on plain node:http and on Express, pinned to the same core. The requests are spread over
            --sessions distinct sessions. SmartAuth is also measured on userinfo with --session-check cached:5 (row
            "smartauth-cached": sessions checked in the store, the answer kept 5 s, revocations through the server
            honoured at once) and with --session-check stateless (row "smartauth-stateless": the JWT alone, the same
            work as the Node reference). Every row verifies every token's signature: there is no verification cache.
            Each figure follows a warm-up run of the same script. The userinfo figures are measured in --rounds
            rounds, every server once per round, and each round's ratio (SmartAuth ÷ the faster Node reference
            of that round) is compared with the goals (≥ 2× for HS256, ≥ 1.5× for ES256, each with a lower p99);
            the summary gives the median ratio, its range and in how many rounds the goal was met. The refresh
            grant is measured in the first round only (its tokens are used up by then).

              --alg ALGS         comma-separated, HS256 and/or ES256 (default both)
              --rounds N         userinfo rounds (default 3)
              --seconds S        seconds per figure (default 5)
              --warmup S         seconds of warm-up before each figure (default 1; 0 skips it)
              --sessions N       distinct sessions (default 10000)
              --connections N    wrk connections (default 50)
              --servers LIST     comma-separated among smartauth,node-http,express (default all)
              --no-cached        skip the cached SmartAuth figure
              --no-stateless     skip the stateless SmartAuth figure
              --store-dir DIR    where the temporary store and token files go (default: the temporary folder,
                                 $TMPDIR or /tmp). The store keeps SQLite's default synchronous=FULL, so each refresh
                                 waits for an fsync there; --store-dir /dev/shm (tmpfs) shows the figure without it
              --benchmarks DIR   the repository's benchmarks/ folder (default: found from the working directory
                                 or the executable's location)
              --json             one object per line:
                                 {"bench":"userinfo","alg":"HS256","server":"smartauth","requests_per_sec":N,"p50_ms":N,
                                  "p99_ms":N,"session_check":"stateful","sessions":N,"errors":N,"round":N}
                                 (bench "refresh" for the refresh grant; server "smartauth", "smartauth-cached",
                                 "smartauth-stateless", "node-http" or "express"; session_check only on
                                 SmartAuth's rows), then per SmartAuth row
                                 {"bench":"userinfo-ratio","alg":"HS256","server":"smartauth-stateless",
                                  "reference":"node-http","rounds":N,"ratio_median":N,"ratio_min":N,"ratio_max":N,
                                  "p99_lower_rounds":N,"goal":N,"goal_met_rounds":N}

            Needs taskset, wrk, node and the Debian packages node-jose and node-express (NODE_PATH=/usr/share/nodejs
            is set for the reference). Build in release mode first: swift build -c release --product smart-auth.
            """,
        options: ["alg", "rounds", "seconds", "warmup", "sessions", "connections", "servers", "store-dir", "benchmarks"], flags: ["json", "no-stateless", "no-cached"],
        usageStatus: 2
    ) { arguments, console in
        var algorithms = HTTPBenchmark.supportedAlgorithms
        if let list = arguments.value("alg") {
            algorithms = try list.split(separator: ",").map { (name) throws(UsageError) -> SignatureAlgorithm in
                guard let algorithm = SignatureAlgorithm(name: String(name)), HTTPBenchmark.supportedAlgorithms.contains(algorithm) else {
                    throw UsageError("--alg takes HS256 and/or ES256 (the algorithms the Node reference implements)")
                }
                return algorithm
            }
        }
        func integer(_ name: String, _ fallback: Int, minimum: Int) throws(UsageError) -> Int {
            guard let value = Int(arguments.value(name) ?? String(fallback)), value >= minimum, value <= 3_600 * 1_000 else {
                throw UsageError("--\(name) must be a whole number ≥ \(minimum)")
            }
            return value
        }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        guard let benchmarks = arguments.value("benchmarks") ?? findBenchmarksDirectory(executable: executable) else {
            throw UsageError("cannot find the benchmarks/ folder; run from the repository or pass --benchmarks DIR")
        }
        var options = HTTPBenchmark.Options(executable: executable, benchmarksDirectory: benchmarks)
        options.seconds = try integer("seconds", 5, minimum: 1)
        options.warmup = try integer("warmup", 1, minimum: 0)
        options.rounds = try integer("rounds", 3, minimum: 1)
        options.sessions = try integer("sessions", 10_000, minimum: 1)
        options.connections = try integer("connections", 50, minimum: 1)
        options.stateless = !arguments.has("no-stateless")
        options.cached = !arguments.has("no-cached")
        if let list = arguments.value("servers") {
            options.servers = list.split(separator: ",").map(String.init)
            guard !options.servers.isEmpty, options.servers.allSatisfy(HTTPBenchmark.allServers.contains) else {
                throw UsageError("--servers takes a comma-separated list among \(HTTPBenchmark.allServers.joined(separator: ","))")
            }
        }
        let json = arguments.has("json")
        if let warning = Measurement.buildWarning { console.printError(warning) }
        if let missing = HTTPBenchmark.missingTools(servers: options.servers, benchmarksDirectory: benchmarks) {
            console.printError("missing: \(missing)")
            return 1
        }
        if ProcessInfo.processInfo.activeProcessorCount < 2 {
            console.printError("WARNING: fewer than 2 cores available; the server and wrk share one core")
            options.loadCPU = options.serverCPU
        }

        HTTPBenchmark.Interruption.install()
        let log: (String) -> Void = { line in if !json { console.printError(line) } }
        var results: [HTTPBenchmark.Result] = []
        if !json {
            console.print("bench     alg    server                 req/s    p50 ms   p99 ms  errors  round")
        }
        for algorithm in algorithms {
            let parent = arguments.value("store-dir").map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? NSTemporaryDirectory()
            let directory = parent + "smartauth-bench-http-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            HTTPBenchmark.Interruption.track(directory: directory)
            defer {
                try? FileManager.default.removeItem(atPath: directory)
                HTTPBenchmark.Interruption.untrack(directory: directory)
            }
            let storePath = directory + "/store.db"
            log("\(algorithm.name): creating \(options.sessions + options.warmupSessions + 1) sessions in \(storePath)")
            let fixture = try blocking { [options] in
                let store = try StoreURL.open("sqlite:" + storePath)
                return try await HTTPBenchmark.prepare(
                    algorithm: algorithm, options: options, store: store, storePath: storePath, directory: directory)
            }
            try HTTPBenchmark.run(fixture: fixture, options: options, log: log) { result in
                results.append(result)
                if json {
                    console.print(result.json)
                } else {
                    func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
                    func left(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
                    console.print(
                        pad(result.bench, 10) + pad(result.algorithm, 7) + pad(result.server, 20)
                            + left(String(Int(result.requestsPerSecond.rounded())), 8) + left(String(format: "%.2f", result.p50), 10)
                            + left(String(format: "%.2f", result.p99), 9) + left(String(result.errors), 8)
                            + left(String(result.round), 7))
                }
            }
        }
        if json {
            for comparison in HTTPBenchmark.comparisons(results) { console.print(comparison.json) }
        } else {
            console.print("")
            for line in HTTPBenchmark.summary(results) { console.print(line) }
        }
        return 0
    }

    /// `benchmarks/` in the working directory or a parent, or above the executable (`.build/release/smart-auth`).
    static func findBenchmarksDirectory(executable: String) -> String? {
        var starts = [FileManager.default.currentDirectoryPath]
        starts.append((executable as NSString).deletingLastPathComponent)
        for start in starts {
            var directory = start
            for _ in 0..<6 {
                let candidate = directory + "/benchmarks"
                if FileManager.default.fileExists(atPath: candidate + "/node/reference.js") { return candidate }
                let parent = (directory as NSString).deletingLastPathComponent
                if parent == directory { break }
                directory = parent
            }
        }
        return nil
    }
}
