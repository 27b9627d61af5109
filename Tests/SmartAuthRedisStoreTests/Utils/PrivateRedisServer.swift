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
        return try PrivateRedisServer()
    }

    private init() throws {
        port = try Self.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "smartauth-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
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
