import Foundation

extension Console {
    /// The process's standard input, output and error.
    public static let process = Console(
        readInput: { limit in
            var bytes: [UInt8] = []
            let input = FileHandle.standardInput
            while true {
                guard let chunk = try? input.read(upToCount: 1 << 16), !chunk.isEmpty else { break }
                bytes.append(contentsOf: chunk)
                // Stop reading as soon as the input is known to be too long: never buffer unbounded input.
                if bytes.count > limit { return nil }
            }
            return bytes
        },
        writeOutput: { bytes in FileHandle.standardOutput.write(Data(bytes)) },
        writeError: { bytes in FileHandle.standardError.write(Data(bytes)) }
    )
}
