import Foundation
import SmartAuthCore
import SmartAuthJWT
import Testing

@Suite struct PolicyTests {
    static let json = """
        { "roles": {
            "viewer": { "permissions": ["articles:read"] },
            "editor": { "inherits": ["viewer"], "permissions": ["articles:write", "comments:*"] },
            "admin":  { "inherits": ["editor"], "permissions": ["*"] },
            "auditor": { "permissions": ["*:read"] } } }
        """

    func principal(_ roles: [String]) -> Principal {
        Principal(
            userID: "u", sessionID: "s", roles: roles, authenticationLevel: 1, claims: JWTClaims(),
            expiresAt: Date(timeIntervalSince1970: 0))
    }

    @Test func permissionsFollowInheritanceAndWildcards() throws {
        let policy = try Policy(json: Self.json)
        #expect(policy.allows("articles:read", roles: ["viewer"]))
        #expect(!policy.allows("articles:write", roles: ["viewer"]))
        #expect(policy.allows("articles:read", roles: ["editor"]))
        #expect(policy.allows("comments:delete", roles: ["editor"]))
        #expect(!policy.allows("users:delete", roles: ["editor"]))
        #expect(policy.allows("users:delete", roles: ["admin"]))
        #expect(policy.allows("users:read", roles: ["auditor"]))
        #expect(!policy.allows("users:write", roles: ["auditor"]))
        #expect(!policy.allows("articles:read", roles: ["nobody"]))
        #expect(!policy.allows("articles:read", roles: []))
        #expect(policy.permissions(of: ["editor"]).map(\.rawValue).sorted() == ["articles:read", "articles:write", "comments:*"])
    }

    @Test func cyclesUnknownParentsAndBadPermissionsAreRejectedAtLoad() {
        func message(_ json: String) -> String? {
            do {
                _ = try Policy(json: json)
                return nil
            } catch {
                #expect(error.code == .configuration)
                return error.message
            }
        }
        #expect(message(#"{"roles":{"a":{"inherits":["b"]},"b":{"inherits":["c"]},"c":{"inherits":["a"]}}}"#)?.contains("cycle") == true)
        #expect(message(#"{"roles":{"a":{"inherits":["a"]}}}"#)?.contains("cycle") == true)
        #expect(message(#"{"roles":{"a":{"inherits":["ghost"]}}}"#)?.contains("unknown role") == true)
        #expect(message(#"{"roles":{"a":{"permissions":["no-colon"]}}}"#) != nil)
        #expect(message(#"{"roles":{"a":{"permissions":["a:b:c"]}}}"#) != nil)
        #expect(message(#"{"roles":{"a":{"permissions":[":read"]}}}"#) != nil)
        #expect(message(#"{"roles":{"a":{"permisions":[]}}}"#)?.contains("unknown member") == true)
        #expect(message(#"{"roles":[]}"#) != nil)
        #expect(message("not json") != nil)
        #expect(throws: AuthError.self) {
            try Policy(roles: [.init(name: "a"), .init(name: "a")])
        }
    }

    @Test func guardsCompose() throws {
        let policy = try Policy(json: Self.json)
        let editorOnly: Guard = .allOf([.permission("articles:write"), .not(.role("admin"))])
        #expect(editorOnly.allows(principal(["editor"]), policy: policy))
        #expect(!editorOnly.allows(principal(["admin"]), policy: policy))
        #expect(!editorOnly.allows(principal(["viewer"]), policy: policy))
        let either: Guard = .anyOf([.role("auditor"), .permission("articles:write")])
        #expect(either.allows(principal(["auditor"]), policy: policy))
        #expect(either.allows(principal(["editor"]), policy: policy))
        #expect(!either.allows(principal(["viewer"]), policy: policy))
        #expect(!Guard.anyOf([]).allows(principal(["admin"]), policy: policy))
        #expect(Guard.allOf([]).allows(principal([]), policy: policy))
        // A role guard passes for roles that inherit it.
        #expect(Guard.role("viewer").allows(principal(["admin"]), policy: policy))
        #expect(!Guard.role("admin").allows(principal(["viewer"]), policy: policy))
        #expect(editorOnly.description == "allOf(permission(articles:write), not(role(admin)))")
    }

    @Test func failedGuardsAreTypedErrors() throws {
        let policy = try Policy(json: Self.json)
        let error = #expect(throws: AuthError.self) { try Guard.permission("users:delete").check(principal(["editor"]), policy: policy) }
        #expect(error?.code == .forbidden)
        let missing = #expect(throws: AuthError.self) { try Guard.role("viewer").check(nil, policy: policy) }
        #expect(missing?.code == .unauthenticated)
        #expect(throws: Never.self) { try Guard.role("viewer").check(principal(["editor"]), policy: policy) }
    }

    @Test func policiesBuildInSwift() throws {
        let policy = try Policy(roles: [
            .init(name: "reader", permissions: ["docs:read"]),
            .init(name: "writer", permissions: [try Permission(validating: "docs:write")], inherits: ["reader"]),
        ])
        #expect(policy.allows("docs:read", roles: ["writer"]))
        #expect(throws: AuthError.self) { try Permission(validating: "docs") }
    }
}
