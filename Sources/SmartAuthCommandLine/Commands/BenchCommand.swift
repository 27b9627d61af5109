import SmartAuthBenchmarks
import Foundation
import SmartAuthJWT

/// `smart-auth bench jwt` and `smart-auth bench engine`.
enum BenchCommand {
    static let all: [Command] = [command, engine]

    static let engine = Command(
        path: ["bench", "engine"],
        summary: "measure the session engine with the in-memory store",
        help: """
            usage: smart-auth bench engine [--alg ALG] [--seconds S] [--concurrency N] [--sessions N] [--json]

            Measures with the in-memory store, with one task and with N concurrent tasks: JWT verification alone
            (the baseline: same token shape and algorithm), login, authenticate in each session-check mode
            (stateless, stateful, cached) and refresh; then the resident memory per session with --sessions
            sessions in the store.

              --alg ALG          signing algorithm (default EdDSA)
              --seconds S        time per figure (default 1)
              --concurrency N    concurrent tasks for the "all cores" figures (default 2 × cores)
              --sessions N       sessions for the memory figure (default 1000000; 0 skips it)
              --json             one JSON object per line, e.g. {"bench":"refresh","threads":1,"ops_per_sec":N}
                                 and {"bench":"memory","sessions":1000000,"bytes_per_session":N}
            """,
        options: ["alg", "seconds", "concurrency", "sessions"], flags: ["json"], usageStatus: 2
    ) { arguments, console in
        let name = arguments.value("alg") ?? "EdDSA"
        guard let algorithm = SignatureAlgorithm(name: name) else { throw UsageError("unknown algorithm \(name)") }
        guard let seconds = Double(arguments.value("seconds") ?? "1"), seconds > 0, seconds <= 600 else {
            throw UsageError("--seconds must be a number between 0 and 600")
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard let concurrency = Int(arguments.value("concurrency") ?? String(2 * cores)), concurrency >= 1 else {
            throw UsageError("--concurrency must be a positive number")
        }
        guard let sessions = Int(arguments.value("sessions") ?? "1000000"), sessions >= 0 else {
            throw UsageError("--sessions must be a number")
        }
        let json = arguments.has("json")
        if let warning = Measurement.buildWarning { console.printError(warning) }
        if !json { console.print("bench                    tasks   ops/s") }
        try blocking {
            try await EngineBenchmark.run(algorithm: algorithm, seconds: seconds, concurrency: concurrency) { result in
                if json {
                    console.print(result.json)
                } else {
                    console.print(
                        result.name.padding(toLength: 25, withPad: " ", startingAt: 0)
                            + String(result.threads).padding(toLength: 8, withPad: " ", startingAt: 0)
                            + String(Int(result.opsPerSecond)))
                }
            }
            if sessions > 0 {
                if !json { console.print("filling the memory store with \(sessions) sessions…") }
                let bytes = try await EngineBenchmark.memoryPerSession(count: sessions)
                if json {
                    console.print(#"{"bench":"memory","sessions":\#(sessions),"bytes_per_session":\#(Int(bytes.rounded()))}"#)
                } else {
                    console.print("memory: \(Int(bytes.rounded())) resident bytes per session at \(sessions) sessions")
                }
            }
        }
        return 0
    }

    static let command = Command(
        path: ["bench", "jwt"],
        summary: "measure JWT sign/verify against raw OpenSSL on this machine",
        help: """
            usage: smart-auth bench jwt [--seconds S] [--alg ALGS] [--op sign|verify] [--json]

            Measures, single-threaded, sign and verify of a typical ~300-byte access token (iss, sub, aud, exp, iat,
            jti, sid, two roles) with SmartAuth, and beside each the same OpenSSL primitive over the same signing
            input with keys parsed once and contexts reused. The ratio is SmartAuth / OpenSSL.

              --seconds S   time per figure (default 1)
              --alg ALGS    comma-separated algorithms (default HS256,RS256,PS256,ES256,EdDSA)
              --op OP       only sign or only verify (default both)
              --json        one JSON object per line:
                            {"alg":"ES256","op":"verify","ops_per_sec":N,"reference_ops_per_sec":N,"ratio":R}

            Build in release mode first (scripts/run.sh does): debug figures are meaningless.
            """,
        options: ["seconds", "alg", "op"], flags: ["json"], usageStatus: 2
    ) { arguments, console in
        guard let seconds = Double(arguments.value("seconds") ?? "1"), seconds > 0, seconds <= 600 else {
            throw UsageError("--seconds must be a number between 0 and 600")
        }
        var algorithms = JWTBenchmark.defaultAlgorithms
        if let list = arguments.value("alg") {
            algorithms = try list.split(separator: ",").map { (name) throws(UsageError) -> SignatureAlgorithm in
                guard let algorithm = SignatureAlgorithm(name: String(name)) else { throw UsageError("unknown algorithm \(name)") }
                return algorithm
            }
        }
        var operations: Set<String> = ["sign", "verify"]
        if let operation = arguments.value("op") {
            guard operations.contains(operation) else { throw UsageError("--op must be sign or verify") }
            operations = [operation]
        }
        let json = arguments.has("json")
        if let warning = Measurement.buildWarning { console.printError(warning) }
        if !json {
            console.print("alg    op       smartauth ops/s   openssl ops/s   ratio")
        }
        _ = try JWTBenchmark.run(algorithms: algorithms, operations: operations, seconds: seconds) { result in
            if json {
                console.print(result.json)
            } else {
                func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
                console.print(
                    pad(result.algorithm.name, 7) + pad(result.operation, 9)
                        + pad(String(Int(result.opsPerSecond)), 18) + pad(String(Int(result.referenceOpsPerSecond)), 16)
                        + String(format: "%.2f", result.ratio))
            }
        }
        return 0
    }
}
