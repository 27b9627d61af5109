import Foundation
import Glibc
import Testing

@testable import SmartAuthRedisStore

/// A redis-server of the test's own, on a free loopback port with AOF on (`appendfsync always`) and its data in a
/// temporary folder, so that a fault test can stop, kill, pause and restart it without disturbing anyone else's
/// tests on the shared server. The process is killed and the folder removed when the value is deallocated.
final class PrivateRedisServer: @unchecked Sendable {  // used by one test at a time, from its own task
    let port: Int
    let directory: URL
    private var process: Process?

    var url: String { "redis://127.0.0.1:\(port)/0" }

    /// Starts a server; cancels the test (a failure under `CI=true`) if redis-server is not installed.
    static func start(sourceLocation: SourceLocation = #_sourceLocation) throws -> PrivateRedisServer {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            try LiveRedis.unavailable("\(executable) is not installed", sourceLocation: sourceLocation)
        }
        reapServersOfDeadTestRuns()
        return try PrivateRedisServer()
    }

    /// The folders of private servers live under the temporary directory with this prefix; each holds
    /// `owner.pid` (the test process), `server.pid` and `server.port`.
    private static let folderPrefix = "smartauth-redis-"

    /// Kills the servers, and removes the folders, of test processes that died without cleaning up (killed by a
    /// timeout, say): a crashed test run must not leave redis-servers behind.
    private static func reapServersOfDeadTestRuns() {
        let temporary = FileManager.default.temporaryDirectory
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for folder in folders where folder.hasPrefix(folderPrefix) {
            let directory = temporary.appendingPathComponent(folder)
            func pid(_ name: String) -> pid_t? {
                (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8))
                    .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            }
            guard let owner = pid("owner.pid"), kill(owner, 0) != 0, errno == ESRCH else { continue }
            // Only a redis-server on this folder's port: a recycled pid may now belong to anything else.
            if let server = pid("server.pid"), let port = pid("server.port"), server > 0,
                let command = try? String(contentsOfFile: "/proc/\(server)/cmdline", encoding: .utf8),
                command.contains("redis-server"), command.contains("127.0.0.1:\(port)")
            {
                kill(server, SIGKILL)
            }
            try? FileManager.default.removeItem(at: directory)
        }
    }

    private init() throws {
        port = try Self.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(Self.folderPrefix)\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try String(getpid()).write(to: directory.appendingPathComponent("owner.pid"), atomically: true, encoding: .utf8)
        try String(port).write(to: directory.appendingPathComponent("server.port"), atomically: true, encoding: .utf8)
        try start()
    }

    deinit {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            // Bounded: SIGKILL cannot be blocked or ignored.
            for _ in 0..<500 where process.isRunning { usleep(10_000) }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    static let executable = "/usr/bin/redis-server"

    /// Starts (or restarts) the server on the same port and folder; the AOF there is loaded.
    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--dir", directory.path, "--appendonly", "yes",
            "--appendfsync", "always", "--save", "", "--daemonize", "no", "--logfile", "redis.log",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        try String(process.processIdentifier).write(
            to: directory.appendingPathComponent("server.pid"), atomically: true, encoding: .utf8)
    }

    /// Stops the server gracefully (`SHUTDOWN`, which also flushes the AOF) and waits for it to exit.
    ///
    /// Not SIGTERM: a child of the test process may inherit a signal mask that blocks it.
    func stop() async {
        if let store = try? RedisStore(url: url, configuration: .init(keyPrefix: "shutdown:", poolSize: 1)) {
            _ = try? await store.raw("SHUTDOWN")  // the server closes the connection instead of answering
        }
        await waitForExit()
    }

    /// Kills the server (SIGKILL): only what reached the AOF survives.
    func crash() async {
        if let process { kill(process.processIdentifier, SIGKILL) }
        await waitForExit()
    }

    /// Freezes (SIGSTOP) and thaws (SIGCONT) the process: the kernel still accepts connections, nothing answers.
    func pause() { if let process { kill(process.processIdentifier, SIGSTOP) } }
    func resume() { if let process { kill(process.processIdentifier, SIGCONT) } }

    /// Polls (without blocking a thread) until the process has exited, killing it after 10 s.
    private func waitForExit() async {
        guard let process else { return }
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        }
        self.process = nil
    }

    /// A loopback port nobody listens on right now (bound to port 0, read back, released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
