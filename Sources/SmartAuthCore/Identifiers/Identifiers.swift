/// A user's identifier, as the application knows it (a database key, a UUID, an email's normalised form).
/// It travels in the access token's `sub` claim.
public struct UserID: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The identifier's text.
    public let rawValue: String
    /// A user identifier with this text.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    /// A user identifier from a string literal.
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
}

/// A session's identifier: 128 random bits, written as 22 base64url characters. It travels in the access
/// token's `sid` claim and is part of every refresh token of the session; it is not a secret.
public struct SessionID: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The identifier's text.
    public let rawValue: String
    /// A session identifier with this text.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    /// A session identifier from a string literal.
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
}
