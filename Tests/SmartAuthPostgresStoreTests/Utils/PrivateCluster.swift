import Foundation
import Glibc
import Testing

/// A PostgreSQL cluster of this test's own, in a temporary folder on a free port, so that a test can stop and
/// restart its server without disturbing anyone using the shared one. Runs the server as the `postgres` user
/// when the tests run as root (PostgreSQL refuses root).
final class PrivateCluster: Sendable {
    let directory: String
    let port: Int
    private static let bin = "/usr/lib/postgresql/15/bin"

    /// The cluster's URL (database `postgres`, trust authentication on loopback).
    var url: String { "postgres://smartauth@127.0.0.1:\(port)/postgres" }

    /// Makes and starts a cluster, or skips the test if PostgreSQL's server binaries are not installed.
    static func start() async throws -> PrivateCluster {
        guard FileManager.default.isExecutableFile(atPath: "\(bin)/initdb") else {
            try Test.cancel("PostgreSQL 15 server binaries are not installed")
        }
        return try await onOwnThread { try PrivateCluster() }
    }

    private init() throws {
        directory = try Self.makeDirectory()
        port = try freePort()
        try run("\(Self.bin)/initdb", "-D", "\(directory)/data", "-U", "smartauth", "--auth=trust", "-E", "UTF8")
        try startServer()
    }

    /// Starts the server and waits until it accepts connections.
    func start() async throws {
        try await onOwnThread { try self.startServer() }
    }

    private func startServer() throws {
        try run(
            "\(Self.bin)/pg_ctl", "-D", "\(directory)/data", "-l", "\(directory)/server.log", "-w", "-o",
            "-p \(port) -c listen_addresses=127.0.0.1 -k \(directory) -c fsync=off -c max_connections=20", "start")
    }

    /// Stops the server (fast shutdown: connections are terminated) and waits until it is down.
    func stop() async throws {
        try await onOwnThread { try self.run("\(Self.bin)/pg_ctl", "-D", "\(self.directory)/data", "-m", "fast", "-w", "stop") }
    }

    deinit {
        _ = try? run("\(Self.bin)/pg_ctl", "-D", "\(directory)/data", "-m", "immediate", "-w", "stop")
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func makeDirectory() throws -> String {
        var template = Array("/tmp/smartauth-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ClusterError("mkdtemp failed") }
        let path = String(cString: made)
        if getuid() == 0 {
            // The server runs as postgres and must own its folder.
            try runProcess("/bin/chown", ["postgres:postgres", path])
        }
        return path
    }

    private func run(_ command: String, _ arguments: String...) throws {
        if getuid() == 0 {
            try runProcess("/usr/sbin/runuser", ["-u", "postgres", "--", command] + arguments)
        } else {
            try runProcess(command, arguments)
        }
    }
}

struct ClusterError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
func freePort() throws -> Int {
    let socket = try ListeningSocket(listen: false)
    return socket.port
}

/// A TCP socket bound to 127.0.0.1 on a free port; with `listen`, the kernel completes connections to it but
/// nobody ever answers: a server that hangs.
final class ListeningSocket: Sendable {
    let descriptor: Int32
    let port: Int

    init(listen shouldListen: Bool) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ClusterError("socket failed") }
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw ClusterError("bind failed") }
        if shouldListen { guard listen(descriptor, 16) == 0 else { throw ClusterError("listen failed") } }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}
