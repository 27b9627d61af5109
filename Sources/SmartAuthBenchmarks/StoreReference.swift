public import Foundation
public import SmartAuthCore
import SmartAuthCrypto
import SmartAuthJWT

/// The server's own limit for the same shape of work as each store-bound operation of `smart-auth bench store`,
/// measured with the server's own benchmark tool (redis-benchmark, pgbench) in the same run, with the same number
/// of concurrent clients, against reference sessions the bench creates and removes.
public enum StoreReference {
    /// One reference figure.
    public struct Limit: Sendable {
        /// Operations per second the tool reached.
        public let opsPerSecond: Double
        /// What the tool ran, for the report.
        public let reference: String
        /// CPU the tool itself (the reference client) used per operation, microseconds.
        public var toolCPUMicroseconds: Double? = nil
    }

    /// The limits per operation name (`authenticate-stateful`, `refresh`), and why any is missing.
    public struct Limits: Sendable {
        public var byOperation: [String: Limit] = [:]
        public var problems: [String] = []
        public init() {}
    }

    /// Reference sessions: copies of one session the engine created at login, identifiers `<stem><n>` for
    /// `n` in `0..<count` (`n` zero-padded to 12 digits when `padded`, the form of redis-benchmark's
    /// `__rand_int__`), all of one user of their own.
    public struct Sessions: Sendable {
        public let stem: String
        public let user: UserID
        public let count: Int
        public let padded: Bool
        /// The template's generation (every copy has it).
        public let generation: UInt64
        /// The time the copies were made (they stay live for the refresh idle timeout after it).
        public let now: Date
        /// `now` plus the engine's refresh idle timeout: the idle expiry a rotation at `now` asks for.
        public let idleExpiry: Date
        /// The grace window the engine sends with a rotation.
        public let graceWindow: TimeInterval

        public func id(_ n: Int) -> String {
            padded ? stem + String(repeating: "0", count: max(0, 12 - String(n).count)) + String(n) : stem + String(n)
        }
    }

    /// Creates `count` reference sessions in `store`: one login through an engine (the template), then copies of
    /// it under the reference identifiers with `store.create`.
    public static func seed(store: any AuthStore, count: Int, padded: Bool) async throws -> Sessions {
        let tag = UUID().uuidString.prefix(8).lowercased()
        let user = UserID("bench-ref-\(tag)")
        let ring = try KeyRing.generate(algorithm: .eddsa, now: Date())
        let engine = try EngineBenchmark.makeEngine(ring: ring, secret: try SecretBytes(randomCount: 32), mode: .stateful, store: store)
        let configuration = engine.configuration
        let pair = try await engine.login(userID: user, client: ClientInfo(ipAddress: "203.0.113.7", userAgent: "bench"))
        guard let template = try await store.session(pair.session.id, at: Date()) else { throw BenchmarkError("the reference template session vanished") }
        let sessions = Sessions(
            stem: "bench-ref-\(tag)-", user: user, count: count, padded: padded, generation: template.generation,
            now: Date(), idleExpiry: Date().addingTimeInterval(configuration.refreshIdleTimeout),
            graceWindow: configuration.refreshGraceWindow)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<8 {
                    group.addTask {
                        for n in stride(from: lane, to: count, by: 8) {
                            var copy = template
                            copy.id = SessionID(sessions.id(n))
                            try await store.create(copy)
                        }
                    }
                }
                try await group.waitForAll()
            }
        } catch {
            await remove(sessions, from: store)
            throw error
        }
        return sessions
    }

    /// Deletes the reference sessions (and the template) with one `revokeAll` of their user.
    public static func remove(_ sessions: Sessions, from store: any AuthStore) async {
        await StoreBenchmark.removeSessions(of: [sessions.user], from: store)
    }

    // MARK: - Redis

    /// redis-benchmark of what the store runs for each operation, against the reference sessions.
    ///
    /// - authenticate-stateful: `RedisStore.session(_:at:)` is one `HGETALL` of the session hash, so the reference
    ///   is `HGETALL <prefix>s:<stem>__rand_int__` over the `count` reference sessions.
    /// - refresh: `RedisStore.rotate(_:)` is one `EVALSHA` of the rotate script. The reference is `EVALSHA` of that
    ///   same script (its source taken from the store, loaded with `SCRIPT LOAD`) with the arguments the store
    ///   sends, except that the generation presented and the one to write are both the session's current one:
    ///   every call then takes the full rotation path (`HGETALL`, `HSET` of g/r/l/i, the client's `HSET`s/`HDEL`,
    ///   `PEXPIRE`, `SADD` and `PTTL` on the user's index, the final `HGETALL`), and stays repeatable because the
    ///   generation it writes is the one it found. redis-benchmark draws each `__rand_int__` on its own, so the id
    ///   argument (`SADD` to the user's index) is another reference session of the same user: already a member, as
    ///   in a real rotation.
    public static func redis(
        url: String, prefix: String, rotateSource: String, expiryMargin: Int, timeText: (Date) -> String,
        sessions: Sessions, concurrency: Int, seconds: Double
    ) -> Limits {
        var limits = Limits()
        guard let benchmark = ChildProcess.find("redis-benchmark"), let cli = ChildProcess.find("redis-cli") else {
            limits.problems.append("redis-benchmark or redis-cli not found (Debian: apt-get install redis-tools): no limit")
            return limits
        }
        guard let components = URLComponents(string: url) else { return limits }
        var connection = ["-h", components.host ?? "127.0.0.1", "-p", String(components.port ?? 6379)]
        if let user = components.user, !user.isEmpty { connection += ["--user", user.removingPercentEncoding ?? user] }
        if let password = components.password { connection += ["-a", password.removingPercentEncoding ?? password, "--no-auth-warning"] }
        let database = Int(components.path.dropFirst()) ?? 0

        let key = prefix + "s:" + sessions.stem + "__rand_int__"
        let read = ["HGETALL", key]
        if let (rate, cpu) = redisBenchmark(benchmark, connection + ["--dbnum", String(database)], read, sessions, concurrency, seconds) {
            limits.byOperation["authenticate-stateful"] = Limit(
                opsPerSecond: rate,
                reference: "redis-benchmark -c \(concurrency) -r \(sessions.count) HGETALL \(key)", toolCPUMicroseconds: cpu)
        } else {
            limits.problems.append("redis-benchmark of HGETALL failed: no limit for authenticate-stateful")
        }

        let sha = ChildProcess.run(cli, connection + ["SCRIPT", "LOAD", rotateSource]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard sha.count == 40, sha.allSatisfy(\.isHexDigit) else {
            limits.problems.append("SCRIPT LOAD of the rotate script failed (\(sha)): no limit for refresh")
            return limits
        }
        let generation = String(sessions.generation)
        let arguments = [
            generation, generation, timeText(sessions.now), timeText(sessions.idleExpiry), "\(sessions.graceWindow)",
            "1203.0.113.7", "1bench", "0", prefix, sessions.stem + "__rand_int__", String(expiryMargin),
        ]
        // One call by hand first: it must take the rotation path.
        let probe = ["EVALSHA", sha, "1", prefix + "s:" + sessions.id(0)]
            + arguments.map { $0.replacingOccurrences(of: "__rand_int__", with: String(sessions.id(0).suffix(12))) }
        let answer = ChildProcess.run(cli, connection + ["-n", String(database)] + probe).output
        guard answer.hasPrefix("rotated") else {
            limits.problems.append("the rotate script did not take the rotation path (\(answer.prefix(80))): no limit for refresh")
            return limits
        }
        let rotate = ["EVALSHA", sha, "1", key] + arguments
        if let (rate, cpu) = redisBenchmark(benchmark, connection + ["--dbnum", String(database)], rotate, sessions, concurrency, seconds) {
            limits.byOperation["refresh"] = Limit(
                opsPerSecond: rate,
                reference: "redis-benchmark -c \(concurrency) -r \(sessions.count) EVALSHA <rotate script> 1 \(key) "
                    + "with the store's arguments but generation \(generation) presented and written (full rotation path)",
                toolCPUMicroseconds: cpu)
        } else {
            limits.problems.append("redis-benchmark of the rotate script failed: no limit for refresh")
        }
        return limits
    }

    /// redis-benchmark's requests per second for `command`, sized to take about `seconds` after a short run, and
    /// its own CPU per request (microseconds) in that run.
    static func redisBenchmark(
        _ tool: String, _ connection: [String], _ command: [String], _ sessions: Sessions, _ concurrency: Int, _ seconds: Double
    ) -> (rate: Double, cpu: Double?)? {
        func run(_ requests: Int) -> Double? {
            let result = ChildProcess.run(
                tool, connection + ["-c", String(concurrency), "-n", String(requests), "-r", String(sessions.count), "--csv"] + command)
            guard result.status == 0 else { return nil }
            // "test","rps",… then "<command>","<rps>",…
            guard let line = result.output.split(separator: "\n").first(where: { !$0.hasPrefix("\"test\"") && $0.hasPrefix("\"") })
            else { return nil }
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            return fields.count > 1 ? Double(fields[1]) : nil
        }
        guard let estimate = run(2000) else { return nil }
        let requests = min(5_000_000, max(10_000, Int(estimate * seconds)))
        let cpuBefore = CPUTime.endedChildren
        guard let rate = run(requests) else { return nil }
        return (rate, CPUTime.microsecondsPerOperation(CPUTime.endedChildren - cpuBefore, operations: Double(requests)))
    }

    // MARK: - PostgreSQL

    /// pgbench (`-M prepared`, the store prepares its statements too) of the statements the store runs for each
    /// operation, against the reference sessions, with `search_path` set to the store's schema.
    ///
    /// - authenticate-stateful: `PostgresStore.session(_:at:)` is `sa_select_session`; the reference runs its
    ///   text for a random reference session, storing the row with `\gset` (so a missing row fails the run).
    /// - refresh: `PostgresStore.rotate(_:)` with the current token is one statement,
    ///   `sa_rotate_current_session` (`UPDATE … RETURNING`, generation + 1); the reference runs exactly that text,
    ///   each client on its own session presenting the generation the previous run returned (as each bench task
    ///   refreshes its own chain), at a time that advances by 1 ms per rotation (as the store's clock does, so
    ///   that each rotation moves the indexed expiry as the store's do).
    public static func postgres(
        url: String, schema: String, select: String, rotate: String,
        sessions: Sessions, concurrency: Int, seconds: Double
    ) -> Limits {
        var limits = Limits()
        guard let pgbench = findPgbench() else {
            limits.problems.append("pgbench not found (Debian: apt-get install postgresql-contrib or postgresql): no limit")
            return limits
        }
        let id = "('\(sessions.stem)' || :n::text)"
        func bind(_ sql: String, _ values: [Int: String]) -> String {
            var text = sql
            for (index, value) in values.sorted(by: { $0.key > $1.key }) { text = text.replacingOccurrences(of: "$\(index)", with: value) }
            return text
        }
        let readScript = """
            \\set n random(0, \(sessions.count - 1))
            \(bind(select, [1: id, 2: ":now"])) \\gset

            """
        // `now` advances by 1 ms per rotation, as the store's clock does between refreshes. With a constant `now`
        // every rotation would write the same idle expiry, so the indexed `expires_at` would never change and
        // PostgreSQL could update each row in place (a HOT update, no index write): a cheaper statement than the
        // one the store runs, whose rotations always move `expires_at` (measured: 100% HOT vs 0%).
        let rotateScript = """
            \\set n :client_id
            \\set now :now + 0.001
            \(bind(rotate, [1: id, 2: ":gen", 3: ":now", 4: ":idletimeout", 5: ":ip", 6: ":ua", 7: "NULL"])) \\gset r_
            \\set gen :r_generation

            """
        let variables = [
            "now=\(sessions.now.timeIntervalSinceReferenceDate)", "idle=\(sessions.idleExpiry.timeIntervalSinceReferenceDate)",
            "ip=203.0.113.7", "ua=bench", "gen=0", "idletimeout=604800",
        ]
        let runs: [(String, String, String)] = [
            ("authenticate-stateful", readScript, "sa_select_session \\gset for a random one of \(sessions.count) reference sessions"),
            ("refresh", rotateScript, "sa_rotate_current_session (UPDATE … RETURNING, generation + 1) \\gset, one session per client, presenting the generation it last got"),
        ]
        for (operation, script, what) in runs {
            let path = NSTemporaryDirectory() + "smartauth-pgbench-\(UUID().uuidString).sql"
            guard (try? script.write(toFile: path, atomically: true, encoding: .utf8)) != nil else { continue }
            defer { try? FileManager.default.removeItem(atPath: path) }
            var arguments = ["-n", "-M", "prepared", "-c", String(concurrency), "-j", String(min(2, concurrency)),
                             "-T", String(max(1, Int(seconds.rounded())))]
            arguments += variables.flatMap { ["-D", $0] }
            arguments += ["-f", path, url]
            var environment = ProcessInfo.processInfo.environment
            // As the store connects: its schema first on the search path, floats as shortest exact text.
            environment["PGOPTIONS"] = "-c search_path=\(schema) -c extra_float_digits=1"
            let cpuBefore = CPUTime.endedChildren
            let result = ChildProcess.run(pgbench, arguments, environment: environment)
            let cpu = CPUTime.endedChildren - cpuBefore
            let lines = result.output.split(separator: "\n")
            if result.status == 0, !result.output.contains("aborted"),
                let line = lines.first(where: { $0.hasPrefix("tps = ") }),
                let tps = Double(line.dropFirst("tps = ".count).prefix { $0.isNumber || $0 == "." })
            {
                let processedPrefix = "number of transactions actually processed: "
                let processed = lines.first { $0.hasPrefix(processedPrefix) }
                    .flatMap { Double($0.dropFirst(processedPrefix.count).prefix { $0.isNumber }) }
                limits.byOperation[operation] = Limit(
                    opsPerSecond: tps, reference: "pgbench -M prepared -c \(concurrency) -j \(min(2, concurrency)): \(what)",
                    toolCPUMicroseconds: processed.flatMap { CPUTime.microsecondsPerOperation(cpu, operations: $0) })
            } else {
                let reason = lines.last(where: { $0.contains("error") || $0.contains("ERROR") || $0.contains("abort") }) ?? lines.last ?? ""
                limits.problems.append("pgbench for \(operation) failed (\(reason)): no limit")
            }
        }
        return limits
    }

    // MARK: - Tools

    /// Why the limits of a `kind` (`redis`, `postgres`) store cannot be measured here, or nil if they can.
    public static func missingTools(for kind: String) -> String? {
        switch kind {
        case "redis":
            if ChildProcess.find("redis-benchmark") == nil || ChildProcess.find("redis-cli") == nil {
                return "redis-benchmark or redis-cli not found (Debian: apt-get install redis-tools): no limit"
            }
        case "postgres":
            if findPgbench() == nil { return "pgbench not found (Debian: apt-get install postgresql-contrib or postgresql): no limit" }
        default:
            return "no reference tool for a \(kind) store"
        }
        return nil
    }

    static func findPgbench() -> String? {
        let candidates = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in candidates.sorted().reversed() where FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\(version)/bin/pgbench") {
            return "/usr/lib/postgresql/\(version)/bin/pgbench"
        }
        return ChildProcess.find("pgbench")
    }
}
