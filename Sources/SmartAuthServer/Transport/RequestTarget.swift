/// The path and query of a request target (RFC 9112 §3.2), parsed from the raw bytes of the request line.
///
/// libmicrohttpd would hand us a path it unescaped itself into a C string, where `%00` silently truncates and
/// a malformed escape passes through unchanged. We parse the raw target instead, strictly: anything odd makes
/// the request a 400 before a handler sees it.
struct RequestTarget: Equatable, Sendable {
    /// The percent-decoded path (`/v1/sessions/a b` for `/v1/sessions/a%20b`); `*` for the asterisk form.
    var path: String
    /// The raw query, without `?` (`""` for a bare `?`), or `nil` without one.
    var query: String?

    /// Parses origin form (`/path?query`), absolute form (`http://host/path?query`, whose scheme and
    /// authority are dropped) and asterisk form (`*`). Returns `nil` (answer 400) for the authority form, for
    /// bytes outside visible ASCII, for `#`, for a malformed `%` escape, and for a path that decodes to `%00`
    /// or to invalid UTF-8.
    init?(_ raw: UnsafeRawBufferPointer) {
        guard !raw.isEmpty, raw.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "#") }) else { return nil }
        if raw.count == 1, raw[0] == UInt8(ascii: "*") {
            path = "*"
            query = nil
            return
        }
        var start = 0
        if raw[0] != UInt8(ascii: "/") {
            guard let afterScheme = Self.endOfHTTPScheme(raw) else { return nil }
            // Skip the authority: up to the first "/" or "?" after "scheme://".
            start = raw[afterScheme...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? raw.count
            guard start > afterScheme else { return nil }
        }
        let questionMark = raw[start...].firstIndex(of: UInt8(ascii: "?"))
        let pathBytes = UnsafeRawBufferPointer(rebasing: raw[start..<(questionMark ?? raw.count)])
        if pathBytes.isEmpty {
            path = "/"
        } else {
            guard let decoded = Self.percentDecoded(pathBytes) else { return nil }
            path = decoded
        }
        if let questionMark {
            // The query stays raw (the application decodes `+` and escapes by its own rules), and is visible
            // ASCII already.
            query = String(decoding: UnsafeRawBufferPointer(rebasing: raw[(questionMark + 1)...]), as: UTF8.self)
        } else {
            query = nil
        }
    }

    init(path: String, query: String?) {
        self.path = path
        self.query = query
    }

    /// The index just past `http://` or `https://` (scheme case-insensitive), or nil.
    private static func endOfHTTPScheme(_ raw: UnsafeRawBufferPointer) -> Int? {
        for scheme in ["http://", "https://"] {
            let prefix = Array(scheme.utf8)
            if raw.count >= prefix.count, zip(raw, prefix).allSatisfy({ $0 | 0x20 == $1 || $0 == $1 }) {
                return prefix.count
            }
        }
        return nil
    }

    /// Percent-decodes `bytes` (`+` stays `+` in a path). Nil for a malformed escape, `%00` or invalid UTF-8.
    static func percentDecoded(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.contains(UInt8(ascii: "%")) else { return String(decoding: bytes, as: UTF8.self) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else { return nil }
                let value = high << 4 | low
                guard value != 0 else { return nil }
                decoded.append(value)
                index += 3
            } else {
                decoded.append(byte)
                index += 1
            }
        }
        // Reject rather than repair: two different raw paths must never decode to the same string.
        return String(validating: decoded, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
