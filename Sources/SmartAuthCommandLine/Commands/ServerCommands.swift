import Foundation
import SmartAuthCore
import SmartAuthCrypto
import SmartAuthJWT
import SmartAuthServer

/// `smart-auth serve` and the admin commands that work on the same store.
enum ServerCommands {
    static let all: [Command] = [serve, usersAdd, sessionsList, sessionsRevoke, keysRotate, keysList]

    static let serve = Command(
        path: ["serve"],
        summary: "run the auth server (REST API) on a store",
        help: """
            usage: smart-auth serve [--config FILE] [--listen HOST:PORT] [--store URL] [--access-ttl SECONDS]
                                    [--refresh-grace SECONDS] [--issuer URL] [--audience AUD] [--introspection-key KEY]
                                    [--algorithm ALG] [--session-check stateful|stateless|cached:SECONDS]
                                    [--tls-cert FILE --tls-key FILE] [--trusted-proxies CIDRS] [--cookie-origins ORIGINS]
                                    [--policy FILE] [--no-rate-limits] [--quiet]

            Runs SmartAuth's HTTP auth server. Every setting can also come from a JSON file (--config) and from
            SMARTAUTH_* environment variables; precedence: flag > environment > file > default.

              --listen HOST:PORT        default 127.0.0.1:8080
              --store URL               sqlite:PATH (default sqlite:./smartauth.db), memory:, redis://…, postgres://…
              --access-ttl SECONDS      access-token lifetime (default 900)
              --refresh-grace SECONDS   refresh grace window (default 10; 0 disables)
              --issuer URL              the iss of tokens (default http://HOST:PORT)
              --introspection-key KEY   enables POST /v1/introspect for resource servers holding KEY
              --algorithm ALG           signing algorithm for a new key ring (default EdDSA)
              --session-check MODE      stateful (default), stateless, or cached:SECONDS
              --tls-cert/--tls-key      PEM files: serve HTTPS
              --trusted-proxies CIDRS   comma-separated proxies whose X-Forwarded-For is believed
              --cookie-origins ORIGINS  browser cookie mode: refresh token in an HttpOnly cookie, these origins allowed
              --policy FILE             RBAC policy JSON (default: role admin has every permission)
              --no-rate-limits          turn off per-address rate limits (benchmarks)
              --quiet                   no access log

            The first start generates a signing key and a refresh-token secret and saves them in the store.
            SIGINT/SIGTERM stop the server after requests in flight finish.
            """,
        options: ["config", "listen", "store", "access-ttl", "refresh-grace", "issuer", "audience", "introspection-key",
                  "algorithm", "session-check", "tls-cert", "tls-key", "trusted-proxies", "cookie-origins", "policy"],
        flags: ["no-rate-limits", "quiet"], usageStatus: 2
    ) { arguments, console in
        let configuration = try resolveConfiguration(arguments)
        try blocking {
            let server = try await AuthServer.make(configuration: configuration) { line in console.printError(line) }
            try server.start()
            let scheme = configuration.tlsCertificatePath == nil ? "http" : "https"
            let base = "\(scheme)://\(configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host):\(server.port)"
            console.printError("SmartAuth listening on \(base) (store \(StoreURL.redacted(configuration.storeURL)), issuer \(configuration.effectiveIssuer))")
            console.printError("try:  curl -s -X POST \(base)/v1/signup -H 'Content-Type: application/json' -d '{\"email\":\"me@example.com\",\"password\":\"correct horse battery\"}'")
            console.printError("      curl -s -X POST \(base)/v1/token -d grant_type=password -d username=me@example.com -d 'password=correct horse battery'")
            await HTTPServer.waitForTerminationSignal()
            console.printError("shutting down: finishing requests in flight…")
            await server.shutdown(gracePeriod: 10)
        }
        return 0
    }

    static func resolveConfiguration(_ arguments: Arguments) throws -> ServerConfiguration {
        var flags: [String: String] = [:]
        for name in ServerConfiguration.settingNames {
            let flag = name.replacingOccurrences(of: "_", with: "-")
            if let value = arguments.value(flag) { flags[name] = value }
            if arguments.has(flag) { flags[name] = "true" }
        }
        return try ServerConfiguration.resolve(
            flags: flags, environment: ProcessInfo.processInfo.environment, file: arguments.value("config"))
    }

    /// The store for the admin commands: `--store`, else SMARTAUTH_STORE, else the default.
    static func openStore(_ arguments: Arguments) throws -> any AuthStore {
        let url = arguments.value("store") ?? ProcessInfo.processInfo.environment["SMARTAUTH_STORE"] ?? ServerConfiguration().storeURL
        return try StoreURL.open(url)
    }

    static let usersAdd = Command(
        path: ["users", "add"],
        summary: "create a user (password read from standard input)",
        help: """
            usage: smart-auth users add [--store URL] --email EMAIL --password-stdin [--role ROLE]...

            Creates a user in the store. The password is the first line of standard input (never a flag, so it
            stays out of shell history and process listings). --role may repeat (default: user).
            """,
        options: ["store", "email", "role"], flags: ["password-stdin"], usageStatus: 2
    ) { arguments, console in
        guard arguments.has("password-stdin") else { throw UsageError("--password-stdin is required (the password is read from standard input)") }
        let email = try arguments.required("email")
        guard let input = console.readInput(1 << 16) else { throw UsageError("standard input is too large") }
        let password = String(decoding: input, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first.map {
            String($0).trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        } ?? ""
        let roles = arguments.values("role")
        let store = try openStore(arguments)
        let user = try blocking {
            let accounts = try await adminAccounts(store)
            return try await accounts.signUp(email: email, password: password, roles: roles.isEmpty ? nil : roles)
        }
        console.print(#"{"id":"\#(user.id.rawValue)","email":"\#(user.email)","roles":[\#(user.roles.map { "\"\($0)\"" }.joined(separator: ","))]}"#)
        return 0
    }

    /// Accounts over `store` with its shared keys, for admin commands.
    static func adminAccounts(_ store: any AuthStore) async throws -> Accounts {
        let engine = try await adminEngine(store)
        return Accounts(users: store, engine: engine, hasher: try PasswordHasher(), bruteForce: BruteForceProtector(store: store))
    }

    static func adminEngine(_ store: any AuthStore) async throws -> AuthEngine {
        let ring = try await SharedKeys.loadOrCreateKeyRing(in: store, algorithm: .eddsa, now: Date()).ring
        let secret = try await SharedKeys.loadOrCreateRefreshSecret(in: store)
        let configuration = AuthConfiguration(issuer: "smart-auth-cli", audience: "smart-auth-cli", keyRing: ring, refreshTokenSecret: secret)
        return try AuthEngine(configuration: configuration, store: store)
    }

    static func userID(_ store: any AuthStore, _ email: String) async throws -> UserID {
        guard let normalized = Accounts.normalizedEmail(email), let user = try await store.user(email: normalized) else {
            throw UsageError("no user with email \(email)")
        }
        return user.id
    }

    static let sessionsList = Command(
        path: ["sessions", "list"],
        summary: "list a user's sessions",
        help: """
            usage: smart-auth sessions list [--store URL] --user EMAIL

            Prints the user's live sessions, newest first: id, device, IP, created and last seen.
            """,
        options: ["store", "user"], flags: [], usageStatus: 2
    ) { arguments, console in
        let email = try arguments.required("user")
        let store = try openStore(arguments)
        let sessions = try blocking {
            let user = try await userID(store, email)
            return try await store.sessions(of: user, at: Date())
        }
        let formatter = ISO8601DateFormatter()
        for session in sessions {
            console.print(
                "\(session.id.rawValue)  \(session.client.deviceLabel)  \(session.client.ipAddress ?? "-")  created \(formatter.string(from: session.createdAt))  last seen \(formatter.string(from: session.lastSeenAt))")
        }
        if sessions.isEmpty { console.print("no live sessions") }
        return 0
    }

    static let sessionsRevoke = Command(
        path: ["sessions", "revoke"],
        summary: "revoke one session or every session of a user",
        help: """
            usage: smart-auth sessions revoke [--store URL] (--session ID | --user EMAIL)

            Ends the session at once (in stateful mode; cached nodes within their cache TTL).
            """,
        options: ["store", "session", "user"], flags: [], usageStatus: 2
    ) { arguments, console in
        let store = try openStore(arguments)
        let session = arguments.value("session")
        let email = arguments.value("user")
        guard (session == nil) != (email == nil) else { throw UsageError("give exactly one of --session and --user") }
        let count = try blocking {
            if let session { return try await store.revoke(SessionID(session), at: Date()) == nil ? 0 : 1 }
            return try await store.revokeAll(of: try await userID(store, email ?? ""), except: nil, at: Date()).count
        }
        console.print("revoked \(count) session\(count == 1 ? "" : "s")")
        return 0
    }

    static let keysRotate = Command(
        path: ["keys", "rotate"],
        summary: "rotate the server's signing key in the store",
        help: """
            usage: smart-auth keys rotate [--store URL] [--alg ALG] [--overlap SECONDS]

            Adds a new active signing key; the previous key keeps verifying for --overlap seconds (default 960:
            the default access-token lifetime plus a minute), so no user is logged out. Running servers pick the
            new key up within a minute.
            """,
        options: ["store", "alg", "overlap"], flags: [], usageStatus: 2
    ) { arguments, console in
        let store = try openStore(arguments)
        let algorithm = try arguments.value("alg").map { (name) throws(UsageError) -> SignatureAlgorithm in
            guard let algorithm = SignatureAlgorithm(name: name) else { throw UsageError("unknown algorithm \(name)") }
            return algorithm
        }
        guard let overlap = Double(arguments.value("overlap") ?? "960"), overlap >= 0 else { throw UsageError("--overlap must be a number") }
        let ring = try blocking { try await SharedKeys.rotateKeyRing(in: store, algorithm: algorithm, overlap: overlap, now: Date()) }
        console.print("active key: \(ring.activeKey.keyID) (\(ring.activeKey.algorithm))")
        return 0
    }

    static let keysList = Command(
        path: ["keys", "list"],
        summary: "list the server's signing keys in the store",
        help: """
            usage: smart-auth keys list [--store URL]

            Prints each key's kid, algorithm, state (active, verify_only, retired) and dates. Never prints key material.
            """,
        options: ["store"], flags: [], usageStatus: 2
    ) { arguments, console in
        let store = try openStore(arguments)
        guard let ring = try blocking({ try await SharedKeys.loadKeyRing(from: store) }) else {
            console.print("no key ring in the store yet (start the server once)")
            return 0
        }
        let formatter = ISO8601DateFormatter()
        for key in ring.keys {
            let until = key.verifyUntil.map { "  verifies until \(formatter.string(from: $0))" } ?? ""
            console.print("\(key.keyID)  \(key.algorithm)  \(key.state)  created \(formatter.string(from: key.createdAt))\(until)")
        }
        return 0
    }
}
