/// A strict JSON parser for untrusted input (RFC 8259).
///
/// It accepts exactly one JSON value with optional surrounding white space and rejects everything else:
/// trailing data, comments, `NaN`/`Infinity`, leading zeros, invalid UTF-8, unescaped control characters, lone
/// UTF-16 surrogates in `\u` escapes, duplicate member names and nesting deeper than ``Limits/maximumDepth``.
/// Recursion is bounded by that depth, so deeply nested input cannot overflow the stack.
public struct JSONParser: Sendable {
    /// Limits applied to untrusted JSON.
    public struct Limits: Sendable, Hashable {
        /// The deepest nesting of arrays and objects accepted. Default 32.
        public var maximumDepth: Int
        /// The largest input accepted, in bytes. Default 1 MiB.
        public var maximumByteCount: Int

        /// Limits with the documented defaults.
        public init(maximumDepth: Int = 32, maximumByteCount: Int = 1 << 20) {
            self.maximumDepth = maximumDepth
            self.maximumByteCount = maximumByteCount
        }
    }

    /// Why a text is not acceptable JSON.
    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// A short, developer-safe reason naming the rule that failed (never the input itself).
        public let reason: String
        /// The byte offset at which parsing stopped.
        public let offset: Int
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// The limits this parser enforces.
    public var limits: Limits

    /// A parser with the given limits.
    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Parses one JSON value from UTF-8 bytes.
    /// - Throws: ``Failure`` naming the first rule the input breaks.
    public func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        // Not `Result`: wrapping each call in a generic type costs a metadata lookup on this hot path.
        var failure: Failure?
        let value = bytes.withUnsafeBytes { buffer -> JSONValue? in
            do throws(Failure) {
                return try parse(buffer)
            } catch {
                failure = error
                return nil
            }
        }
        guard let value else { throw failure ?? Failure(reason: "unparsable", offset: 0) }
        return value
    }

    /// Parses one JSON value from UTF-8 bytes.
    /// - Throws: ``Failure`` naming the first rule the input breaks.
    public func parse(_ buffer: UnsafeRawBufferPointer) throws(Failure) -> JSONValue {
        guard buffer.count <= limits.maximumByteCount else {
            throw Failure(reason: "input larger than \(limits.maximumByteCount) bytes", offset: 0)
        }
        var reader = Reader(bytes: buffer, maximumDepth: limits.maximumDepth)
        reader.skipWhitespace()
        let value = try reader.readValue(depth: 0)
        reader.skipWhitespace()
        guard reader.index == buffer.count else { throw reader.failure("trailing data after the JSON value") }
        return value
    }
}

extension JSONParser {
    /// A cursor over the input. Only the parser creates one, for the duration of one `parse` call.
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        let maximumDepth: Int
        var index = 0

        init(bytes: UnsafeRawBufferPointer, maximumDepth: Int) {
            self.bytes = bytes
            self.maximumDepth = maximumDepth
        }

        func failure(_ reason: String) -> Failure { Failure(reason: reason, offset: index) }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func readValue(depth: Int) throws(Failure) -> JSONValue {
            guard index < bytes.count else { throw failure("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return .object(try readObject(depth: depth + 1))
            case UInt8(ascii: "["): return .array(try readArray(depth: depth + 1))
            case UInt8(ascii: "\""): return .string(try readString())
            case UInt8(ascii: "t"): try readLiteral("true"); return .bool(true)
            case UInt8(ascii: "f"): try readLiteral("false"); return .bool(false)
            case UInt8(ascii: "n"): try readLiteral("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
            default: throw failure("unexpected character")
            }
        }

        mutating func readLiteral(_ literal: StaticString) throws(Failure) {
            let count = literal.utf8CodeUnitCount
            guard bytes.count - index >= count else { throw failure("unexpected end of input") }
            let pointer = literal.utf8Start
            for offset in 0..<count where bytes[index + offset] != pointer[offset] {
                throw failure("invalid literal")
            }
            index += count
        }

        mutating func readObject(depth: Int) throws(Failure) -> JSONObject {
            guard depth <= maximumDepth else { throw failure("nesting deeper than \(maximumDepth)") }
            index += 1  // {
            var members: [(name: String, value: JSONValue)] = []
            members.reserveCapacity(8)
            var seenNames: Set<String>? = nil
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return JSONObject(uniqueMembers: members)
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw failure("expected a member name")
                }
                let name = try readString()
                // Duplicate names are ambiguous (RFC 7515 §4 lets a verifier reject them): reject. A linear scan
                // is fastest for the small objects JOSE uses; a set takes over so large objects stay linear.
                if var names = seenNames {
                    guard names.insert(name).inserted else { throw failure("duplicate member name") }
                    seenNames = names
                } else {
                    for member in members where member.name == name { throw failure("duplicate member name") }
                    if members.count >= 16 { seenNames = Set(members.map(\.name) + [name]) }
                }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':'") }
                index += 1
                skipWhitespace()
                let value = try readValue(depth: depth)
                members.append((name, value))
                skipWhitespace()
                guard index < bytes.count else { throw failure("unexpected end of input") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return JSONObject(uniqueMembers: members)
                } else {
                    throw failure("expected ',' or '}'")
                }
            }
        }

        mutating func readArray(depth: Int) throws(Failure) -> [JSONValue] {
            guard depth <= maximumDepth else { throw failure("nesting deeper than \(maximumDepth)") }
            index += 1  // [
            var elements: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return elements
            }
            while true {
                skipWhitespace()
                elements.append(try readValue(depth: depth))
                skipWhitespace()
                guard index < bytes.count else { throw failure("unexpected end of input") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return elements
                } else {
                    throw failure("expected ',' or ']'")
                }
            }
        }

        mutating func readNumber() throws(Failure) -> JSONNumber {
            let range = try scanNumber()
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            return JSONNumber(validatedText: text)
        }

        /// A number read straight into a `Double`, without making its text a `String` when it is a plain
        /// integer of up to 15 digits (every timestamp).
        mutating func readDouble() throws(Failure) -> Double {
            let range = try scanNumber()
            if range.count <= 15 {
                var value: Int64 = 0
                var plain = true
                for offset in range {
                    let digit = bytes[offset] &- UInt8(ascii: "0")
                    if digit > 9 {
                        plain = false
                        break
                    }
                    value = value * 10 + Int64(digit)
                }
                if plain { return Double(value) }
            }
            return Double(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)) ?? .nan
        }

        /// Checks RFC 8259's number grammar at the cursor and returns the number's byte range.
        mutating func scanNumber() throws(Failure) -> Range<Int> {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw failure("invalid number") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
                if index < bytes.count, isDigit(bytes[index]) { throw failure("leading zero in number") }
            } else {
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw failure("invalid fraction") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                    index += 1
                }
                guard index < bytes.count, isDigit(bytes[index]) else { throw failure("invalid exponent") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            return start..<index
        }

        func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

        mutating func readString() throws(Failure) -> String {
            index += 1  // opening quote
            let start = index
            var asciiOnly = true
            // Fast path: no escapes. Scan to the closing quote, then validate the UTF-8 in one go.
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    return try makeString(slice, asciiOnly: asciiOnly)
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw failure("unescaped control character in string") }
                if byte >= 0x80 { asciiOnly = false }
                index += 1
            }
            guard index < bytes.count else { throw failure("unterminated string") }
            // Slow path: copy what was scanned, then decode escapes.
            var utf8 = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    var invalid = false
                    let string = utf8.withUnsafeBytes { buffer -> String in
                        do throws(Failure) {
                            return try makeString(buffer, asciiOnly: false)
                        } catch {
                            invalid = true
                            return ""
                        }
                    }
                    if invalid { throw failure("invalid UTF-8 in string") }
                    return string
                }
                if byte < 0x20 { throw failure("unescaped control character in string") }
                if byte != UInt8(ascii: "\\") {
                    utf8.append(byte)
                    index += 1
                    continue
                }
                index += 1
                guard index < bytes.count else { throw failure("unterminated escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): utf8.append(0x22)
                case UInt8(ascii: "\\"): utf8.append(0x5C)
                case UInt8(ascii: "/"): utf8.append(0x2F)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = UInt32(try readHex4())
                    if (0xD800...0xDBFF).contains(scalar) {
                        // A high surrogate must be followed by an escaped low surrogate.
                        guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw failure("lone surrogate in \\u escape") }
                        index += 2
                        let low = UInt32(try readHex4())
                        guard (0xDC00...0xDFFF).contains(low) else { throw failure("lone surrogate in \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw failure("lone surrogate in \\u escape")
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw failure("invalid \\u escape") }
                    utf8.append(contentsOf: UTF8.encode(unicode)!)
                default:
                    throw failure("invalid escape")
                }
            }
            throw failure("unterminated string")
        }

        /// A string from UTF-8 that must be valid: invalid sequences are an error, never repaired.
        func makeString(_ utf8: UnsafeRawBufferPointer, asciiOnly: Bool) throws(Failure) -> String {
            // The non-generic decoding initializer is fast; it repairs invalid UTF-8 with U+FFFD, so a result
            // whose bytes differ from the input reveals a repair. ASCII can never need one.
            let string = String(decoding: utf8, as: UTF8.self)
            if asciiOnly || string.utf8.elementsEqual(utf8) { return string }
            throw failure("invalid UTF-8 in string")
        }

        mutating func readHex4() throws(Failure) -> UInt16 {
            guard bytes.count - index >= 4 else { throw failure("truncated \\u escape") }
            var value: UInt16 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw failure("invalid hex digit in \\u escape")
                }
                value = value << 4 | UInt16(digit)
                index += 1
            }
            return value
        }
    }
}
