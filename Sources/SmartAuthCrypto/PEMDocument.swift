/// One PEM block (RFC 7468): a label such as `PUBLIC KEY` and the DER bytes it wraps. Pure Swift.
///
/// Parsing is strict: the input (after trimming surrounding whitespace) must be exactly one
/// `-----BEGIN <label>-----` line, base64 lines with no headers, and the matching `-----END <label>-----` line.
/// Text before or after the block, encapsulated headers (`Proc-Type:`), bad base64 and non-canonical padding
/// are rejected, as is DER that is not exactly one element.
struct PEMDocument {
    /// The largest PEM text accepted, in UTF-8 bytes (64 KiB: an RSA-16384 private key is about 13 KiB).
    static let maximumByteCount = 64 * 1024

    var label: String
    var der: [UInt8]

    init(label: String, der: [UInt8]) {
        self.label = label
        self.der = der
    }

    /// Parses one PEM block.
    ///
    /// - Throws: ``CryptoError/Code/invalidPEM``.
    init(parsing pem: String) throws(CryptoError) {
        guard pem.utf8.count <= Self.maximumByteCount else {
            throw .invalidPEM("PEM text is longer than \(Self.maximumByteCount) bytes")
        }
        var lines: [Substring] = []
        for line in pem.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let trimmed = line.trimmingWhitespace
            if !trimmed.isEmpty { lines.append(trimmed) }
        }
        guard lines.count >= 2,
            let label = Self.label(of: lines[0], marker: "BEGIN"),
            let endLabel = Self.label(of: lines[lines.count - 1], marker: "END")
        else {
            throw .invalidPEM("input is not a single PEM block")
        }
        guard label == endLabel else {
            throw .invalidPEM("PEM BEGIN and END labels differ")
        }
        var base64: [UInt8] = []
        defer { secureZero(&base64) }  // the body of a private key PEM
        for line in lines[1..<(lines.count - 1)] {
            base64.append(contentsOf: line.utf8)
        }
        guard let der = Base64.decode(base64) else {
            throw .invalidPEM("PEM body is not valid base64 (or has headers)")
        }
        guard DERShape.isSingleElement(der) else {
            throw .invalidPEM("PEM body is not a single DER element")
        }
        self.label = label
        self.der = der
    }

    /// The PEM text: BEGIN line, base64 in 64-character lines, END line, trailing newline.
    var pemString: String {
        der.withUnsafeBytes { Self.pemString(label: label, der: $0) }
    }

    /// The PEM text for `der` under `label`. The temporary base64 buffer is zeroed before it is freed (the DER
    /// may be a private key; the returned string itself cannot be zeroed).
    static func pemString(label: String, der: UnsafeRawBufferPointer) -> String {
        var encoded = Base64.encode(der)
        defer { secureZero(&encoded) }
        var text = "-----BEGIN \(label)-----\n"
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: 64, limitedBy: encoded.endIndex) ?? encoded.endIndex
            text += String(decoding: encoded[start..<end], as: UTF8.self)
            text += "\n"
            start = end
        }
        text += "-----END \(label)-----\n"
        return text
    }

    private static func label(of line: Substring, marker: String) -> String? {
        let prefix = "-----\(marker) "
        let suffix = "-----"
        guard line.hasPrefix(prefix), line.hasSuffix(suffix), line.count > prefix.count + suffix.count else {
            return nil
        }
        let label = line.dropFirst(prefix.count).dropLast(suffix.count)
        // RFC 7468 labels: printable ASCII other than '-', single spaces allowed inside.
        guard label.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E && $0 != UInt8(ascii: "-") }),
            label.first != " ", label.last != " "
        else { return nil }
        return String(label)
    }
}

extension Substring {
    fileprivate var trimmingWhitespace: Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" || first == "\r" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" || last == "\r" { result.removeLast() }
        return result
    }
}

/// Standard base64 (RFC 4648 §4) with mandatory padding. Pure Swift.
///
/// Not constant time (table lookups indexed by data). It runs on PEM text only, where that is the accepted
/// practice (OpenSSL's own PEM code is not constant time either).
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let decodingTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() {
            table[Int(character)] = UInt8(index)
        }
        return table
    }()

    static func encode(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output.append(alphabet[Int(value >> 18 & 0x3F)])
            output.append(alphabet[Int(value >> 12 & 0x3F)])
            output.append(alphabet[Int(value >> 6 & 0x3F)])
            output.append(alphabet[Int(value & 0x3F)])
            index += 3
        }
        let remaining = bytes.count - index
        if remaining > 0 {
            var value = UInt32(bytes[index]) << 16
            if remaining == 2 { value |= UInt32(bytes[index + 1]) << 8 }
            output.append(alphabet[Int(value >> 18 & 0x3F)])
            output.append(alphabet[Int(value >> 12 & 0x3F)])
            output.append(remaining == 2 ? alphabet[Int(value >> 6 & 0x3F)] : UInt8(ascii: "="))
            output.append(UInt8(ascii: "="))
        }
        return output
    }

    /// Decodes strictly: length a multiple of 4, padding only at the end, unused bits zero. `nil` on bad input.
    static func decode(_ text: [UInt8]) -> [UInt8]? {
        guard text.count % 4 == 0, !text.isEmpty else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(text.count / 4 * 3)
        var index = 0
        while index < text.count {
            let isLast = index + 4 == text.count
            var padding = 0
            var value: UInt32 = 0
            for offset in 0..<4 {
                let character = text[index + offset]
                if character == UInt8(ascii: "=") {
                    // Padding only in the last quantum, only in its last two positions, and contiguous.
                    guard isLast, offset >= 2 else { return nil }
                    padding += 1
                    value <<= 6
                    continue
                }
                guard padding == 0 else { return nil }
                let decoded = decodingTable[Int(character)]
                guard decoded != 0xFF else { return nil }
                value = value << 6 | UInt32(decoded)
            }
            output.append(UInt8(value >> 16 & 0xFF))
            if padding < 2 { output.append(UInt8(value >> 8 & 0xFF)) } else if value & 0xFFFF != 0 { return nil }
            if padding < 1 { output.append(UInt8(value & 0xFF)) } else if value & 0xFF != 0 { return nil }
            index += 4
        }
        return output
    }
}

/// Minimal DER shape checks done before handing bytes to OpenSSL. Pure Swift.
enum DERShape {
    /// Whether `der` is exactly one DER element (tag, definite length, contents) with nothing after it.
    static func isSingleElement(_ der: [UInt8]) -> Bool {
        guard der.count >= 2 else { return false }
        // Low-tag-number form only: every key structure we accept starts with SEQUENCE (0x30).
        guard der[0] & 0x1F != 0x1F else { return false }
        let first = der[1]
        var headerLength = 2
        var contentLength = 0
        if first < 0x80 {
            contentLength = Int(first)
        } else {
            let lengthBytes = Int(first & 0x7F)
            // 0x80 is the BER indefinite length; DER forbids it. More than 4 length bytes is absurd here.
            guard lengthBytes >= 1, lengthBytes <= 4, der.count >= 2 + lengthBytes else { return false }
            for index in 0..<lengthBytes {
                contentLength = contentLength << 8 | Int(der[2 + index])
            }
            // DER uses the shortest length form.
            guard contentLength >= 0x80, der[2] != 0 else { return false }
            headerLength += lengthBytes
        }
        return headerLength + contentLength == der.count
    }
}
