import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A test failure in the client itself (connect refused, timeout, malformed response).
struct ClientError: Error, CustomStringConvertible {
    var description: String
    /// The errno behind it, if any.
    var errorNumber: Int32 = 0
}

/// Runs blocking work (socket I/O, a child process) on a thread of its own, so that Swift's small cooperative
/// pool stays free for the server's handler tasks: a test client blocking that pool would starve the server.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}

/// A response as read off the wire.
struct RawResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    /// The first value of `name`, compared case-insensitively.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A blocking TCP connection to 127.0.0.1 with exact control over the bytes sent. Used from one thread.
final class RawConnection {
    private let socket: Int32
    private var buffer: [UInt8] = []
    private var closed = false

    /// Connects to `127.0.0.1:port`; reads time out after `timeout` seconds.
    init(port: Int, timeout: Int = 10) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ClientError(description: "socket() failed", errorNumber: errno) }
        var time = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let number = errno
            Glibc.close(socket)
            throw ClientError(description: "connect failed: \(String(cString: strerror(number)))", errorNumber: number)
        }
    }

    deinit { close() }

    func close() {
        if !closed {
            closed = true
            Glibc.close(socket)
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw ClientError(description: "send failed", errorNumber: errno) }
            offset += count
        }
    }

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            let number = errno
            if number == ECONNRESET { return false }
            throw ClientError(description: "recv failed: \(String(cString: strerror(number)))", errorNumber: number)
        }
        if count == 0 { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    /// Reads one response: the head, then `Content-Length` bytes (or everything up to the close).
    func readResponse() throws -> RawResponse {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while true {
            if buffer.count >= 4, let index = (0...(buffer.count - 4)).first(where: { Array(buffer[$0..<($0 + 4)]) == separator }) {
                headEnd = index
                break
            }
            guard try fill() else { break }
        }
        guard let headEnd else {
            throw ClientError(description: "connection closed before a complete response head (\(buffer.count) bytes)")
        }
        let head = String(decoding: buffer[0..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw ClientError(description: "bad status line in \(head)")
        }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = RawResponse(status: status, headers: headers, body: [])
        if status == 204 || status == 304 || status < 200 {
            // No body, whatever the headers say (RFC 9112 §6.3).
        } else if let length = response.header("Content-Length").flatMap(Int.init) {
            while buffer.count < length {
                guard try fill() else { throw ClientError(description: "connection closed inside a body") }
            }
            response.body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        } else {
            while try fill() {}
            response.body = buffer
            buffer = []
        }
        return response
    }

    /// True if the server closes the connection (end of stream, or reset) within the read timeout; bytes
    /// still arriving before the close are read and ignored.
    func isClosedByServer() -> Bool {
        while true {
            guard let more = try? fill() else { return false }
            if !more { return true }
            buffer = []
        }
    }
}

/// Sends `raw` on a fresh connection and reads one response, off the cooperative pool.
func rawRequest(port: Int, _ raw: String) async throws -> RawResponse {
    try await rawRequest(port: port, Array(raw.utf8))
}

func rawRequest(port: Int, _ raw: [UInt8]) async throws -> RawResponse {
    try await onOwnThread {
        let connection = try RawConnection(port: port)
        try connection.send(raw)
        return try connection.readResponse()
    }
}

/// A minimal well-formed GET.
func get(_ target: String, headers: String = "") -> String {
    "GET \(target) HTTP/1.1\r\nHost: localhost\r\n\(headers)\r\n"
}

/// Runs a command and returns its standard output and exit status, off the cooperative pool.
func run(_ executable: String, _ arguments: [String]) async throws -> (output: String, status: Int32) {
    try await onOwnThread {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }
}
