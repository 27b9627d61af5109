/// A composable authorization rule over a ``Principal`` and a ``Policy``.
///
/// ```swift
/// let canPublish: Guard = .allOf([.permission("articles:write"), .not(.role("suspended"))])
/// try canPublish.check(principal, policy: policy)   // AuthError .forbidden (403) or .unauthenticated (401)
/// ```
public struct Guard: Sendable, CustomStringConvertible {
    private let evaluate: @Sendable (Principal, Policy) -> Bool
    /// A readable form of the rule, e.g. `allOf(permission(articles:write), not(role(suspended)))`.
    public let description: String

    /// A guard from a closure (for rules the combinators cannot express).
    public init(_ description: String, _ evaluate: @escaping @Sendable (Principal, Policy) -> Bool) {
        self.description = description
        self.evaluate = evaluate
    }

    /// The principal has `role`, directly or through a role that inherits from it.
    public static func role(_ role: String) -> Guard {
        Guard("role(\(role))") { principal, policy in policy.includes(role, in: principal.roles) }
    }

    /// The principal's roles grant `permission`.
    public static func permission(_ permission: Permission) -> Guard {
        Guard("permission(\(permission))") { principal, policy in policy.allows(permission, roles: principal.roles) }
    }

    /// At least one of `guards` passes (none: fails).
    public static func anyOf(_ guards: [Guard]) -> Guard {
        Guard("anyOf(\(guards.map(\.description).joined(separator: ", ")))") { principal, policy in
            guards.contains { $0.evaluate(principal, policy) }
        }
    }

    /// Every one of `guards` passes (none: passes).
    public static func allOf(_ guards: [Guard]) -> Guard {
        Guard("allOf(\(guards.map(\.description).joined(separator: ", ")))") { principal, policy in
            guards.allSatisfy { $0.evaluate(principal, policy) }
        }
    }

    /// `inner` fails.
    public static func not(_ inner: Guard) -> Guard {
        Guard("not(\(inner.description))") { principal, policy in !inner.evaluate(principal, policy) }
    }

    /// Whether `principal` passes.
    public func allows(_ principal: Principal, policy: Policy) -> Bool { evaluate(principal, policy) }

    /// Checks the rule.
    /// - Throws: ``AuthError`` `.unauthenticated` when there is no principal (HTTP 401), `.forbidden` when the
    ///   rule fails (HTTP 403, `insufficient_scope`).
    public func check(_ principal: Principal?, policy: Policy) throws(AuthError) {
        guard let principal else { throw AuthError(.unauthenticated, "authentication required") }
        guard evaluate(principal, policy) else { throw AuthError(.forbidden, "not allowed: \(description)") }
    }
}
