import Foundation
import SmartAuthJWT

/// Roles and their permissions, with inheritance, checked when loaded: unknown parents and cycles are
/// configuration errors, never surprises at request time.
///
/// Build one in Swift with ``init(roles:)`` or load JSON with ``init(json:)``:
///
/// ```json
/// { "roles": {
///     "viewer": { "permissions": ["articles:read"] },
///     "editor": { "inherits": ["viewer"], "permissions": ["articles:write", "comments:*"] },
///     "admin":  { "inherits": ["editor"], "permissions": ["*"] } } }
/// ```
public struct Policy: Sendable {
    /// One role as declared.
    public struct Role: Hashable, Sendable {
        /// The role's name.
        public var name: String
        /// Permissions granted directly.
        public var permissions: [Permission]
        /// Roles whose permissions this role also has.
        public var inherits: [String]

        /// A role.
        public init(name: String, permissions: [Permission] = [], inherits: [String] = []) {
            self.name = name
            self.permissions = permissions
            self.inherits = inherits
        }
    }

    /// The declared roles by name.
    public let roles: [String: Role]
    /// For each role: every permission it has, directly or inherited.
    private let effective: [String: [Permission]]
    /// For each role: itself and every role it inherits from, transitively.
    private let ancestry: [String: Set<String>]

    /// A policy of `roles`.
    /// - Throws: ``AuthError/Code/configuration`` for a duplicate role, an unknown parent, or an inheritance
    ///   cycle (named in the message).
    public init(roles: [Role]) throws(AuthError) {
        var byName: [String: Role] = [:]
        for role in roles {
            guard byName[role.name] == nil else { throw AuthError(.configuration, "role \"\(role.name)\" is declared twice") }
            byName[role.name] = role
        }
        for role in roles {
            for parent in role.inherits where byName[parent] == nil {
                throw AuthError(.configuration, "role \"\(role.name)\" inherits from unknown role \"\(parent)\"")
            }
        }
        var ancestry: [String: Set<String>] = [:]
        func visit(_ name: String, _ path: [String]) throws(AuthError) -> Set<String> {
            if let done = ancestry[name] { return done }
            if let start = path.firstIndex(of: name) {
                let cycle = (path[start...] + [name]).joined(separator: " -> ")
                throw AuthError(.configuration, "role inheritance cycle: \(cycle)")
            }
            var result: Set<String> = [name]
            for parent in byName[name]!.inherits { result.formUnion(try visit(parent, path + [name])) }
            ancestry[name] = result
            return result
        }
        for role in roles { _ = try visit(role.name, []) }
        self.roles = byName
        self.ancestry = ancestry
        self.effective = ancestry.mapValues { names in names.flatMap { byName[$0]!.permissions } }
    }

    /// Loads a policy from JSON (see the type's discussion for the format).
    /// - Throws: ``AuthError/Code/configuration`` for malformed JSON, an invalid permission, or the errors of
    ///   ``init(roles:)``.
    public init(json: String) throws(AuthError) {
        let value: JSONValue
        do {
            value = try JSONParser().parse(Array(json.utf8))
        } catch {
            throw AuthError(.configuration, "the policy is not valid JSON: \(error.reason)")
        }
        guard case .object(let roleObjects)? = value.objectValue?["roles"] else {
            throw AuthError(.configuration, "the policy must be an object with a \"roles\" object")
        }
        var roles: [Role] = []
        for (name, body) in roleObjects {
            guard case .object(let fields) = body else { throw AuthError(.configuration, "role \"\(name)\" must be an object") }
            func strings(_ key: String) throws(AuthError) -> [String] {
                guard let member = fields[key] else { return [] }
                guard case .array(let items) = member else {
                    throw AuthError(.configuration, "role \"\(name)\": \(key) must be an array of strings")
                }
                var result: [String] = []
                for item in items {
                    guard case .string(let text) = item else {
                        throw AuthError(.configuration, "role \"\(name)\": \(key) must be an array of strings")
                    }
                    result.append(text)
                }
                return result
            }
            for key in fields.members.map(\.name) where key != "permissions" && key != "inherits" {
                throw AuthError(.configuration, "role \"\(name)\": unknown member \"\(key)\"")
            }
            var permissions: [Permission] = []
            for text in try strings("permissions") { permissions.append(try Permission(validating: text)) }
            roles.append(Role(name: name, permissions: permissions, inherits: try strings("inherits")))
        }
        try self.init(roles: roles)
    }

    /// Loads a policy from a JSON file.
    public init(contentsOfFile path: String) throws(AuthError) {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw AuthError(.configuration, "cannot read the policy file \(path)")
        }
        try self.init(json: text)
    }

    /// Whether a principal with `roles` has `permission` (directly or by inheritance). Unknown roles grant
    /// nothing.
    public func allows(_ permission: Permission, roles: [String]) -> Bool {
        roles.contains { role in effective[role]?.contains { $0.covers(permission) } ?? false }
    }

    /// Whether `roles` include `role`, directly or through a role that inherits from it (an `admin` that
    /// inherits `editor` is an `editor`).
    public func includes(_ role: String, in roles: [String]) -> Bool {
        roles.contains { $0 == role || (ancestry[$0]?.contains(role) ?? false) }
    }

    /// Every permission `roles` grant, without duplicates, in a stable order.
    public func permissions(of roles: [String]) -> [Permission] {
        var seen: Set<Permission> = []
        return roles.flatMap { effective[$0] ?? [] }.filter { seen.insert($0).inserted }
    }
}
