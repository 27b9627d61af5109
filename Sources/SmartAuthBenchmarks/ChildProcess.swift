internal import CSmartAuthProcess
import Foundation
import Glibc
import Synchronization

/// A helper tool run by a benchmark (pgbench, redis-benchmark, wrk, a reference server), started with every
/// signal unblocked and at its default action, in a process group of its own.
///
/// Why not Foundation's `Process`: it hands the child the calling thread's signal mask, and the threads of
/// Swift's concurrency pool block most signals. pgbench started from one never receives the SIGALRM that ends
/// its `-T` run (it ran for ten minutes in a test), and a server started from one ignores SIGTERM.
package final class ChildProcess: Sendable {
    package let pid: Int32
    /// The wait status, once reaped.
    private let reaped = Mutex<Int32?>(nil)

    /// Starts `executable` (a path) with `arguments`, its standard output and error written to `output`.
    package init(executable: String, arguments: [String], environment: [String: String], output: Int32) throws(BenchmarkError) {
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let error = smartauth_spawn(executable, argv, envp, output, &pid)
        guard error == 0 else { throw BenchmarkError("cannot start \(executable): \(String(cString: strerror(error)))") }
        self.pid = pid
    }

    /// Whether it has not exited yet (reaps it if it has).
    package var isRunning: Bool {
        reaped.withLock { status in
            guard status == nil else { return false }
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            if result == pid || (result < 0 && errno == ECHILD) { status = raw }
            return status == nil
        }
    }

    /// Sends `signal` if it is still running.
    package func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Waits for it to exit; its exit status, or 128 + the signal that ended it.
    @discardableResult
    package func waitForExit() -> Int32 {
        let raw = reaped.withLock { status -> Int32 in
            if let status { return status }
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
            status = raw
            return raw
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }

    /// The path of the executable `name` found on `PATH`, or nil.
    package static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        return nil
    }

    /// Runs `executable` to completion: its exit status (-1 if it could not start) and its output and errors.
    package static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        started: (Int32) -> Void = { _ in }
    ) -> (status: Int32, output: String) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return (-1, "cannot create a pipe: \(String(cString: strerror(errno)))") }
        // Not inherited by children other threads start (the spawned one gets only its standard streams anyway).
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        let child: ChildProcess
        do {
            child = try ChildProcess(executable: executable, arguments: arguments, environment: environment, output: ends[1])
        } catch {
            close(ends[0])
            close(ends[1])
            return (-1, error.description)
        }
        close(ends[1])
        started(child.pid)
        let output = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true).readDataToEndOfFile()
        return (child.waitForExit(), String(decoding: output, as: UTF8.self))
    }
}
