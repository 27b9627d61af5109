import Testing

@testable import SmartAuthServer

@Suite struct RequestTargetTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var raw: String
        var path: String?
        var query: String?
        var testDescription: String { raw }
    }

    static let cases: [Case] = [
        Case(raw: "/", path: "/", query: nil),
        Case(raw: "/a/b", path: "/a/b", query: nil),
        Case(raw: "/a?b=c&d", path: "/a", query: "b=c&d"),
        Case(raw: "/a?", path: "/a", query: ""),
        Case(raw: "/a?x=%20+y?z", path: "/a", query: "x=%20+y?z"),
        Case(raw: "/caf%C3%A9", path: "/café", query: nil),
        Case(raw: "/a%2Fb%2fc", path: "/a/b/c", query: nil),
        Case(raw: "/a+b", path: "/a+b", query: nil),
        Case(raw: "/%25", path: "/%", query: nil),
        Case(raw: "*", path: "*", query: nil),
        Case(raw: "http://example.com/x?y", path: "/x", query: "y"),
        Case(raw: "HTTPS://example.com", path: "/", query: nil),
        Case(raw: "http://example.com?q", path: "/", query: "q"),
        // Rejected:
        Case(raw: "", path: nil),
        Case(raw: "example.com:443", path: nil),
        Case(raw: "ftp://x/y", path: nil),
        Case(raw: "http:///x", path: nil),
        Case(raw: "/a%00", path: nil),
        Case(raw: "/a%", path: nil),
        Case(raw: "/a%4", path: nil),
        Case(raw: "/a%G0", path: nil),
        Case(raw: "/a%C3", path: nil),
        Case(raw: "/a%FF%FE", path: nil),
        Case(raw: "/a#b", path: nil),
        Case(raw: "/a b", path: nil),
        Case(raw: "/a\u{7F}", path: nil),
        Case(raw: "/é", path: nil),
    ]

    @Test(arguments: cases)
    func parses(_ testCase: Case) {
        let bytes = Array(testCase.raw.utf8)
        let target = bytes.withUnsafeBytes { RequestTarget($0) }
        if let path = testCase.path {
            #expect(target == RequestTarget(path: path, query: testCase.query))
        } else {
            #expect(target == nil)
        }
    }
}
