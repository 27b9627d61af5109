import SmartAuthHTTP

/// The request line and header fields as libmicrohttpd parsed them, and the framing checks its version
/// (Debian's 0.9.75) does not make.
///
/// Request smuggling lives in disagreements about where a body ends. So a request is refused before any
/// handler runs when its framing is ambiguous: more than one `Content-Length`, a `Content-Length` that is not
/// plain digits, `Content-Length` together with `Transfer-Encoding`, a `Transfer-Encoding` other than a single
/// `chunked`, or `Transfer-Encoding` in an HTTP/1.0 request (RFC 9112 §6.1, §6.3). More than one `Host` is
/// refused too (RFC 9112 §3.2).
struct RequestHead: Sendable {
    /// The header fields in order, names as received.
    var headers = HTTPHeaders()
    /// Bytes of the head as received, approximately: request line plus `name: value\r\n` per field.
    var byteCount = 0
    private var contentLengthValues: [String] = []
    private var transferEncodingCount = 0
    private var transferEncodingIsChunked = false
    private var hostCount = 0
    private var hasMalformedField = false

    /// An empty head whose request line is `lineBytes` long.
    init(requestLineBytes: Int) {
        byteCount = requestLineBytes + 2
        // Room for a typical request's fields, so that reading them does not grow the storage four times.
        headers.reserveCapacity(12)
    }

    /// Appends one header field.
    mutating func add(name: String, value: String) {
        var name = name, value = value
        name.withUTF8 { name in value.withUTF8 { value in add(name: name, value: value) } }
    }

    /// Appends one header field given as bytes (as libmicrohttpd hands them over).
    mutating func add(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        byteCount += name.count + value.count + 4
        if !Self.isToken(name) || !Self.isFieldValue(value) { hasMalformedField = true }
        let nameString = String(decoding: name, as: UTF8.self)
        let valueString = String(decoding: value, as: UTF8.self)
        if Self.equalsLowercase(name, "content-length") {
            contentLengthValues.append(valueString)
        } else if Self.equalsLowercase(name, "transfer-encoding") {
            transferEncodingCount += 1
            var coding = String(valueString.trimmingOWS)
            transferEncodingIsChunked = coding.withUTF8 { Self.equalsLowercase($0, "chunked") }
        } else if Self.equalsLowercase(name, "host") {
            hostCount += 1
        }
        headers.add(nameString, valueString)
    }

    /// ASCII case-insensitive comparison of `bytes` with an ASCII literal.
    static func equalsLowercase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        String.caseInsensitiveEquals(
            bytes, UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount))
    }

    /// The verdict on this head for a request with `method`, `target` (nil if it did not parse) and
    /// `version`, from `remoteAddress`, under the given limits.
    func verdict(
        method: String, target: RequestTarget?, version: String, remoteAddress: String, maximumHeaderBytes: Int,
        maximumBodyBytes: Int
    ) -> RequestStateMachine.HeadVerdict {
        guard byteCount <= maximumHeaderBytes else { return .reject(status: 431) }
        guard let target, hostCount <= 1, !hasMalformedField else { return .reject(status: 400) }
        var contentLength: Int?
        switch contentLengthValues.count {
        case 0: break
        case 1:
            guard let length = Self.parseContentLength(contentLengthValues[0]) else { return .reject(status: 400) }
            contentLength = length
        default: return .reject(status: 400)
        }
        if transferEncodingCount > 0 {
            guard contentLength == nil, transferEncodingCount == 1, version != "HTTP/1.0" else {
                return .reject(status: 400)
            }
            // RFC 9112 §6.1: a transfer coding we do not understand gets 501.
            guard transferEncodingIsChunked else { return .reject(status: 501) }
        }
        if let contentLength, contentLength > maximumBodyBytes { return .reject(status: 413) }
        let request = HTTPRequest(
            method: method, path: target.path, query: target.query, headers: headers, body: [],
            remoteAddress: remoteAddress)
        return .accept(request, contentLength: contentLength)
    }

    /// RFC 9110 §5.6.2 `token`: one or more `tchar` (letters, digits and fifteen punctuation characters).
    static func isToken(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { isToken($0) }
    }

    static func isToken(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        !name.isEmpty
            && name.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"):
                    true
                case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
                    UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
                    UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
                    true
                default:
                    false
                }
            }
    }

    /// RFC 9110 §5.5 field value: no control characters other than HTAB (so no bare CR, LF or NUL).
    static func isFieldValue(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { isFieldValue($0) }
    }

    static func isFieldValue(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        value.allSatisfy { $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }
    }

    /// `1*DIGIT` (RFC 9110 §8.6), surrounding whitespace allowed, at most 18 digits; nil otherwise.
    static func parseContentLength(_ value: String) -> Int? {
        let digits = value.trimmingOWS.utf8
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var result = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            result = result * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return result
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (RFC 9110 OWS).
    fileprivate var trimmingOWS: Substring {
        let isOWS: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isOWS($0) }), let last = lastIndex(where: { !isOWS($0) }) else {
            return ""
        }
        return self[first...last]
    }
}
