public import Foundation
public import SmartAuthJWT

/// What a plugin sees of a login in progress.
public struct LoginContext: Sendable {
    /// Who is logging in.
    public var userID: UserID
    /// The roles the session will carry.
    public var roles: [String]
    /// The client.
    public var client: ClientInfo
    /// The authentication level of this login.
    public var authenticationLevel: Int
    /// The time of the login.
    public var time: Date

    /// A login context.
    public init(userID: UserID, roles: [String], client: ClientInfo, authenticationLevel: Int, time: Date) {
        self.userID = userID
        self.roles = roles
        self.client = client
        self.authenticationLevel = authenticationLevel
        self.time = time
    }
}

/// A plugin: enriches access-token claims at login, may veto a login, and observes events.
///
/// Every hook has a default that does nothing, so a plugin writes only what it uses. Plugins run in the
/// order they were registered, after the plugins they name in ``dependencies``.
public protocol AuthPlugin: Sendable {
    /// A unique name, used for ordering and in errors.
    var name: String { get }
    /// Names of plugins that must run before this one. Default: none.
    var dependencies: [String] { get }

    /// Called before a session is created. Throw to refuse the login: the engine fails it with
    /// ``AuthError/Code/loginVetoed`` carrying the message, and emits ``AuthEvent/Kind/loginFailed``.
    func authorizeLogin(_ context: LoginContext) async throws

    /// Adds or changes claims for the session's access tokens. Registered claims (`iss`, `sub`, `aud`, `exp`,
    /// `nbf`, `iat`, `jti`) and SmartAuth's own (`sid`, `roles`, `aal`) cannot be overridden.
    func enrichClaims(_ claims: inout JSONObject, for context: LoginContext) async throws

    /// Called synchronously for every event, after the engine's action completed. Must be quick and must
    /// not block: hand slow work to a task or subscribe to the ``EventBus`` instead.
    func observe(_ event: AuthEvent)
}

extension AuthPlugin {
    public var dependencies: [String] { [] }
    public func authorizeLogin(_ context: LoginContext) async throws {}
    public func enrichClaims(_ claims: inout JSONObject, for context: LoginContext) async throws {}
    public func observe(_ event: AuthEvent) {}
}
