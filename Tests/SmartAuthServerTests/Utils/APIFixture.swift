import Foundation
import SmartAuthCore
import SmartAuthCrypto
import SmartAuthHTTP
import SmartAuthJWT
import SmartAuthServer
import SmartAuthTesting
import Testing

/// How a test reaches the API: a direct call, or HTTP over loopback through the libmicrohttpd transport (the
/// same checks, once in-process and once against a live server).
enum Transport: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inProcess = "in-process"
    case live
    var testDescription: String { rawValue }
}

/// Keeps a live server running for as long as a fixture exists.
final class LiveServer: Sendable {
    let server: HTTPServer
    init(_ server: HTTPServer) { self.server = server }
    deinit {
        let server = self.server
        Task { await server.shutdown(gracePeriod: 0) }
    }
}

/// The REST API over a memory store, a manual clock and fast password hashing, called in-process or over HTTP.
struct APIFixture {
    let clock = ManualClock()
    let store = MemoryAuthStore()
    let engine: AuthEngine
    let accounts: Accounts
    let api: AuthAPI
    static let introspectionKey = "introspection-key-0123456789"
    let live: LiveServer?

    init(
        _ transport: Transport = .inProcess, configure: (inout APIConfiguration) -> Void = { _ in },
        engineSetup: (inout AuthConfiguration) -> Void = { _ in }
    ) throws {
        var configuration = AuthConfiguration(
            issuer: "http://127.0.0.1:8080", audience: "http://127.0.0.1:8080",
            keyRing: try KeyRing.generate(algorithm: .es256, now: clock.now()), refreshTokenSecret: try SecretBytes(randomCount: 32))
        configuration.clock = clock
        engineSetup(&configuration)
        engine = try AuthEngine(configuration: configuration, store: store)
        let hasher = try PasswordHasher(parameters: Argon2Parameters(memoryKiB: 256, iterations: 1))
        accounts = Accounts(users: store, engine: engine, hasher: hasher, bruteForce: BruteForceProtector(store: store, clock: clock))
        var apiConfiguration = APIConfiguration(baseURL: "http://127.0.0.1:8080")
        apiConfiguration.introspectionKey = SecretBytes(Array(Self.introspectionKey.utf8))
        // Over HTTP the peer is always 127.0.0.1: trust it as a proxy so tests can still vary the client address.
        if transport == .live { apiConfiguration.trustedProxies = [IPNetwork("127.0.0.1")!] }
        configure(&apiConfiguration)
        let api = AuthAPI(engine: engine, accounts: accounts, limiter: RateLimiter(store: store, clock: clock), configuration: apiConfiguration)
        self.api = api
        if transport == .live {
            // Wired as AuthServer wires it: what can be answered at once is, on the worker thread.
            let server = HTTPServer(
                configuration: testConfiguration(), immediateHandler: { request in api.respondWithoutWaiting(request) },
                handler: { request in await api.handle(request) })
            try server.start()
            live = LiveServer(server)
        } else {
            live = nil
        }
    }

    @discardableResult
    func send(
        _ method: String, _ path: String, json: String? = nil, form: String? = nil, bearer: String? = nil,
        headers: [(String, String)] = [], from address: String = "203.0.113.7"
    ) async -> Reply {
        var fields = HTTPHeaders(headers)
        var body: [UInt8] = []
        if let json {
            fields.add("Content-Type", "application/json")
            body = Array(json.utf8)
        } else if let form {
            fields.add("Content-Type", "application/x-www-form-urlencoded")
            body = Array(form.utf8)
        }
        if let bearer { fields.add("Authorization", "Bearer \(bearer)") }
        if let live {
            fields.add("X-Forwarded-For", address)
            var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
            for field in fields { head += "\(field.name): \(field.value)\r\n" }
            do {
                let raw = try await rawRequest(port: live.server.port, Array((head + "\r\n").utf8) + body)
                return Reply(HTTPResponse(status: raw.status, headers: HTTPHeaders(raw.headers.map { ($0.name, $0.value) }), body: raw.body))
            } catch {
                return Reply(HTTPResponse(status: 599, body: Array("transport error: \(error)".utf8)))
            }
        }
        let parts = path.split(separator: "?", maxSplits: 1)
        let request = HTTPRequest(
            method: method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : nil, headers: fields, body: body,
            remoteAddress: address)
        // As the server calls it: what needs no waiting first, then the rest of the work, or handle.
        switch api.respondWithoutWaiting(request) {
        case .respond(let response)?: return Reply(response)
        case .continueWith(let rest)?: return Reply(await rest())
        case nil: return Reply(await api.handle(request))
        }
    }

    func signUpAndLogIn(_ email: String = "alice@example.com", password: String = "correct horse battery") async throws -> Tokens {
        let signup = await send("POST", "/v1/signup", json: #"{"email":"\#(email)","password":"\#(password)"}"#)
        guard signup.status == 201 else { throw FixtureError("signup failed: \(signup.status) \(signup.text)") }
        return try await logIn(email, password: password)
    }

    func logIn(_ email: String = "alice@example.com", password: String = "correct horse battery") async throws -> Tokens {
        let reply = await send("POST", "/v1/token", form: "grant_type=password&username=\(email)&password=\(password.replacingOccurrences(of: " ", with: "+"))")
        guard reply.status == 200, let object = reply.json else { throw FixtureError("login failed: \(reply.status) \(reply.text)") }
        return Tokens(object)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A response, with its body read as text and JSON.
struct Reply {
    let response: HTTPResponse
    init(_ response: HTTPResponse) { self.response = response }
    var status: Int { response.status }
    var text: String { String(decoding: response.body, as: UTF8.self) }
    var json: JSONObject? { (try? JSONParser().parse(response.body))?.objectValue }
    func header(_ name: String) -> String? { response.headers[name] }
    func string(_ name: String) -> String? { json?[name]?.stringValue }
}

/// The fields of a token response.
struct Tokens {
    let access: String
    let refresh: String?
    let session: String
    let expiresIn: Int64?
    init(_ object: JSONObject) {
        access = object["access_token"]?.stringValue ?? ""
        refresh = object["refresh_token"]?.stringValue
        session = object["session_id"]?.stringValue ?? ""
        expiresIn = object["expires_in"]?.numberValue?.int64Value
    }
}
