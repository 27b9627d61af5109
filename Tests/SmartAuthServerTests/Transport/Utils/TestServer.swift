import Foundation
import SmartAuthHTTP
import Synchronization
@testable import SmartAuthServer

/// Records what the handler saw.
final class RequestLog: Sendable {
    private let requests = Mutex<[HTTPRequest]>([])
    private let finished = Atomic<Int>(0)

    func record(_ request: HTTPRequest) { requests.withLock { $0.append(request) } }
    func markFinished() { finished.add(1, ordering: .sequentiallyConsistent) }

    var all: [HTTPRequest] { requests.withLock { $0 } }
    var count: Int { requests.withLock { $0.count } }
    var last: HTTPRequest? { requests.withLock { $0.last } }
    var finishedCount: Int { finished.load(ordering: .sequentiallyConsistent) }
}

/// An echo handler: the response body is the request body, and `X-Echo-*` headers describe the request.
func echoHandler(_ log: RequestLog) -> @Sendable (HTTPRequest) async -> HTTPResponse {
    { request in
        log.record(request)
        defer { log.markFinished() }
        var headers = HTTPHeaders()
        headers.add("X-Echo-Method", request.method)
        headers.add("X-Echo-Query", request.query ?? "<none>")
        headers.add("X-Echo-Body-Length", String(request.body.count))
        return HTTPResponse(status: 200, headers: headers, body: request.body.isEmpty ? Array("ok".utf8) : request.body)
    }
}

/// A test configuration: 127.0.0.1, an ephemeral port, two worker threads.
func testConfiguration(_ configure: (inout HTTPServer.Configuration) -> Void = { _ in }) -> HTTPServer.Configuration {
    var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, threadCount: 2)
    configure(&configuration)
    return configuration
}

/// Starts a server, runs `body`, and shuts the server down whatever happens.
func withServer(
    _ configuration: HTTPServer.Configuration = testConfiguration(),
    handler: @escaping @Sendable (HTTPRequest) async -> HTTPResponse,
    _ body: (HTTPServer) async throws -> Void
) async throws {
    let server = HTTPServer(configuration: configuration, handler: handler)
    try server.start()
    do {
        try await body(server)
    } catch {
        await server.shutdown(gracePeriod: 0)
        throw error
    }
    await server.shutdown(gracePeriod: 2)
}

/// Polls `condition` every 5 ms until it holds or `seconds` pass; returns whether it held.
func eventually(within seconds: Double = 5, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now.advanced(by: .seconds(seconds))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}
