/// Limits on untrusted tokens, checked before any expensive work.
public struct JOSELimits: Sendable, Hashable {
    /// The longest compact token accepted, in bytes. Default 16 KiB: an access token is typically 300–1,500 bytes.
    public var maximumTokenByteCount: Int
    /// The deepest JSON nesting accepted in the header and payload. Default 16.
    public var maximumJSONDepth: Int

    /// Limits with the documented defaults.
    public init(maximumTokenByteCount: Int = 16 * 1024, maximumJSONDepth: Int = 16) {
        self.maximumTokenByteCount = maximumTokenByteCount
        self.maximumJSONDepth = maximumJSONDepth
    }
}
