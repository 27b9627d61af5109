import Foundation
import SmartAuthHTTP
import Testing

@testable import SmartAuthServer

/// HTTPS through libmicrohttpd's GnuTLS, with a self-signed certificate made by the `openssl` CLI.
@Suite struct HTTPServerTLSTests {
    /// A fresh directory holding `cert.pem` and `key.pem` for CN=localhost, IP 127.0.0.1.
    private static func makeCertificate() async throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("smartauth-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let result = try await run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", directory.appendingPathComponent("key.pem").path,
                "-out", directory.appendingPathComponent("cert.pem").path,
            ])
        try #require(result.status == 0)
        return directory
    }

    @Test func servesHTTPSWithASelfSignedCertificate() async throws {
        let directory = try await Self.makeCertificate()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = testConfiguration {
            $0.tlsCertificatePath = directory.appendingPathComponent("cert.pem").path
            $0.tlsKeyPath = directory.appendingPathComponent("key.pem").path
        }
        let log = RequestLog()
        try await withServer(configuration, handler: echoHandler(log)) { server in
            let url = "https://127.0.0.1:\(server.port)/secure?x=1"
            let get = try await run("/usr/bin/curl", ["-sk", url])
            #expect(get.status == 0)
            #expect(get.output == "ok")
            #expect(log.last?.path == "/secure")
            #expect(log.last?.query == "x=1")
            for version in [["--tlsv1.2", "--tls-max", "1.2"], ["--tlsv1.3"]] {
                let pinned = try await run("/usr/bin/curl", ["-sk"] + version + [url])
                #expect(pinned.output == "ok", "\(version)")
            }
            // 2 000 bytes: curl sends `Expect: 100-continue`, which libmicrohttpd answers.
            let body = String(repeating: "z", count: 2_000)
            let post = try await run("/usr/bin/curl", ["-sk", "-X", "POST", "--data-binary", body, url])
            #expect(post.output == body)
            // Plain HTTP to the TLS port gets no HTTP answer.
            let plain = try await run("/usr/bin/curl", ["-s", "--max-time", "5", "http://127.0.0.1:\(server.port)/"])
            #expect(plain.status != 0)
        }
    }

    @Test func aKeyThatIsNotPEMFailsWithTLSFailed() async throws {
        let directory = try await Self.makeCertificate()
        defer { try? FileManager.default.removeItem(at: directory) }
        let garbage = directory.appendingPathComponent("garbage.pem")
        try Data("not a key".utf8).write(to: garbage)
        // A port that was free a moment ago.
        let probe = HTTPServer(configuration: testConfiguration()) { _ in HTTPResponse(status: 200) }
        try probe.start()
        let port = probe.port
        await probe.shutdown(gracePeriod: 0)

        let server = HTTPServer(
            configuration: testConfiguration {
                $0.port = port
                $0.tlsCertificatePath = directory.appendingPathComponent("cert.pem").path
                $0.tlsKeyPath = garbage.path
            }
        ) { _ in HTTPResponse(status: 200) }
        let error = #expect(throws: HTTPServerError.self) { try server.start() }
        #expect(error?.code == .tlsFailed)
        // The failed start released its listening socket: a plain server binds the same port.
        let plain = HTTPServer(configuration: testConfiguration { $0.port = port }) { _ in HTTPResponse(status: 204) }
        try plain.start()
        #expect(try await rawRequest(port: port, get("/")).status == 204)
        await plain.shutdown(gracePeriod: 0)
    }
}
