/// The parts of an argon2id PHC string that SmartAuth reads itself, `$argon2id$v=19$m=<m>,t=<t>,p=<p>$<salt>$<hash>`,
/// so that it can bound the costs before libargon2 sees the string and tell whether a hash needs re-hashing.
///
/// Parsing is strict and accepts exactly the form libargon2 writes for argon2id version 0x13:
/// - the variant is `argon2id` and the version is `v=19`; nothing else (no `argon2i`, no version-less 0x10 form);
/// - `m`, `t` and `p` appear in that order, as decimals of 1 to 10 digits without sign or leading zero;
/// - salt and hash are standard base64 (`+`, `/`) without padding, with zero unused trailing bits;
/// - there is no trailing field (no `keyid=` or `data=`) and nothing after the hash.
///
/// libargon2 decodes the string again and does the actual verification; this parser only decides whether the
/// string is safe and sensible to hand to it.
struct Argon2EncodedHash: Hashable, Sendable {
    /// The bounds a stored hash must respect before any memory is allocated for it.
    struct Limits: Hashable, Sendable {
        /// Largest accepted `m`, in KiB.
        var maximumMemoryKiB: Int
        /// Largest accepted `t`.
        var maximumIterations: Int
        /// Largest accepted `p`.
        var maximumParallelism: Int

        /// The longest string looked at, in UTF-8 bytes. The longest valid string (10-digit costs, 64-byte salt
        /// and hash) is 225 bytes; anything longer is refused before it is read.
        static let maximumEncodedLength = 256

        /// The caps on stored hashes for a hasher with `parameters`: m ≤ 1 GiB, t ≤ 100, p ≤ 64, raised to the
        /// hasher's own values if those are larger, so that a hasher can always verify what it writes.
        init(accepting parameters: Argon2Parameters) {
            maximumMemoryKiB = max(1024 * 1024, parameters.memoryKiB)
            maximumIterations = max(100, parameters.iterations)
            maximumParallelism = max(64, parameters.parallelism)
        }
    }

    /// `m`, in KiB.
    var memoryKiB: Int
    /// `t`.
    var iterations: Int
    /// `p`.
    var parallelism: Int
    /// The decoded salt's length in bytes.
    var saltLength: Int
    /// The decoded hash's length in bytes.
    var hashLength: Int

    /// Whether this hash was made with exactly `parameters` (argon2id v=19 is implied).
    func matches(_ parameters: Argon2Parameters) -> Bool {
        memoryKiB == parameters.memoryKiB && iterations == parameters.iterations
            && parallelism == parameters.parallelism && saltLength == parameters.saltLength
            && hashLength == parameters.hashLength
    }

    /// Parses and bounds `encoded`.
    ///
    /// - Throws: ``CryptoError/Code/invalidKey`` if the string is not an argon2id v=19 PHC string in
    ///   libargon2's form, or if its costs exceed `limits`. The message never quotes the string.
    init(parsing encoded: String, limits: Limits) throws(CryptoError) {
        // `utf8.count` is O(1) for native strings, so a huge input is refused without being scanned.
        guard encoded.utf8.count <= Limits.maximumEncodedLength else {
            throw .invalidKey("Argon2 hash is longer than \(Limits.maximumEncodedLength) bytes")
        }
        let bytes = Array(encoded.utf8)
        let fields = bytes.split(separator: UInt8(ascii: "$"), omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0].isEmpty else {
            throw .invalidKey("Argon2 hash is not a PHC string of the form $argon2id$v=19$m=,t=,p=$salt$hash")
        }
        guard fields[1].elementsEqual("argon2id".utf8) else {
            throw .invalidKey("Argon2 hash is not argon2id")
        }
        guard fields[2].elementsEqual("v=19".utf8) else {
            throw .invalidKey("Argon2 hash is not version 19 (0x13)")
        }
        let costs = fields[3].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard costs.count == 3 else {
            throw .invalidKey("Argon2 hash must have exactly the costs m, t and p")
        }
        let memory = try Self.decimal(costs[0], named: "m")
        let iterations = try Self.decimal(costs[1], named: "t")
        let parallelism = try Self.decimal(costs[2], named: "p")
        guard (1...limits.maximumParallelism).contains(parallelism) else {
            throw .invalidKey("Argon2 hash's p must be from 1 to \(limits.maximumParallelism)")
        }
        guard iterations >= 1, iterations <= limits.maximumIterations else {
            throw .invalidKey("Argon2 hash's t must be from 1 to \(limits.maximumIterations)")
        }
        guard memory >= 8 * parallelism, memory <= limits.maximumMemoryKiB else {
            throw .invalidKey("Argon2 hash's m must be from 8 × p to \(limits.maximumMemoryKiB) KiB")
        }
        guard let salt = Base64Unpadded.decodedCount(fields[4]), let hash = Base64Unpadded.decodedCount(fields[5])
        else {
            throw .invalidKey("Argon2 hash's salt or hash is not unpadded standard base64")
        }
        guard Argon2Parameters.saltLengthRange.contains(salt) else {
            throw .invalidKey("Argon2 hash's salt must be from 8 to 64 bytes")
        }
        guard Argon2Parameters.hashLengthRange.contains(hash) else {
            throw .invalidKey("Argon2 hash's hash must be from 16 to 64 bytes")
        }
        self.memoryKiB = memory
        self.iterations = iterations
        self.parallelism = parallelism
        self.saltLength = salt
        self.hashLength = hash
    }

    /// Reads `<name>=<decimal>`: 1 to 10 ASCII digits, no sign, no leading zero, at most `UInt32.max`.
    private static func decimal(_ field: ArraySlice<UInt8>, named name: Character) throws(CryptoError) -> Int {
        let prefix = Array("\(name)=".utf8)
        guard field.starts(with: prefix) else {
            throw .invalidKey("Argon2 hash's costs must be m, t and p in that order")
        }
        let digits = field.dropFirst(prefix.count)
        guard (1...10).contains(digits.count), digits.allSatisfy({ (0x30...0x39).contains($0) }),
            digits.first != UInt8(ascii: "0") || digits.count == 1
        else {
            throw .invalidKey("Argon2 hash's \(name) is not a decimal number")
        }
        let value = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }  // at most 9 999 999 999: no overflow
        guard value <= Int(UInt32.max) else {
            throw .invalidKey("Argon2 hash's \(name) is out of range")
        }
        return value
    }
}

/// Standard base64 (RFC 4648 §4 alphabet) without `=` padding, as PHC strings use it.
enum Base64Unpadded {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Encodes `bytes` without padding.
    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var group = 0
            for (offset, byte) in chunk.enumerated() { group |= Int(byte) << (16 - 8 * offset) }
            for position in 0...chunk.count { output.append(alphabet[(group >> (18 - 6 * position)) & 0x3F]) }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The number of bytes `text` decodes to, or `nil` if it is not canonical unpadded standard base64: an
    /// empty string, a character outside the alphabet, a length of 1 modulo 4, or non-zero unused bits in the
    /// last character (the checks libargon2's own decoder makes).
    static func decodedCount(_ text: ArraySlice<UInt8>) -> Int? {
        guard !text.isEmpty, text.count % 4 != 1 else { return nil }
        var last = 0
        for character in text {
            guard let value = value(of: character) else { return nil }
            last = value
        }
        // 2 leftover characters carry 4 unused bits, 3 carry 2.
        switch text.count % 4 {
        case 2: guard last & 0x0F == 0 else { return nil }
        case 3: guard last & 0x03 == 0 else { return nil }
        default: break
        }
        return text.count * 3 / 4
    }

    private static func value(of character: UInt8) -> Int? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): Int(character - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): Int(character - UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(character - UInt8(ascii: "0")) + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
