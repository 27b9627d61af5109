/// Why a session ended early. An open set: new reasons may be added.
public struct RevocationReason: Hashable, Sendable, CustomStringConvertible {
    /// The stable snake_case name, as written in events and audit logs.
    public let name: String
    /// A reason with this name (for application-defined reasons).
    public init(_ name: String) { self.name = name }

    /// The user logged out of this session.
    public static let logout = RevocationReason("logout")
    /// The user logged out of every other session ("log out other devices").
    public static let logoutOthers = RevocationReason("logout_others")
    /// The user logged out everywhere, or an administrator did it for them.
    public static let logoutAll = RevocationReason("logout_all")
    /// A refresh token of this session (or of another session of the user) was replayed.
    public static let refreshTokenReused = RevocationReason("refresh_token_reused")
    /// The user's credentials changed (password change or reset).
    public static let credentialsChanged = RevocationReason("credentials_changed")
    /// An administrator revoked it.
    public static let administrator = RevocationReason("administrator")

    public var description: String { name }
}
