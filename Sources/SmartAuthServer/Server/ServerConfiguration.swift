public import Foundation
public import SmartAuthCore
public import SmartAuthJWT

/// Everything `smart-auth serve` can be told, from (highest precedence first) command-line flags,
/// `SMARTAUTH_*` environment variables, a JSON configuration file, and the defaults.
///
/// | setting | flag | environment | JSON key | default |
/// | --- | --- | --- | --- | --- |
/// | listen address | `--listen` | `SMARTAUTH_LISTEN` | `listen` | `127.0.0.1:8080` |
/// | store URL | `--store` | `SMARTAUTH_STORE` | `store` | `sqlite:./smartauth.db` |
/// | access-token lifetime (s) | `--access-ttl` | `SMARTAUTH_ACCESS_TTL` | `access_ttl` | 900 |
/// | refresh grace window (s) | `--refresh-grace` | `SMARTAUTH_REFRESH_GRACE` | `refresh_grace` | 10 |
/// | issuer | `--issuer` | `SMARTAUTH_ISSUER` | `issuer` | `http://<listen>` |
/// | audience | `--audience` | `SMARTAUTH_AUDIENCE` | `audience` | the issuer |
/// | introspection key | `--introspection-key` | `SMARTAUTH_INTROSPECTION_KEY` | `introspection_key` | none (disabled) |
/// | signing algorithm | `--algorithm` | `SMARTAUTH_ALGORITHM` | `algorithm` | `EdDSA` |
/// | session check | `--session-check` | `SMARTAUTH_SESSION_CHECK` | `session_check` | `stateful` (`stateless`, `cached:SECONDS`) |
/// | TLS certificate / key (PEM) | `--tls-cert` / `--tls-key` | `SMARTAUTH_TLS_CERT` / `SMARTAUTH_TLS_KEY` | `tls_cert` / `tls_key` | none |
/// | trusted proxies (CIDR list) | `--trusted-proxies` | `SMARTAUTH_TRUSTED_PROXIES` | `trusted_proxies` | none |
/// | cookie mode origins | `--cookie-origins` | `SMARTAUTH_COOKIE_ORIGINS` | `cookie_origins` | none (cookie mode off) |
/// | RBAC policy file | `--policy` | `SMARTAUTH_POLICY` | `policy` | built in: `admin` has every permission |
/// | rate limits off | `--no-rate-limits` | `SMARTAUTH_NO_RATE_LIMITS` | `no_rate_limits` | limits on |
/// | access log | `--quiet` | `SMARTAUTH_QUIET` | `quiet` | one line per request on standard error |
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var storeURL = "sqlite:./smartauth.db"
    public var accessTokenLifetime: TimeInterval = 900
    public var refreshGraceWindow: TimeInterval = 10
    public var issuer: String?
    public var audience: String?
    public var introspectionKey: String?
    public var algorithm: SignatureAlgorithm = .eddsa
    public var sessionCheck: SessionCheckMode = .stateful
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    public var trustedProxies: [IPNetwork] = []
    public var cookieOrigins: [String]?
    public var policyPath: String?
    public var rateLimits = true
    public var accessLog = true

    /// The defaults.
    public init() {}

    /// The issuer actually used.
    public var effectiveIssuer: String { issuer ?? "\(tlsCertificatePath == nil ? "http" : "https")://\(hostForURL):\(port)" }
    /// The audience actually used.
    public var effectiveAudience: String { audience ?? effectiveIssuer }
    var hostForURL: String { host.contains(":") ? "[\(host)]" : host }

    /// The names of every setting, as flags (`--listen`) and JSON keys (`listen`); environment variables are
    /// `SMARTAUTH_` + the upper-cased key.
    public static let settingNames = [
        "listen", "store", "access_ttl", "refresh_grace", "issuer", "audience", "introspection_key", "algorithm",
        "session_check", "tls_cert", "tls_key", "trusted_proxies", "cookie_origins", "policy", "no_rate_limits", "quiet",
    ]

    /// Resolves the configuration: `flags` (keys as in ``settingNames``) over `environment` over the JSON `file`
    /// over the defaults.
    /// - Throws: ``AuthError/Code/configuration`` naming the bad setting and where it came from.
    public static func resolve(
        flags: [String: String], environment: [String: String], file: String?
    ) throws(AuthError) -> ServerConfiguration {
        var values: [String: (value: String, source: String)] = [:]
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw AuthError(.configuration, "cannot read the configuration file \(file)")
            }
            guard let object = (try? JSONParser().parse(Array(data)))?.objectValue else {
                throw AuthError(.configuration, "the configuration file \(file) is not a JSON object")
            }
            for (key, value) in object {
                guard settingNames.contains(key) else { throw AuthError(.configuration, "unknown setting \"\(key)\" in \(file)") }
                let text: String
                switch value {
                case .string(let string): text = string
                case .number(let number): text = number.text
                case .bool(let flag): text = flag ? "true" : "false"
                case .array(let items): text = items.compactMap(\.stringValue).joined(separator: ",")
                default: throw AuthError(.configuration, "setting \"\(key)\" in \(file) has an unsupported type")
                }
                values[key] = (text, file)
            }
        }
        for key in settingNames {
            if let value = environment["SMARTAUTH_" + key.uppercased()] { values[key] = (value, "SMARTAUTH_" + key.uppercased()) }
        }
        for (key, value) in flags { values[key] = (value, "--" + key.replacingOccurrences(of: "_", with: "-")) }

        var configuration = ServerConfiguration()
        func number(_ key: String, _ range: ClosedRange<Double>) throws(AuthError) -> Double? {
            guard let (text, source) = values[key] else { return nil }
            guard let value = Double(text), range.contains(value) else {
                throw AuthError(.configuration, "\(source): \(key) must be a number in \(range)")
            }
            return value
        }
        func flag(_ key: String) -> Bool {
            guard let text = values[key]?.value.lowercased() else { return false }
            return text == "" || text == "1" || text == "true" || text == "yes"
        }
        if let (listen, source) = values["listen"] {
            guard let split = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: split)...]), (0...65535).contains(port)
            else { throw AuthError(.configuration, "\(source): listen must be HOST:PORT") }
            var host = String(listen[..<split])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard IPAddress(host) != nil || host == "localhost" else {
                throw AuthError(.configuration, "\(source): listen host must be an IP address")
            }
            configuration.host = host == "localhost" ? "127.0.0.1" : host
            configuration.port = port
        }
        if let store = values["store"]?.value { configuration.storeURL = store }
        if let ttl = try number("access_ttl", 30...86_400) { configuration.accessTokenLifetime = ttl }
        if let grace = try number("refresh_grace", 0...300) { configuration.refreshGraceWindow = grace }
        configuration.issuer = values["issuer"]?.value
        configuration.audience = values["audience"]?.value
        if let (key, source) = values["introspection_key"] {
            guard key.utf8.count >= 16 else { throw AuthError(.configuration, "\(source): introspection_key needs at least 16 characters") }
            configuration.introspectionKey = key
        }
        if let (name, source) = values["algorithm"] {
            guard let algorithm = SignatureAlgorithm(name: name) else { throw AuthError(.configuration, "\(source): unknown algorithm \(name)") }
            configuration.algorithm = algorithm
        }
        if let (mode, source) = values["session_check"] {
            switch mode {
            case "stateful": configuration.sessionCheck = .stateful
            case "stateless": configuration.sessionCheck = .stateless
            case _ where mode.hasPrefix("cached:"):
                guard let ttl = Double(mode.dropFirst("cached:".count)), ttl > 0, ttl <= 3600 else {
                    throw AuthError(.configuration, "\(source): session_check cached:SECONDS needs 0 < SECONDS ≤ 3600")
                }
                configuration.sessionCheck = .cached(ttl: ttl)
            default: throw AuthError(.configuration, "\(source): session_check must be stateful, stateless or cached:SECONDS")
            }
        }
        configuration.tlsCertificatePath = values["tls_cert"]?.value
        configuration.tlsKeyPath = values["tls_key"]?.value
        if (configuration.tlsCertificatePath == nil) != (configuration.tlsKeyPath == nil) {
            throw AuthError(.configuration, "tls_cert and tls_key go together")
        }
        if let (list, source) = values["trusted_proxies"] {
            configuration.trustedProxies = try list.split(separator: ",").map { (item) throws(AuthError) -> IPNetwork in
                guard let network = IPNetwork(item.trimmingCharacters(in: .whitespaces)) else {
                    throw AuthError(.configuration, "\(source): \(item) is not an address or CIDR range")
                }
                return network
            }
        }
        if let list = values["cookie_origins"]?.value {
            configuration.cookieOrigins = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        configuration.policyPath = values["policy"]?.value
        configuration.rateLimits = !flag("no_rate_limits")
        configuration.accessLog = !flag("quiet")
        return configuration
    }
}
