/// Where a command's input comes from and its output goes: the real process streams, or buffers in tests.
public struct Console: Sendable {
    /// Reads all of standard input, up to `limit` bytes; `nil` when the input is longer than that.
    public var readInput: @Sendable (_ limit: Int) -> [UInt8]?
    /// Writes bytes to standard output.
    public var writeOutput: @Sendable ([UInt8]) -> Void
    /// Writes bytes to standard error.
    public var writeError: @Sendable ([UInt8]) -> Void

    /// A console with the given streams.
    public init(
        readInput: @escaping @Sendable (Int) -> [UInt8]?, writeOutput: @escaping @Sendable ([UInt8]) -> Void,
        writeError: @escaping @Sendable ([UInt8]) -> Void
    ) {
        self.readInput = readInput
        self.writeOutput = writeOutput
        self.writeError = writeError
    }

    func print(_ text: String) { writeOutput(Array((text + "\n").utf8)) }
    func printError(_ text: String) { writeError(Array(("smart-auth: " + text + "\n").utf8)) }
}
