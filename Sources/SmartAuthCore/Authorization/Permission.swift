/// A permission: `resource:action`, where either part of a *granted* permission may be `*`
/// (`articles:*`, `*:read`), and `*` alone grants everything. Required permissions are concrete.
public struct Permission: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The text, e.g. `articles:read`.
    public let rawValue: String
    private let resource: Substring
    private let action: Substring

    /// A permission from its text.
    /// - Throws: ``AuthError/Code/configuration`` unless it is `*` or `resource:action` with non-empty parts
    ///   made of letters, digits, `_`, `-`, `.`, `/` or exactly `*`.
    public init(validating text: String) throws(AuthError) {
        guard Permission.isValid(text) else { throw AuthError(.configuration, "invalid permission \"\(text)\"") }
        self.init(unchecked: text)
    }

    /// A permission from a literal; an invalid literal is a programmer error.
    public init(stringLiteral value: String) {
        precondition(Permission.isValid(value), "invalid permission literal \"\(value)\"")
        self.init(unchecked: value)
    }

    private init(unchecked text: String) {
        rawValue = text
        if text == "*" {
            resource = "*"
            action = "*"
        } else {
            let parts = text.split(separator: ":", maxSplits: 1)
            resource = parts[0]
            action = parts[1]
        }
    }

    static func isValid(_ text: String) -> Bool {
        if text == "*" { return true }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && (part == "*" || part.allSatisfy { $0.isLetter || $0.isNumber || "_-./".contains($0) })
        }
    }

    /// Whether this (granted) permission covers `required`.
    public func covers(_ required: Permission) -> Bool {
        (resource == "*" || resource == required.resource) && (action == "*" || action == required.action)
    }

    public var description: String { rawValue }
}
