import Foundation
import Glibc

/// A child process started with `posix_spawn` (Foundation's `Process` can miss a child's exit on Linux when the
/// child leaves a daemon behind, as `pg_ctl start` does). Blocking: use on a thread of its own.
struct Child {
    let pid: pid_t

    /// Starts `path` with `arguments`, stdin from `input` (a file) or /dev/null, stdout to `output` (a file) or
    /// /dev/null, stderr to /dev/null.
    init(_ path: String, _ arguments: [String], input: String? = nil, output: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard status == 0 else { throw ClusterError("could not start \(path): \(status)") }
        self.pid = pid
    }

    /// Waits for the child and returns its exit status.
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status >> 8) & 0xff
    }

    /// Ends the child (SIGTERM) and reaps it.
    func terminate() {
        kill(pid, SIGTERM)
        _ = wait()
    }
}

/// Runs a program to completion and returns what it wrote to stdout; throws if it fails.
@discardableResult
func runProcess(_ path: String, _ arguments: [String]) throws -> String {
    let output = NSTemporaryDirectory() + "smartauth-out-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: output) }
    let status = try Child(path, arguments, output: output).wait()
    guard status == 0 else {
        throw ClusterError("\(path) \(arguments.joined(separator: " ")) exited with \(status)")
    }
    return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
}
