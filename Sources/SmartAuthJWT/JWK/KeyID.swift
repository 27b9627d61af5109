/// A key identifier: the JWK `kid` member and the JWS `kid` header (RFC 7517 §4.5).
public struct KeyID: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The identifier's text.
    public let rawValue: String

    /// A key identifier with this text.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// A key identifier from a string literal.
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }
}
