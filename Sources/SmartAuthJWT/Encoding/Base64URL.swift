/// Base64url encoding without padding (RFC 4648 §5, as RFC 7515 §2 requires for JOSE).
///
/// The decoder is strict: it rejects padding, whitespace, any character outside `A–Z a–z 0–9 - _`, a length
/// that leaves one dangling character (length ≡ 1 mod 4) and non-canonical encodings whose unused low bits are
/// not zero. Each of these is a way to make two different strings decode to the same bytes, which a signature
/// scheme must not allow.
public enum Base64URL {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// 0...63 for alphabet characters, 0xFF for everything else.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }()

    /// Encodes bytes as unpadded base64url text.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let output = encodeToBytes(bytes)
        return String(decoding: output, as: UTF8.self)
    }

    /// Encodes bytes as the ASCII bytes of unpadded base64url text.
    public static func encodeToBytes(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let input = Array(bytes)
        let count = input.count
        let outputCount = (count / 3) * 4 + [0, 2, 3][count % 3]
        return [UInt8](unsafeUninitializedCapacity: outputCount) { output, initialized in
            input.withUnsafeBufferPointer { input in
                alphabet.withUnsafeBufferPointer { alphabet in
                    var inIndex = 0
                    var outIndex = 0
                    while inIndex + 3 <= count {
                        let value = UInt32(input[inIndex]) << 16 | UInt32(input[inIndex + 1]) << 8 | UInt32(input[inIndex + 2])
                        output[outIndex] = alphabet[Int(value >> 18 & 63)]
                        output[outIndex + 1] = alphabet[Int(value >> 12 & 63)]
                        output[outIndex + 2] = alphabet[Int(value >> 6 & 63)]
                        output[outIndex + 3] = alphabet[Int(value & 63)]
                        inIndex += 3
                        outIndex += 4
                    }
                    switch count - inIndex {
                    case 1:
                        let value = UInt32(input[inIndex]) << 16
                        output[outIndex] = alphabet[Int(value >> 18 & 63)]
                        output[outIndex + 1] = alphabet[Int(value >> 12 & 63)]
                        outIndex += 2
                    case 2:
                        let value = UInt32(input[inIndex]) << 16 | UInt32(input[inIndex + 1]) << 8
                        output[outIndex] = alphabet[Int(value >> 18 & 63)]
                        output[outIndex + 1] = alphabet[Int(value >> 12 & 63)]
                        output[outIndex + 2] = alphabet[Int(value >> 6 & 63)]
                        outIndex += 3
                    default:
                        break
                    }
                    initialized = outIndex
                }
            }
        }
    }

    /// Decodes unpadded base64url text.
    ///
    /// - Returns: the decoded bytes, or `nil` when the text is not canonical unpadded base64url.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var text = String(text)
        return text.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    /// Whether `input` is canonical unpadded base64url (the same rules as ``decode(_:)-(UnsafeRawBufferPointer)``),
    /// without decoding it.
    public static func isValid(_ input: UnsafeRawBufferPointer) -> Bool {
        let remainder = input.count % 4
        if remainder == 1 { return false }
        return decodeTable.withUnsafeBufferPointer { table in
            var bits: UInt8 = 0
            for byte in input { bits |= table[Int(byte)] }
            guard bits & 0xC0 == 0 else { return false }
            guard remainder > 0 else { return true }
            let last = table[Int(input[input.count - 1])]
            return remainder == 2 ? last & 0x0F == 0 : last & 0x03 == 0
        }
    }

    /// The most bytes `count` base64url characters can decode to, plus slack for the tail.
    static func decodedCapacity(_ count: Int) -> Int { (count / 4) * 3 + 3 }

    /// Decodes into `output` (at least ``decodedCapacity(_:)`` bytes); returns the count, or `nil` when
    /// the input is not canonical unpadded base64url.
    static func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        guard isValid(input) else { return nil }
        return decodeValidated(input, into: output)
    }

    /// ``decode(_:into:)`` for input already checked with ``isValid(_:)``.
    static func decodeValidated(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        let count = input.count
        return decodeTable.withUnsafeBufferPointer { table -> Int in
            var inIndex = 0
            var outIndex = 0
            while inIndex + 4 <= count {
                let value = UInt32(table[Int(input[inIndex])]) << 18 | UInt32(table[Int(input[inIndex + 1])]) << 12
                    | UInt32(table[Int(input[inIndex + 2])]) << 6 | UInt32(table[Int(input[inIndex + 3])])
                output[outIndex] = UInt8(truncatingIfNeeded: value >> 16)
                output[outIndex + 1] = UInt8(truncatingIfNeeded: value >> 8)
                output[outIndex + 2] = UInt8(truncatingIfNeeded: value)
                inIndex += 4
                outIndex += 3
            }
            let a = inIndex < count ? table[Int(input[inIndex])] : 0
            let b = inIndex + 1 < count ? table[Int(input[inIndex + 1])] : 0
            switch count - inIndex {
            case 2:
                output[outIndex] = a << 2 | b >> 4
                outIndex += 1
            case 3:
                let c = table[Int(input[inIndex + 2])]
                output[outIndex] = a << 2 | b >> 4
                output[outIndex + 1] = (b & 0x0F) << 4 | c >> 2
                outIndex += 2
            default:
                break
            }
            return outIndex
        }
    }

    /// Decodes unpadded base64url from ASCII bytes.
    ///
    /// - Returns: the decoded bytes, or `nil` when the input is not canonical unpadded base64url.
    public static func decode(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        let count = input.count
        let remainder = count % 4
        if remainder == 1 { return nil }
        let outputCount = (count / 4) * 3 + (remainder == 0 ? 0 : remainder - 1)
        var valid = true
        let output = decodeTable.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: outputCount) { output, initialized in
                var inIndex = 0
                var outIndex = 0
                while inIndex + 4 <= count {
                    let a = table[Int(input[inIndex])]
                    let b = table[Int(input[inIndex + 1])]
                    let c = table[Int(input[inIndex + 2])]
                    let d = table[Int(input[inIndex + 3])]
                    if (a | b | c | d) & 0xC0 != 0 {
                        valid = false
                        break
                    }
                    let value = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    output[outIndex] = UInt8(truncatingIfNeeded: value >> 16)
                    output[outIndex + 1] = UInt8(truncatingIfNeeded: value >> 8)
                    output[outIndex + 2] = UInt8(truncatingIfNeeded: value)
                    inIndex += 4
                    outIndex += 3
                }
                if valid && remainder > 0 {
                    let a = table[Int(input[inIndex])]
                    let b = table[Int(input[inIndex + 1])]
                    let c = remainder == 3 ? table[Int(input[inIndex + 2])] : 0
                    if (a | b | c) & 0xC0 != 0 {
                        valid = false
                    } else if remainder == 2 {
                        // Two characters carry 12 bits for one byte: the low 4 bits must be zero.
                        if b & 0x0F != 0 { valid = false }
                        output[outIndex] = a << 2 | b >> 4
                        outIndex += 1
                    } else {
                        // Three characters carry 18 bits for two bytes: the low 2 bits must be zero.
                        if c & 0x03 != 0 { valid = false }
                        output[outIndex] = a << 2 | b >> 4
                        output[outIndex + 1] = (b & 0x0F) << 4 | c >> 2
                        outIndex += 2
                    }
                }
                initialized = valid ? outIndex : 0
            }
        }
        return valid ? output : nil
    }
}
