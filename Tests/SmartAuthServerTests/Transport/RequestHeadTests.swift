import SmartAuthHTTP
import Testing

@testable import SmartAuthServer

@Suite struct RequestHeadTests {
    private func verdict(
        _ fields: [(String, String)], version: String = "HTTP/1.1", target: RequestTarget? = RequestTarget(path: "/", query: nil),
        maximumHeaderBytes: Int = 16 * 1024, maximumBodyBytes: Int = 1024
    ) -> RequestStateMachine.HeadVerdict {
        var head = RequestHead(requestLineBytes: 16)
        for (name, value) in fields { head.add(name: name, value: value) }
        return head.verdict(
            method: "POST", target: target, version: version, remoteAddress: "192.0.2.1",
            maximumHeaderBytes: maximumHeaderBytes, maximumBodyBytes: maximumBodyBytes)
    }

    private func status(_ verdict: RequestStateMachine.HeadVerdict) -> Int? {
        if case .reject(let status) = verdict { status } else { nil }
    }

    @Test func acceptsAPlainRequestAndBuildsIt() throws {
        let result = verdict([("Host", "x"), ("Content-Length", " 12 "), ("X-A", "1")])
        guard case .accept(let request, let contentLength) = result else {
            Issue.record("rejected: \(result)")
            return
        }
        #expect(contentLength == 12)
        #expect(request.method == "POST")
        #expect(request.path == "/")
        #expect(request.remoteAddress == "192.0.2.1")
        #expect(request.headers.fields.map(\.name) == ["Host", "Content-Length", "X-A"])
    }

    @Test func acceptsChunkedAlone() {
        guard case .accept(_, let contentLength) = verdict([("Transfer-Encoding", "Chunked")]) else {
            Issue.record("rejected")
            return
        }
        #expect(contentLength == nil)
    }

    @Test func rejectsAmbiguousFraming() {
        #expect(status(verdict([("Content-Length", "1"), ("content-length", "1")])) == 400)
        #expect(status(verdict([("Content-Length", "1,1")])) == 400)
        #expect(status(verdict([("Content-Length", "-1")])) == 400)
        #expect(status(verdict([("Content-Length", "")])) == 400)
        #expect(status(verdict([("Content-Length", "1234567890123456789")])) == 400)
        #expect(status(verdict([("Content-Length", "1"), ("Transfer-Encoding", "chunked")])) == 400)
        #expect(status(verdict([("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")])) == 400)
        #expect(status(verdict([("Transfer-Encoding", "chunked")], version: "HTTP/1.0")) == 400)
        #expect(status(verdict([("Transfer-Encoding", "gzip")])) == 501)
        #expect(status(verdict([("Transfer-Encoding", "gzip, chunked")])) == 501)
        #expect(status(verdict([("Host", "a"), ("HOST", "b")])) == 400)
        #expect(status(verdict([], target: nil)) == 400)
    }

    @Test func rejectsFieldsThatAreNotTokensOrHoldControlCharacters() {
        #expect(status(verdict([("Content-Length ", "3")])) == 400)
        #expect(status(verdict([("Transfer-EncodingContent-Length: 3", "chunked")])) == 400)
        #expect(status(verdict([("", "x")])) == 400)
        #expect(status(verdict([("X-A", "a\rb")])) == 400)
        #expect(status(verdict([("X-A", "a\u{0}b")])) == 400)
        #expect(status(verdict([("X-A", "a\u{7F}")])) == 400)
        #expect(status(verdict([("X-A!#$%&'*+-.^_`|~09", "tab\tand obs-text \u{E9}")])) == nil)
    }

    @Test func enforcesLimits() {
        #expect(status(verdict([("Content-Length", "1025")])) == 413)
        #expect(status(verdict([("Content-Length", "1024")])) == nil)
        #expect(status(verdict([("X", String(repeating: "a", count: 2000))], maximumHeaderBytes: 1024)) == 431)
    }
}
