#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Console {
    /// The process's standard input, output and error, through `read(2)`/`write(2)` so that a closed pipe is an
    /// ignored error rather than a crash (call ``ignoreBrokenPipes()`` first).
    public static let process = Console(
        readInput: { limit in
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                bytes.append(contentsOf: chunk[0..<count])
                // Stop reading as soon as the input is known to be too long: never buffer unbounded input.
                if bytes.count > limit { return nil }
            }
            return bytes
        },
        writeOutput: { bytes in writeAll(1, bytes) },
        writeError: { bytes in writeAll(2, bytes) }
    )

    /// Makes writes to a closed pipe fail with `EPIPE` instead of killing the process with `SIGPIPE`.
    public static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0, errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
