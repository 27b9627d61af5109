public import Foundation
public import SmartAuthCore
public import SmartAuthCrypto

/// How the REST API behaves. Every setting has a safe default; the server builds this from its configuration.
public struct APIConfiguration: Sendable {
    /// Browser mode: the refresh token travels in an `HttpOnly; Secure; SameSite=Strict` cookie scoped to the
    /// token endpoint instead of the response body, and cookie-based refreshes must pass a CSRF check.
    public struct RefreshCookie: Sendable {
        /// The cookie's name. Default `smartauth_refresh`.
        public var name: String = "smartauth_refresh"
        /// Origins (`https://app.example.com`) allowed to refresh with the cookie. A cookie-based refresh must
        /// come with `Sec-Fetch-Site: same-origin` or an `Origin` in this list.
        public var allowedOrigins: [String] = []
        /// Cookie `Secure` attribute. Default true; turn off only for plain-HTTP development.
        public var secure: Bool = true

        /// Cookie mode with the given allowed origins.
        public init(allowedOrigins: [String] = []) { self.allowedOrigins = allowedOrigins }
    }

    /// The issuer's base URL (e.g. `https://auth.example.com`), for the discovery document.
    public var baseURL: String
    /// The key resource servers present to `/v1/introspect` (`Authorization: Bearer <key>`). `nil` disables
    /// introspection.
    public var introspectionKey: SecretBytes?
    /// Cookie mode, or `nil` (the default) for tokens in response bodies only.
    public var refreshCookie: RefreshCookie?
    /// Proxies whose `X-Forwarded-For` is believed. Default: none.
    public var trustedProxies: [IPNetwork] = []
    /// Per-address limit on `/v1/token`. Default 120 per minute; `nil` disables it.
    public var tokenRateLimit: RateLimit? = RateLimit(limit: 120, period: 60)
    /// Per-address limit on `/v1/signup`. Default 20 per hour; `nil` disables it.
    public var signupRateLimit: RateLimit? = RateLimit(limit: 20, period: 3600)
    /// Per-address limit on every other `/v1` route. Default 1,200 per minute; `nil` disables it.
    public var apiRateLimit: RateLimit? = RateLimit(limit: 1200, period: 60)
    /// Roles and permissions. Default: `admin` has every permission, `user` none.
    public var policy: Policy
    /// The permission the admin routes require. Default `users:manage`.
    public var adminPermission: Permission = "users:manage"
    /// Seconds `GET /v1/userinfo` may reuse a user's e-mail address read from the store, so that with the
    /// `stateless` and `cached` session checks the route needs no store round trip. Only display data is
    /// kept (never the password hash), and authentication never reads it. Default 60; 0 reads the store on
    /// every request.
    public var profileCacheTTL: TimeInterval = 60

    /// A configuration for an issuer at `baseURL`.
    public init(baseURL: String) {
        self.baseURL = baseURL
        // The literal policy is valid, so this cannot fail.
        self.policy = try! Policy(roles: [.init(name: "admin", permissions: ["*"]), .init(name: "user")])
    }
}
