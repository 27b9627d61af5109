import Foundation
public import SmartAuthCore
public import SmartAuthJWT
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `smart-auth bench http`: the auth server over HTTP, driven by `wrk`, on `GET /v1/userinfo` (authenticate) and
/// on the refresh grant, next to a reference implementation of the same two routes in Node.js (plain `node:http`
/// and Express, both with panva's `jose`) measured in the same run on the same machine.
///
/// Each server runs pinned to one core (`taskset -c 0`), `wrk` to the other (`taskset -c 1`). Every figure is
/// preceded by a warm-up run of the same script. The requests are spread over `sessions` distinct sessions
/// (a random access token per request; a queue of refresh-token chains, one per session), and every request is
/// verified: SmartAuth's header cache only skips re-parsing identical header JSON, never a signature.
///
/// The scripts live in the repository's `benchmarks/` folder: `node/reference.js`, `wrk/userinfo.lua`,
/// `wrk/refresh.lua`.
public enum HTTPBenchmark {
    /// The `iss` of every token in the run (SmartAuth's and the reference's).
    public static let issuer = "https://smartauth.bench.invalid"
    /// The `aud` of every token in the run.
    public static let audience = "bench-api"
    /// The user agent the sessions are created with and `wrk` sends, so refreshes see no client change.
    public static let userAgent = "wrk-bench"
    /// The algorithms the Node reference implements.
    public static let supportedAlgorithms: [SignatureAlgorithm] = [.hs256, .es256]
    /// Every server the run knows, in the order they run.
    public static let allServers = ["smartauth", "node-http", "express"]

    /// How the run is done.
    public struct Options: Sendable {
        /// Seconds per measured figure (whole seconds: `wrk -d`).
        public var seconds = 5
        /// Seconds of warm-up before each figure (0: none).
        public var warmup = 1
        /// How many times the userinfo figures are measured, every server once per round, so that SmartAuth and
        /// the references alternate and a slow spell of the machine touches both; ratios are compared round by
        /// round. The refresh grant is measured in the first round only (its tokens are used up by then).
        public var rounds = 1
        /// `wrk` connections (`-c`); `wrk` runs one thread (`-t1`).
        public var connections = 50
        /// Sessions the measured requests are spread over.
        public var sessions = 10_000
        /// Extra sessions whose refresh chains only the warm-up uses.
        public var warmupSessions = 2_000
        /// Also measure SmartAuth with `--session-check stateless` (userinfo only; the refresh grant is the same).
        public var stateless = true
        /// Also measure SmartAuth with `--session-check cached:5` (userinfo only).
        public var cached = true
        /// Which of ``allServers`` to run.
        public var servers = HTTPBenchmark.allServers
        /// The core the server under test is pinned to.
        public var serverCPU = "0"
        /// The core `wrk` is pinned to.
        public var loadCPU = "1"
        /// The `smart-auth` executable that serves.
        public var executable: String
        /// The repository's `benchmarks/` folder.
        public var benchmarksDirectory: String

        public init(executable: String, benchmarksDirectory: String) {
            self.executable = executable
            self.benchmarksDirectory = benchmarksDirectory
        }
    }

    /// One measured figure.
    public struct Result: Sendable {
        /// `userinfo` or `refresh`.
        public let bench: String
        /// `HS256`, `ES256`.
        public let algorithm: String
        /// `smartauth`, `smartauth-cached`, `smartauth-stateless`, `node-http` or `express`.
        public let server: String
        /// SmartAuth's session-check mode (`stateful`, `cached:5`, `stateless`); `nil` for the Node references.
        public let sessionCheck: String?
        /// Distinct sessions the requests were spread over.
        public let sessions: Int
        /// `wrk`'s Requests/sec.
        public let requestsPerSecond: Double
        /// Median latency in milliseconds.
        public let p50: Double
        /// 99th-percentile latency in milliseconds.
        public let p99: Double
        /// Responses `wrk` counted.
        public let requests: Int
        /// Non-2xx responses plus socket errors (connect, read, write, timeout).
        public let errors: Int
        /// Which round of the run measured it (1, 2, …).
        public let round: Int

        /// One JSON object on one line.
        public var json: String {
            var object: JSONObject = [
                "bench": .string(bench), "alg": .string(algorithm), "server": .string(server),
                "requests_per_sec": .number(JSONNumber(Int64(requestsPerSecond.rounded()))),
                "p50_ms": .figure(p50),
                "p99_ms": .figure(p99),
            ]
            if let sessionCheck { object["session_check"] = .string(sessionCheck) }
            object["sessions"] = .number(JSONNumber(sessions))
            object["errors"] = .number(JSONNumber(errors))
            object["round"] = .number(JSONNumber(round))
            return JSONWriter.string(of: .object(object))
        }
    }

    /// The files one algorithm's run works from, all inside one private temporary folder.
    public struct Fixture: Sendable {
        public let algorithm: SignatureAlgorithm
        /// The SQLite store file SmartAuth serves from (key ring, refresh secret and sessions already in it).
        public let storePath: String
        /// The private folder holding everything below.
        public let directory: String
        /// The signing key as a private JWK, for the Node reference.
        public let keyPath: String
        /// One SmartAuth access token per session (both servers verify these).
        public let accessTokensPath: String
        /// One SmartAuth refresh token per session, for the measured refresh runs.
        public let refreshTokensPath: String
        /// SmartAuth refresh tokens of the warm-up sessions.
        public let warmupRefreshTokensPath: String
        /// The Node reference's seed: `TOKEN<TAB>SUB<TAB>SID` for every one of its refresh tokens.
        public let nodeSeedPath: String
        /// The Node reference's refresh tokens for the measured runs, and for the warm-ups.
        public let nodeRefreshTokensPath: String
        public let nodeWarmupRefreshTokensPath: String
        /// A session kept out of the load, to check each server answers before it is measured.
        public let probeAccessToken: String
        public let probeRefreshToken: String
        public let probeNodeRefreshToken: String
        public let sessions: Int
    }

    /// A failure of the run (a tool missing, a server that did not start or answered wrongly, `wrk` output
    /// that cannot be read).
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: - Preparation

    /// Writes a key ring for `algorithm` and the refresh secret into `store` (a fresh SQLite store at
    /// `storePath`), creates `options.sessions + options.warmupSessions + 1` sessions directly through an engine,
    /// and writes the token files into `directory`.
    public static func prepare(
        algorithm: SignatureAlgorithm, options: Options, store: any AuthStore, storePath: String, directory: String
    ) async throws -> Fixture {
        let now = Date()
        let (ring, created) = try await SharedKeys.loadOrCreateKeyRing(in: store, algorithm: algorithm, now: now)
        guard created, ring.activeKey.algorithm == algorithm else { throw Failure("the benchmark store was not empty") }
        let secret = try await SharedKeys.loadOrCreateRefreshSecret(in: store)
        var configuration = AuthConfiguration(issuer: issuer, audience: audience, keyRing: ring, refreshTokenSecret: secret)
        configuration.sessionCheck = .stateful
        let engine = try AuthEngine(configuration: configuration, store: store)
        let client = ClientInfo(ipAddress: "127.0.0.1", userAgent: userAgent)

        // Sessions: the measured ones, then the warm-up ones, then the probe. Logins run a few at a time.
        let total = options.sessions + options.warmupSessions + 1
        let pairs = try await withThrowingTaskGroup(of: [(Int, TokenPair)].self) { group in
            let workers = 4
            for worker in 0..<workers {
                group.addTask {
                    var done: [(Int, TokenPair)] = []
                    for index in stride(from: worker, to: total, by: workers) {
                        let pair = try await engine.login(userID: UserID("bench-user-\(index)"), roles: ["user"], client: client)
                        done.append((index, pair))
                    }
                    return done
                }
            }
            var all: [TokenPair?] = Array(repeating: nil, count: total)
            for try await part in group {
                for (index, pair) in part { all[index] = pair }
            }
            return all.map { $0! }
        }
        let measured = pairs[0..<options.sessions]
        let warmup = pairs[options.sessions..<(options.sessions + options.warmupSessions)]
        let probe = pairs[total - 1]

        // The Node reference's own refresh tokens, one per session.
        var generator = SystemRandomNumberGenerator()
        let nodeTokens = (0..<total).map { _ in Base64URL.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }) }

        func path(_ name: String) -> String { directory + "/" + name }
        try write(measured.map(\.accessToken), to: path("access-tokens.txt"))
        try write(measured.map(\.refreshToken), to: path("refresh-tokens.txt"))
        try write(warmup.map(\.refreshToken), to: path("refresh-tokens-warmup.txt"))
        try write(
            (0..<total).map { "\(nodeTokens[$0])\t\(pairs[$0].session.userID.rawValue)\t\(pairs[$0].session.id.rawValue)" },
            to: path("node-seed.txt"))
        try write(Array(nodeTokens[0..<options.sessions]), to: path("node-refresh-tokens.txt"))
        try write(Array(nodeTokens[options.sessions..<(options.sessions + options.warmupSessions)]), to: path("node-refresh-tokens-warmup.txt"))
        try write([ring.activeKey.jwk.privateJSON], to: path("key.jwk"))

        return Fixture(
            algorithm: algorithm, storePath: storePath, directory: directory, keyPath: path("key.jwk"),
            accessTokensPath: path("access-tokens.txt"), refreshTokensPath: path("refresh-tokens.txt"),
            warmupRefreshTokensPath: path("refresh-tokens-warmup.txt"), nodeSeedPath: path("node-seed.txt"),
            nodeRefreshTokensPath: path("node-refresh-tokens.txt"),
            nodeWarmupRefreshTokensPath: path("node-refresh-tokens-warmup.txt"), probeAccessToken: probe.accessToken,
            probeRefreshToken: probe.refreshToken, probeNodeRefreshToken: nodeTokens[total - 1], sessions: options.sessions)
    }

    /// Writes `lines` to a new file only the owner can read (some hold key material or live tokens).
    static func write(_ lines: [String], to path: String) throws {
        guard FileManager.default.createFile(
            atPath: path, contents: Data((lines.joined(separator: "\n") + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else { throw Failure("cannot write \(path)") }
    }

    /// What must be installed, or `nil` when everything is: `taskset`, `wrk`, and for the Node references `node`
    /// with `jose` and `express` on `NODE_PATH`.
    public static func missingTools(servers: [String], benchmarksDirectory: String) -> String? {
        var missing: [String] = []
        if ChildProcess.find("taskset") == nil { missing.append("taskset (Debian package util-linux)") }
        if ChildProcess.find("wrk") == nil { missing.append("wrk (Debian package wrk)") }
        for script in ["wrk/userinfo.lua", "wrk/refresh.lua", "node/reference.js"]
        where !FileManager.default.fileExists(atPath: benchmarksDirectory + "/" + script) {
            missing.append("\(benchmarksDirectory)/\(script)")
        }
        if servers.contains(where: { $0 != "smartauth" }) {
            if ChildProcess.find("node") == nil {
                missing.append("node (Debian package nodejs)")
            } else {
                let check = runCapturing(
                    ["node", "-e", "require('jose'); require('express')"], environment: nodeEnvironment())
                if check.status != 0 { missing.append("the Node modules jose and express (Debian packages node-jose, node-express)") }
            }
        }
        return missing.isEmpty ? nil : missing.joined(separator: ", ")
    }

    // MARK: - The run

    /// Measures every figure for `fixture`, calling `progress` with each as soon as it is known. `log` gets
    /// progress lines (servers starting, warm-ups).
    public static func run(
        fixture: Fixture, options: Options, log: (String) -> Void, progress: (Result) -> Void
    ) throws {
        let alg = fixture.algorithm.name
        let wrkDirectory = options.benchmarksDirectory + "/wrk"
        let userinfoScript = wrkDirectory + "/userinfo.lua"
        let refreshScript = wrkDirectory + "/refresh.lua"

        func runRound(_ round: Int, refresh: Bool) throws {
            let label = options.rounds > 1 ? "\(alg) round \(round)/\(options.rounds)" : alg

            func measure(
                bench: String, server: String, sessionCheck: String?, port: Int, script: String, tokens: String, warmupTokens: String
            ) throws {
                if options.warmup > 0 {
                    log("\(label) \(server) \(bench): warming up for \(options.warmup) s")
                    _ = try runWrk(options: options, script: script, port: port, tokens: warmupTokens, seconds: options.warmup)
                }
                log("\(label) \(server) \(bench): measuring for \(options.seconds) s")
                let figures = try runWrk(options: options, script: script, port: port, tokens: tokens, seconds: options.seconds)
                progress(
                    Result(
                        bench: bench, algorithm: alg, server: server, sessionCheck: sessionCheck, sessions: fixture.sessions,
                        requestsPerSecond: figures.requestsPerSecond, p50: figures.p50, p99: figures.p99,
                        requests: figures.requests, errors: figures.errors, round: round))
            }

            for server in options.servers {
                switch server {
                case "smartauth":
                    let modes = ["stateful"] + (options.cached ? ["cached:5"] : []) + (options.stateless ? ["stateless"] : [])
                    for mode in modes {
                        let port = try freePort()
                        let name =
                            switch mode {
                            case "stateful": "smartauth"
                            case "stateless": "smartauth-stateless"
                            default: "smartauth-cached"
                            }
                        log("\(label) \(name): starting smart-auth serve --session-check \(mode) on core \(options.serverCPU)")
                        let child = try Child(
                            arguments: [
                                "taskset", "-c", options.serverCPU, options.executable, "serve", "--store", "sqlite:" + fixture.storePath,
                                "--listen", "127.0.0.1:\(port)", "--issuer", issuer, "--audience", audience, "--algorithm", alg,
                                "--session-check", mode, "--no-rate-limits", "--quiet",
                            ],
                            environment: serverEnvironment(), logPath: fixture.directory + "/\(name).log")
                        defer { child.stop() }
                        try probe(child: child, port: port, accessToken: fixture.probeAccessToken,
                                  refreshToken: mode == "stateful" && refresh ? fixture.probeRefreshToken : nil)
                        try measure(
                            bench: "userinfo", server: name, sessionCheck: mode, port: port, script: userinfoScript,
                            tokens: fixture.accessTokensPath, warmupTokens: fixture.accessTokensPath)
                        if mode == "stateful" && refresh {
                            try measure(
                                bench: "refresh", server: name, sessionCheck: mode, port: port, script: refreshScript,
                                tokens: fixture.refreshTokensPath, warmupTokens: fixture.warmupRefreshTokensPath)
                        }
                    }
                case "node-http", "express":
                    let port = try freePort()
                    let framework = server == "node-http" ? "http" : "express"
                    log("\(label) \(server): starting benchmarks/node/reference.js --framework \(framework) on core \(options.serverCPU)")
                    let child = try Child(
                        arguments: [
                            "taskset", "-c", options.serverCPU, "node", options.benchmarksDirectory + "/node/reference.js",
                            "--framework", framework, "--port", String(port), "--alg", alg, "--key", fixture.keyPath,
                            "--refresh-tokens", fixture.nodeSeedPath, "--issuer", issuer, "--audience", audience,
                        ],
                        environment: nodeEnvironment(), logPath: fixture.directory + "/\(server).log")
                    defer { child.stop() }
                    try probe(child: child, port: port, accessToken: fixture.probeAccessToken,
                              refreshToken: refresh ? fixture.probeNodeRefreshToken : nil)
                    try measure(
                        bench: "userinfo", server: server, sessionCheck: nil, port: port, script: userinfoScript,
                        tokens: fixture.accessTokensPath, warmupTokens: fixture.accessTokensPath)
                    if refresh {
                        try measure(
                            bench: "refresh", server: server, sessionCheck: nil, port: port, script: refreshScript,
                            tokens: fixture.nodeRefreshTokensPath, warmupTokens: fixture.nodeWarmupRefreshTokensPath)
                    }
                default:
                    throw Failure("unknown server \(server)")
                }
            }
        }

        for round in 1...max(1, options.rounds) {
            // Refresh tokens are used once: only the first round has fresh ones.
            try runRound(round, refresh: round == 1)
        }
    }

    // MARK: - wrk

    struct WrkFigures {
        var requestsPerSecond: Double
        var p50: Double
        var p99: Double
        var requests: Int
        var errors: Int
    }

    static func runWrk(options: Options, script: String, port: Int, tokens: String, seconds: Int) throws -> WrkFigures {
        let arguments = [
            "taskset", "-c", options.loadCPU, "wrk", "-t1", "-c\(options.connections)", "-d\(seconds)s", "--latency",
            "-s", script, "http://127.0.0.1:\(port)", "--", tokens,
        ]
        let run = runCapturing(arguments, environment: ProcessInfo.processInfo.environment)
        guard run.status == 0, let figures = parseWrk(run.output) else {
            throw Failure("wrk failed (status \(run.status)):\n\(run.output)")
        }
        return figures
    }

    /// Reads `wrk --latency` output: `Requests/sec:`, the 50% and 99% lines of the latency distribution, the
    /// request count, `Non-2xx or 3xx responses:` and `Socket errors:`.
    static func parseWrk(_ output: String) -> WrkFigures? {
        var rate: Double?
        var p50: Double?
        var p99: Double?
        var requests = 0
        var errors = 0
        for rawLine in output.split(separator: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if line.hasPrefix("Requests/sec:"), words.count >= 2 {
                rate = Double(words[1])
            } else if line.hasPrefix("50%"), words.count >= 2 {
                p50 = milliseconds(String(words[1]))
            } else if line.hasPrefix("99%"), words.count >= 2 {
                p99 = milliseconds(String(words[1]))
            } else if words.count >= 3, words[1] == "requests", words[2] == "in" {
                requests = Int(words[0]) ?? 0
            } else if line.hasPrefix("Non-2xx or 3xx responses:"), let count = words.last.flatMap({ Int($0) }) {
                errors += count
            } else if line.hasPrefix("Socket errors:") {
                // Socket errors: connect 0, read 0, write 0, timeout 0
                for word in words.dropFirst(2) {
                    if let count = Int(word.trimmingCharacters(in: CharacterSet(charactersIn: ","))) { errors += count }
                }
            }
        }
        guard let rate, let p50, let p99 else { return nil }
        return WrkFigures(requestsPerSecond: rate, p50: p50, p99: p99, requests: requests, errors: errors)
    }

    /// `812.00us`, `1.20ms`, `2.01s`, `1.00m` in milliseconds.
    static func milliseconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("us", 0.001), ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (unit, scale) in units where text.hasSuffix(unit) {
            guard let value = Double(text.dropLast(unit.count)) else { return nil }
            return value * scale
        }
        return nil
    }

    // MARK: - Processes

    /// A server under test, run as a child process with its output in a log file.
    final class Child {
        let process: ChildProcess
        let logPath: String

        init(arguments: [String], environment: [String: String], logPath: String) throws {
            self.logPath = logPath
            guard FileManager.default.createFile(atPath: logPath, contents: nil, attributes: [.posixPermissions: 0o600]),
                let log = FileHandle(forWritingAtPath: logPath)
            else { throw Failure("cannot create \(logPath)") }
            defer { try? log.close() }
            do {
                process = try ChildProcess(
                    executable: "/usr/bin/env", arguments: arguments, environment: environment, output: log.fileDescriptor)
            } catch {
                throw Failure("cannot start \(arguments.joined(separator: " ")): \(error)")
            }
            Interruption.track(process: process.pid)
        }

        var isRunning: Bool { process.isRunning }

        /// The end of its log, for error messages.
        var logTail: String {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").suffix(20).joined(separator: "\n")
        }

        /// SIGTERM, then SIGKILL if it has not exited within 5 s.
        func stop() {
            guard process.isRunning else { return }
            process.send(SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            process.send(SIGKILL)
            process.waitForExit()
            Interruption.untrack(process: process.pid)
        }
    }

    /// Waits until the server answers HTTP, then checks it accepts the probe session's access token on
    /// `/v1/userinfo` and (if given) rotates its refresh token on `/v1/token`.
    static func probe(child: Child, port: Int, accessToken: String, refreshToken: String?) throws {
        let deadline = Date().addingTimeInterval(30)
        var ready = false
        while Date() < deadline {
            guard child.isRunning else { throw Failure("the server exited before it answered:\n\(child.logTail)") }
            if exchange(port: port, request: "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n") != nil {
                ready = true
                break
            }
            usleep(50_000)
        }
        guard ready else { throw Failure("the server did not answer within 30 s:\n\(child.logTail)") }
        let userinfo = exchange(
            port: port,
            request: "GET /v1/userinfo HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(accessToken)\r\nUser-Agent: \(userAgent)\r\nConnection: close\r\n\r\n")
        guard let userinfo, userinfo.status == 200, userinfo.body.contains("\"sub\"") else {
            throw Failure("the server refused a valid access token on /v1/userinfo: \(userinfo.map { "\($0.status) \($0.body)" } ?? "no answer")")
        }
        if let refreshToken {
            let body = "grant_type=refresh_token&refresh_token=\(refreshToken)"
            let refreshed = exchange(
                port: port,
                request: "POST /v1/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nUser-Agent: \(userAgent)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
            guard let refreshed, refreshed.status == 200, refreshed.body.contains("\"refresh_token\""), refreshed.body.contains("\"access_token\"") else {
                throw Failure("the server refused a valid refresh token on /v1/token: \(refreshed.map { "\($0.status) \($0.body)" } ?? "no answer")")
            }
        }
    }

    /// One HTTP/1.1 exchange over a new loopback connection (`Connection: close`): the status and body, or
    /// `nil` if the server cannot be reached.
    static func exchange(port: Int, request: String) -> (status: Int, body: String)? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let bytes = Array(request.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return nil }
            offset += written
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response += chunk[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let headEnd = text.range(of: "\r\n\r\n") else { return nil }
        let statusLine = text[..<headEnd.lowerBound].split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        return (status, String(text[headEnd.upperBound...]))
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A loopback port nobody listens on now (the kernel's choice for port 0).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure("socket() failed") }
        defer { close(descriptor) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw Failure("cannot find a free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The environment without `SMARTAUTH_*` settings, so only the benchmark's flags configure the server.
    static func serverEnvironment() -> [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SMARTAUTH_") }
    }

    /// The environment for Node: Debian's module folder on `NODE_PATH`, production mode (Express reads it).
    static func nodeEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        let debian = "/usr/share/nodejs"
        if let existing = environment["NODE_PATH"], !existing.isEmpty {
            if !existing.split(separator: ":").contains(Substring(debian)) { environment["NODE_PATH"] = existing + ":" + debian }
        } else {
            environment["NODE_PATH"] = debian
        }
        environment["NODE_ENV"] = "production"
        return environment
    }

    /// Runs a tool to completion and returns its exit status and combined output.
    static func runCapturing(_ arguments: [String], environment: [String: String]) -> (status: Int32, output: String) {
        var pid: Int32?
        defer { if let pid { Interruption.untrack(process: pid) } }
        return ChildProcess.run("/usr/bin/env", arguments, environment: environment) { started in
            pid = started
            Interruption.track(process: started)
        }
    }

    /// What an interrupted run leaves behind: ``ChildProcess`` starts each child in its own process group, so a
    /// Ctrl-C reaches only `smart-auth bench http` itself. Once ``install()`` ran, SIGINT, SIGTERM and SIGHUP
    /// stop the children still running (servers, `wrk`) and remove the temporary folders (which hold key
    /// material and live tokens), then exit with 128 + the signal.
    public enum Interruption {
        private static let state = Mutex<(processes: Set<Int32>, directories: Set<String>, sources: [any DispatchSourceSignal])>(([], [], []))

        /// Takes over SIGINT, SIGTERM and SIGHUP for the rest of the process.
        public static func install() {
            state.withLock { state in
                guard state.sources.isEmpty else { return }
                for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
                    signal(signalNumber, SIG_IGN)
                    let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                    source.setEventHandler { interrupted(by: signalNumber) }
                    source.resume()
                    state.sources.append(source)
                }
            }
        }

        /// A temporary folder to remove if the run is interrupted.
        public static func track(directory: String) { state.withLock { _ = $0.directories.insert(directory) } }
        public static func untrack(directory: String) { state.withLock { _ = $0.directories.remove(directory) } }
        static func track(process: Int32) { state.withLock { _ = $0.processes.insert(process) } }
        static func untrack(process: Int32) { state.withLock { _ = $0.processes.remove(process) } }

        private static func interrupted(by signalNumber: Int32) {
            let (processes, directories) = state.withLock { ($0.processes, $0.directories) }
            for process in processes { kill(process, SIGTERM) }
            for directory in directories { try? FileManager.default.removeItem(atPath: directory) }
            exit(128 + signalNumber)
        }
    }
}
