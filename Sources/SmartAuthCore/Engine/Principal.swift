public import Foundation
public import SmartAuthJWT

/// Who is making a request, as established by ``AuthEngine/authenticate(bearer:)``.
public struct Principal: Sendable, Hashable {
    /// The user (`sub`).
    public var userID: UserID
    /// The session (`sid`).
    public var sessionID: SessionID
    /// The roles: from the session in stateful mode (so changes apply at once), else from the token.
    public var roles: [String]
    /// How strongly the user authenticated (`aal`).
    public var authenticationLevel: Int
    /// Every claim of the access token.
    public var claims: JWTClaims
    /// When the access token expires.
    public var expiresAt: Date

    /// A principal (the engine makes them; tests and adapters may too).
    public init(
        userID: UserID, sessionID: SessionID, roles: [String], authenticationLevel: Int, claims: JWTClaims,
        expiresAt: Date
    ) {
        self.userID = userID
        self.sessionID = sessionID
        self.roles = roles
        self.authenticationLevel = authenticationLevel
        self.claims = claims
        self.expiresAt = expiresAt
    }
}

/// What a login or a refresh returns.
public struct TokenPair: Sendable, Hashable {
    /// The access token (a JWT with `typ: at+jwt`).
    public var accessToken: String
    /// The refresh token (opaque). Present it to ``AuthEngine/refresh(_:client:)``.
    public var refreshToken: String
    /// When the access token expires.
    public var accessTokenExpiresAt: Date
    /// The access token's lifetime in seconds (OAuth `expires_in`).
    public var expiresIn: Int
    /// The session the tokens belong to.
    public var session: Session
}

/// One of a user's sessions, as shown on a "your devices" page.
public struct SessionInfo: Sendable, Hashable {
    /// The session.
    public var session: Session
    /// A readable device label ("Firefox 126 on Linux").
    public var deviceLabel: String
    /// Whether this is the session making the request.
    public var isCurrent: Bool
}
