import Foundation
import SmartAuthHTTP
import Synchronization
import Testing

@testable import SmartAuthServer

#if canImport(Glibc)
import Glibc
#endif

/// The transport against a live server on 127.0.0.1, port 0, with a raw socket client.
@Suite struct HTTPServerTests {
    @Test func getReachesHandlerAndReturnsItsResponse() async throws {
        let log = RequestLog()
        try await withServer(handler: echoHandler(log)) { server in
            let response = try await rawRequest(port: server.port, get("/hello"))
            #expect(response.status == 200)
            #expect(response.text == "ok")
            #expect(response.header("X-Echo-Method") == "GET")
            #expect(response.header("Content-Length") == "2")
            #expect(response.header("Date") != nil)
            let request = try #require(log.last)
            #expect(request.method == "GET")
            #expect(request.path == "/hello")
            #expect(request.query == nil)
            #expect(request.body.isEmpty)
            #expect(request.remoteAddress == "127.0.0.1")
        }
    }

    @Test func postBodyIsEchoed() async throws {
        let log = RequestLog()
        try await withServer(handler: echoHandler(log)) { server in
            let body = "{\"user\":\"alice\",\"password\":\"correct horse\"}"
            let response = try await rawRequest(
                port: server.port,
                "POST /v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            #expect(response.status == 200)
            #expect(response.text == body)
            #expect(log.last?.method == "POST")
            #expect(log.last?.body == Array(body.utf8))
        }
    }

    @Test func largeBodyArrivingInPiecesIsEchoed() async throws {
        let log = RequestLog()
        try await withServer(handler: echoHandler(log)) { server in
            let body = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let response = try await onOwnThread {
                let connection = try RawConnection(port: server.port)
                try connection.send("PUT /blob HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n")
                for start in stride(from: 0, to: body.count, by: 7_001) {
                    try connection.send(Array(body[start..<min(start + 7_001, body.count)]))
                }
                return try connection.readResponse()
            }
            #expect(response.status == 200)
            #expect(response.body == body)
        }
    }

    @Test func chunkedBodyIsDecoded() async throws {
        let log = RequestLog()
        try await withServer(handler: echoHandler(log)) { server in
            let response = try await rawRequest(
                port: server.port,
                "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
            #expect(response.status == 200)
            #expect(response.text == "hello world")
        }
    }

    @Test func headersAreKeptInOrderAndLookedUpCaseInsensitively() async throws {
        let log = RequestLog()
        let handler: @Sendable (HTTPRequest) async -> HTTPResponse = { request in
            log.record(request)
            return HTTPResponse(status: 201, headers: ["X-Reply": "Yes", "Set-Cookie": "a=1", "set-cookie": "b=2"])
        }
        try await withServer(handler: handler) { server in
            let response = try await rawRequest(
                port: server.port, get("/h", headers: "x-CUSTOM-header: Value1\r\nAccept: a\r\nAccept: b\r\n"))
            #expect(response.status == 201)
            #expect(response.header("x-reply") == "Yes")
            #expect(response.headers.filter { $0.name.lowercased() == "set-cookie" }.map(\.value) == ["a=1", "b=2"])
            let request = try #require(log.last)
            #expect(request.headers["X-Custom-Header"] == "Value1")
            #expect(request.headers.values("accept") == ["a", "b"])
            #expect(request.headers.fields.map(\.name) == ["Host", "x-CUSTOM-header", "Accept", "Accept"])
        }
    }

    @Test func queryStringIsPassedRaw() async throws {
        let log = RequestLog()
        try await withServer(handler: echoHandler(log)) { server in
            _ = try await rawRequest(port: server.port, get("/search?q=a%20b&x=1+2&x=3"))
            #expect(log.last?.path == "/search")
            #expect(log.last?.query == "q=a%20b&x=1+2&x=3")
            _ = try await rawRequest(port: server.port, get("/empty?"))
            #expect(log.last?.path == "/empty")
            #expect(log.last?.query == "")
        }
    }

    @Test func pathIsPercentDecoded() async throws {
        let log = RequestLog()
        try await withServer(handler: echoHandler(log)) { server in
            let response = try await rawRequest(port: server.port, get("/caf%C3%A9/a%20b%2Fc+d"))
            #expect(response.status == 200)
            #expect(log.last?.path == "/café/a b/c+d")
        }
    }

    @Test(arguments: ["/a%00b", "/a%zz", "/a%2", "/a%FF", "/x#frag"])
    func malformedTargetIsRejectedBeforeTheHandler(_ target: String) async throws {
        let log = RequestLog()
        try await withServer(handler: echoHandler(log)) { server in
            let response = try await rawRequest(port: server.port, get(target))
            #expect(response.status == 400)
            #expect(log.count == 0)
        }
    }

    @Test func keepAliveServesTwoRequestsOnOneConnection() async throws {
        let log = RequestLog()
        try await withServer(handler: echoHandler(log)) { server in
            let (first, second) = try await onOwnThread {
                let connection = try RawConnection(port: server.port)
                try connection.send(get("/one"))
                let first = try connection.readResponse()
                try connection.send(
                    "POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
                let second = try connection.readResponse()
                return (first, second)
            }
            #expect(first.status == 200)
            #expect(second.status == 200)
            #expect(second.text == "abc")
            #expect(first.header("Connection")?.lowercased() != "close")
            #expect(second.header("Connection")?.lowercased() != "close")
            #expect(log.all.map(\.path) == ["/one", "/two"])
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let log = RequestLog()
        try await withServer(handler: echoHandler(log)) { server in
            let responses = try await onOwnThread {
                let connection = try RawConnection(port: server.port)
                try connection.send(get("/1") + get("/2") + get("/3"))
                return try (0..<3).map { _ in try connection.readResponse() }
            }
            #expect(responses.map(\.status) == [200, 200, 200])
            #expect(log.all.map(\.path) == ["/1", "/2", "/3"])
        }
    }

    /// A handler starts on libmicrohttpd's worker thread (named `MHD-…` by libmicrohttpd); one that never awaits
    /// is answered there, one that awaits continues elsewhere; both kinds interleave on one keep-alive
    /// connection, pipelined, and come back in order.
    @Test func handlersStartOnTheWorkerThreadAndMayAwait() async throws {
        let threads = Mutex<[String: [String]]>([:])
        let handler: @Sendable (HTTPRequest) async -> HTTPResponse = { request in
            threads.withLock { $0[request.path, default: []].append(currentThreadName()) }
            if request.path.hasPrefix("/await") {
                try? await Task.sleep(for: .milliseconds(5))
                threads.withLock { $0[request.path, default: []].append(currentThreadName()) }
            }
            return HTTPResponse(status: 200, body: Array(request.path.utf8))
        }
        try await withServer(handler: handler) { server in
            let paths = ["/now1", "/await1", "/now2", "/await2", "/now3"]
            let responses = try await onOwnThread {
                let connection = try RawConnection(port: server.port)
                try connection.send(paths.map { get($0) }.joined())
                return try paths.map { _ in try connection.readResponse() }
            }
            #expect(responses.map(\.text) == paths)
            #expect(responses.allSatisfy { $0.header("Connection")?.lowercased() != "close" })
            let seen = threads.withLock { $0 }
            for path in paths {
                let names = try #require(seen[path])
                #expect(names.first?.hasPrefix("MHD") == true, "\(path) started on \(names)")
            }
            #expect(seen["/await1"]?.count == 2)
        }
    }

    /// With two worker threads and 200 requests whose handler sleeps 50 ms, blocking workers would need about
    /// 200 × 50 ms / 2 = 5 s; suspended connections let all of them wait at once.
    /// Proof that handlers do not hold libmicrohttpd's threads: 40 requests on a 2-thread server each wait in
    /// their handler until all 40 handlers have started. If a handler blocked its thread, at most 2 could ever be
    /// running and the gate would never open (the 30 s bound only turns that deadlock into a failure; it is not
    /// a performance assertion).
    @Test func slowHandlersDoNotBlockWorkerThreads() async throws {
        let started = Gate(count: 40)
        let handler: @Sendable (HTTPRequest) async -> HTTPResponse = { request in
            await started.arriveAndWait(timeout: .seconds(30))
            return HTTPResponse(status: 200, body: Array(request.path.utf8))
        }
        try await withServer(testConfiguration { $0.threadCount = 2 }, handler: handler) { server in
            let port = server.port
            let bodies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let response = try await rawRequest(port: port, get("/r\(index)"))
                        return (index, response.status == 200 ? response.text : "status \(response.status)")
                    }
                }
                var bodies: [Int: String] = [:]
                for try await (index, body) in group { bodies[index] = body }
                return bodies
            }
            #expect(started.opened, "the 40 handlers never ran at the same time: they block the server's threads")
            #expect((0..<40).allSatisfy { bodies[$0] == "/r\($0)" })
        }
    }

    @Test func declaredBodyOverTheLimitIs413WithoutReadingIt() async throws {
        let log = RequestLog()
        try await withServer(testConfiguration { $0.maximumBodyBytes = 1024 }, handler: echoHandler(log)) { server in
            // Only the head is sent: the 413 must come without waiting for the body.
            let response = try await rawRequest(
                port: server.port, "POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
            #expect(response.status == 413)
            let atLimit = try await rawRequest(
                port: server.port,
                "POST /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n" + String(repeating: "a", count: 1024))
            #expect(atLimit.status == 200)
            #expect(log.all.map(\.path) == ["/ok"])
        }
    }

    @Test func chunkedBodyOverTheLimitIs413() async throws {
        let log = RequestLog()
        try await withServer(testConfiguration { $0.maximumBodyBytes = 1024 }, handler: echoHandler(log)) { server in
            let chunk = String(repeating: "b", count: 1000)
            let response = try await rawRequest(
                port: server.port,
                "POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3e8\r\n\(chunk)\r\n3e8\r\n\(chunk)\r\n0\r\n\r\n")
            #expect(response.status == 413)
            #expect(log.count == 0)
        }
    }

    @Test func headersOverTheLimitAreAnErrorAndTheServerStaysUp() async throws {
        let log = RequestLog()
        try await withServer(testConfiguration { $0.maximumHeaderBytes = 4096 }, handler: echoHandler(log)) {
            server in
            let overOurLimit = try await rawRequest(
                port: server.port, get("/", headers: "X-Big: \(String(repeating: "h", count: 5000))\r\n"))
            #expect(overOurLimit.status == 431)
            // Far beyond libmicrohttpd's per-connection memory: its own error (or a close).
            let huge = try? await rawRequest(
                port: server.port, get("/", headers: "X-Huge: \(String(repeating: "h", count: 100_000))\r\n"))
            if let huge { #expect(huge.status >= 400) }
            let normal = try await rawRequest(port: server.port, get("/after"))
            #expect(normal.status == 200)
            #expect(log.all.map(\.path) == ["/after"])
        }
    }

    struct FramingCase: Sendable, CustomTestStringConvertible {
        var name: String
        var head: String
        var status: Int
        var testDescription: String { name }
    }

    static let framingCases: [FramingCase] = [
        FramingCase(
            name: "two equal Content-Length", head: "Content-Length: 3\r\nContent-Length: 3\r\n", status: 400),
        FramingCase(
            name: "two different Content-Length", head: "Content-Length: 3\r\nContent-Length: 4\r\n", status: 400),
        FramingCase(name: "Content-Length list", head: "Content-Length: 3, 3\r\n", status: 400),
        FramingCase(name: "signed Content-Length", head: "Content-Length: +3\r\n", status: 400),
        FramingCase(
            name: "Content-Length and Transfer-Encoding",
            head: "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", status: 400),
        FramingCase(
            name: "Transfer-Encoding and Content-Length",
            head: "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", status: 400),
        FramingCase(
            name: "two Transfer-Encoding", head: "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
            status: 400),
        FramingCase(name: "unknown transfer coding", head: "Transfer-Encoding: gzip, chunked\r\n", status: 501),
        FramingCase(name: "two Host", head: "Host: evil\r\n", status: 400),
        FramingCase(name: "space before colon", head: "Content-Length : 3\r\n", status: 400),
        FramingCase(name: "obs-fold hiding Content-Length", head: "X-A: a\r\n Content-Length: 3\r\n", status: 400),
        FramingCase(
            name: "obs-fold hiding Transfer-Encoding", head: "X-A: a\r\n\tTransfer-Encoding: chunked\r\n",
            status: 400),
        FramingCase(name: "bare CR in a value", head: "X-A: a\rb\r\nContent-Length: 3\r\n", status: 400),
    ]

    @Test(arguments: framingCases)
    func ambiguousFramingIsRejectedBeforeTheHandler(_ framing: FramingCase) async throws {
        let log = RequestLog()
        try await withServer(handler: echoHandler(log)) { server in
            let response = try await onOwnThread {
                let connection = try RawConnection(port: server.port)
                try connection.send("POST /smuggle HTTP/1.1\r\nHost: x\r\n\(framing.head)\r\nabc")
                let response = try connection.readResponse()
                return (response, connection.isClosedByServer())
            }
            // libmicrohttpd itself may reject some of these first (with 400); either way no handler runs and
            // the connection does not stay open for a smuggled request.
            #expect(response.0.status == framing.status || response.0.status == 400)
            #expect(response.1)
            #expect(log.count == 0)
            let after = try await rawRequest(port: server.port, get("/after"))
            #expect(after.status == 200)
        }
    }

    @Test func transferEncodingInHTTP10IsRejected() async throws {
        let log = RequestLog()
        try await withServer(handler: echoHandler(log)) { server in
            let response = try await rawRequest(
                port: server.port, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
            #expect(response.status == 400)
            #expect(log.count == 0)
        }
    }

    @Test func handlerErrorsInTheResponseBecome500() async throws {
        let handler: @Sendable (HTTPRequest) async -> HTTPResponse = { request in
            switch request.path {
            case "/status": HTTPResponse(status: 42)
            case "/crlf": HTTPResponse(status: 200, headers: ["X-Bad": "a\r\nSet-Cookie: evil=1"])
            case "/nul": HTTPResponse(status: 200, headers: ["X-Bad": "a\u{0}b"])
            default: HTTPResponse(status: 200, headers: ["Content-Length": "999", "X-Fine": "1"], body: [65])
            }
        }
        try await withServer(handler: handler) { server in
            for path in ["/status", "/crlf", "/nul"] {
                let response = try await rawRequest(port: server.port, get(path))
                #expect(response.status == 500, "\(path)")
                #expect(response.header("Set-Cookie") == nil)
            }
            // A handler's Content-Length is ignored: libmicrohttpd writes the true one.
            let fine = try await rawRequest(port: server.port, get("/fine"))
            #expect(fine.status == 200)
            #expect(fine.header("Content-Length") == "1")
            #expect(fine.text == "A")
        }
    }

    @Test func clientDisconnectingWhileTheHandlerRunsIsHarmless() async throws {
        let started = Atomic<Int>(0)
        let finished = Atomic<Int>(0)
        let handler: @Sendable (HTTPRequest) async -> HTTPResponse = { request in
            if request.path == "/slow" {
                started.add(1, ordering: .sequentiallyConsistent)
                try? await Task.sleep(for: .milliseconds(300))
                finished.add(1, ordering: .sequentiallyConsistent)
            }
            return HTTPResponse(status: 200, body: Array(repeating: 7, count: 100_000))
        }
        try await withServer(handler: handler) { server in
            for _ in 0..<5 {
                let connection = try await onOwnThread { () -> RawConnectionBox in
                    let connection = try RawConnection(port: server.port)
                    try connection.send(get("/slow"))
                    return RawConnectionBox(connection)
                }
                _ = await eventually { started.load(ordering: .sequentiallyConsistent) > 0 }
                connection.close()
            }
            #expect(await eventually { finished.load(ordering: .sequentiallyConsistent) == 5 })
            // Every request context is freed once libmicrohttpd notices the closed sockets.
            #expect(await eventually { server.liveRequestCount == 0 })
            let after = try await rawRequest(port: server.port, get("/fast"))
            #expect(after.status == 200)
            #expect(after.body.count == 100_000)
        }
    }

    @Test func gracefulShutdownFinishesTheRequestInFlightAndRefusesNewConnections() async throws {
        let started = Atomic<Bool>(false)
        let handler: @Sendable (HTTPRequest) async -> HTTPResponse = { _ in
            started.store(true, ordering: .sequentiallyConsistent)
            try? await Task.sleep(for: .milliseconds(400))
            return HTTPResponse(status: 200, body: Array("finished".utf8))
        }
        let server = HTTPServer(configuration: testConfiguration(), handler: handler)
        try server.start()
        let port = server.port
        async let inFlight = rawRequest(port: port, get("/slow"))
        #expect(await eventually { started.load(ordering: .sequentiallyConsistent) })
        await server.shutdown(gracePeriod: 5)
        let response = try await inFlight
        #expect(response.status == 200)
        #expect(response.text == "finished")
        #expect(response.header("Connection")?.lowercased() == "close")
        let refused = #expect(throws: ClientError.self) {
            _ = try RawConnection(port: port)
        }
        #expect(refused?.errorNumber == ECONNREFUSED)
        #expect(server.port == port)
        // A second shutdown returns at once.
        await server.shutdown()
    }

    @Test func shutdownAfterTheGracePeriodAbandonsSlowHandlers() async throws {
        let started = Atomic<Bool>(false)
        let handler: @Sendable (HTTPRequest) async -> HTTPResponse = { _ in
            started.store(true, ordering: .sequentiallyConsistent)
            try? await Task.sleep(for: .seconds(60))
            return HTTPResponse(status: 200)
        }
        let server = HTTPServer(configuration: testConfiguration(), handler: handler)
        try server.start()
        let port = server.port
        async let inFlight = try? rawRequest(port: port, get("/stuck"))
        #expect(await eventually { started.load(ordering: .sequentiallyConsistent) })
        let start = ContinuousClock.now
        async let concurrentShutdown: Void = server.shutdown(gracePeriod: 0.2)
        await server.shutdown(gracePeriod: 0.2)
        await concurrentShutdown
        // Far below the handler's 60 s: shutdown did not wait for it (a deadlock guard, not a speed test).
        #expect(ContinuousClock.now - start < .seconds(20))
        // 503, or a closed connection if libmicrohttpd stopped before writing it.
        if let response = await inFlight { #expect(response.status == 503) }
    }

    @Test func portZeroBindsARealPort() async throws {
        let server = HTTPServer(configuration: testConfiguration()) { _ in HTTPResponse(status: 204) }
        #expect(server.port == 0)
        try server.start()
        #expect(server.port > 0 && server.port < 65536)
        let response = try await rawRequest(port: server.port, get("/"))
        #expect(response.status == 204)
        await server.shutdown(gracePeriod: 1)
    }

    @Test func startingOnAPortInUseFailsWithBindFailed() async throws {
        try await withServer(handler: { _ in HTTPResponse(status: 200) }) { first in
            let second = HTTPServer(configuration: testConfiguration { $0.port = first.port }) { _ in
                HTTPResponse(status: 200)
            }
            let error = #expect(throws: HTTPServerError.self) { try second.start() }
            #expect(error?.code == .bindFailed)
            #expect(error?.message.contains("in use") == true)
            // The first server is unaffected.
            let stillServing = try await rawRequest(port: first.port, get("/"))
            #expect(stillServing.status == 200)
        }
    }

    @Test func startFailuresAreTyped() async throws {
        let notALiteral = HTTPServer(configuration: testConfiguration { $0.host = "localhost" }) { _ in
            HTTPResponse(status: 200)
        }
        #expect(throws: HTTPServerError(.bindFailed, "")) { try notALiteral.start() }
        let badThreads = HTTPServer(configuration: testConfiguration { $0.threadCount = 0 }) { _ in
            HTTPResponse(status: 200)
        }
        #expect(throws: HTTPServerError(.invalidConfiguration, "")) { try badThreads.start() }
        let onlyCertificate = HTTPServer(configuration: testConfiguration { $0.tlsCertificatePath = "/x" }) { _ in
            HTTPResponse(status: 200)
        }
        #expect(throws: HTTPServerError(.tlsFailed, "")) { try onlyCertificate.start() }
        let missingFiles = HTTPServer(
            configuration: testConfiguration {
                $0.tlsCertificatePath = "/nonexistent/cert.pem"
                $0.tlsKeyPath = "/nonexistent/key.pem"
            }
        ) { _ in HTTPResponse(status: 200) }
        #expect(throws: HTTPServerError(.tlsFailed, "")) { try missingFiles.start() }

        let twice = HTTPServer(configuration: testConfiguration()) { _ in HTTPResponse(status: 200) }
        try twice.start()
        #expect(throws: HTTPServerError(.startFailed, "")) { try twice.start() }
        await twice.shutdown(gracePeriod: 0)
        #expect(throws: HTTPServerError(.startFailed, "")) { try twice.start() }
    }

    @Test func ipv6LoopbackWorksWhereAvailable() async throws {
        let server = HTTPServer(configuration: testConfiguration { $0.host = "::1" }) { request in
            HTTPResponse(status: 200, body: Array(request.remoteAddress.utf8))
        }
        do {
            try server.start()
        } catch {
            // No IPv6 loopback in this container: nothing to test.
            #expect(error.code == .bindFailed)
            return
        }
        let result = try await run("/usr/bin/curl", ["-s", "-g", "http://[::1]:\(server.port)/"])
        #expect(result.status == 0)
        #expect(result.output == "::1")
        await server.shutdown(gracePeriod: 1)
    }
}

/// Moves a connection made on a client thread back to the test (which only closes it).
final class RawConnectionBox: @unchecked Sendable {
    private let connection: RawConnection
    init(_ connection: RawConnection) { self.connection = connection }
    func close() { connection.close() }
}

/// Opens when `count` tasks have arrived; each waits until then (or until the timeout, which only guards
/// against a deadlock).
final class Gate: Sendable {
    private let state: Mutex<(arrived: Int, opened: Bool)>
    private let count: Int

    init(count: Int) {
        self.count = count
        state = Mutex((0, false))
    }

    var opened: Bool { state.withLock { $0.opened } }

    func arriveAndWait(timeout: Duration) async {
        state.withLock {
            $0.arrived += 1
            if $0.arrived >= count { $0.opened = true }
        }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !opened, ContinuousClock.now < deadline {
            do {
                try await Task.sleep(for: .milliseconds(2))
            } catch {
                return
            }
        }
    }
}

/// The calling thread's name as the kernel knows it (`/proc/thread-self/comm`).
private func currentThreadName() -> String {
    (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?.trimmingCharacters(in: .newlines) ?? "?"
}
