import Foundation
import SmartAuthCore
import SmartAuthHTTP
import SmartAuthJWT

/// The parameters of a request body: `application/x-www-form-urlencoded` (OAuth's encoding) or a JSON object.
/// Anything else, duplicate parameters, or malformed encoding is an `invalid_request`.
struct RequestParameters {
    private(set) var values: [String: JSONValue] = [:]

    init(_ request: HTTPRequest) throws(AuthError) {
        let type = (request.headers["Content-Type"] ?? "").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        if request.body.isEmpty { return }
        switch type {
        case "application/x-www-form-urlencoded":
            guard let text = String(validating: request.body, as: UTF8.self) else {
                throw AuthError(.invalidRequest, "the body is not UTF-8")
            }
            for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let name = Self.formDecode(parts[0]), let value = Self.formDecode(parts.count > 1 ? parts[1] : "") else {
                    throw AuthError(.invalidRequest, "malformed form encoding")
                }
                // RFC 6749 §3.2: parameters must not be included more than once.
                guard values[name] == nil else { throw AuthError(.invalidRequest, "parameter \(name) repeated") }
                values[name] = .string(value)
            }
        case "application/json":
            let value: JSONValue
            do {
                value = try JSONParser(limits: .init(maximumDepth: 8, maximumByteCount: 64 * 1024)).parse(request.body)
            } catch {
                throw AuthError(.invalidRequest, "the body is not valid JSON: \(error.reason)")
            }
            guard case .object(let object) = value else { throw AuthError(.invalidRequest, "the body must be a JSON object") }
            for member in object { values[member.name] = member.value }
        default:
            throw AuthError(.invalidRequest, "use application/x-www-form-urlencoded or application/json")
        }
    }

    /// A string parameter, or `nil`.
    func string(_ name: String) throws(AuthError) -> String? {
        guard let value = values[name] else { return nil }
        guard case .string(let text) = value else { throw AuthError(.invalidRequest, "\(name) must be a string") }
        return text
    }

    /// A required, non-empty string parameter.
    func required(_ name: String) throws(AuthError) -> String {
        guard let text = try string(name), !text.isEmpty else { throw AuthError(.invalidRequest, "\(name) is required") }
        return text
    }

    /// `+` is a space, `%XX` a byte; the result must be UTF-8.
    static func formDecode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(0x20)
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
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
