/// A session identifier as ``MemorySessionStore`` keys it.
///
/// The engine's identifiers are 128 random bits written as 22 base64url characters. Held as text, each would
/// cost a 16-byte string plus a heap allocation of about 64 bytes; held as its 128 bits it costs nothing on the
/// heap. Any other identifier (shorter, longer, another alphabet, or 22 characters whose last one carries
/// bits beyond the 128th) is kept as its text, so every ``SessionID`` round-trips exactly.
enum SessionKey: Hashable, Sendable {
    /// The 128 bits of a canonical 22-character base64url identifier, most significant half first.
    case bits(UInt64, UInt64)
    /// Any other identifier, verbatim.
    case text(String)

    /// The key for `id`.
    init(_ id: SessionID) {
        if let (high, low) = Self.decodeCanonical(id.rawValue) {
            self = .bits(high, low)
        } else {
            self = .text(id.rawValue)
        }
    }

    /// The identifier this key was made from.
    var sessionID: SessionID {
        switch self {
        case .text(let text):
            return SessionID(text)
        case .bits(let high, let low):
            return SessionID(Self.encode(high: high, low: low))
        }
    }

    /// Which of `count` shards holds the key.
    func shard(of count: Int) -> Int {
        switch self {
        case .bits(let high, let low):
            // The bits are random already; a multiply folds both halves in, in case an application makes its
            // own, less random, identifiers.
            let mixed = (high ^ low) &* 0x9E37_79B9_7F4A_7C15
            return Int((mixed >> 32) % UInt64(count))
        case .text(let text):
            return Int(UInt(bitPattern: text.hashValue) % UInt(count))
        }
    }

    // MARK: - base64url (RFC 4648 §5), without padding

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static func sextet(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }

    /// The 128 bits of `text` if it is exactly the canonical encoding of 16 bytes, else `nil`.
    static func decodeCanonical(_ text: String) -> (UInt64, UInt64)? {
        let utf8 = text.utf8
        guard utf8.count == 22 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var position = 0
        for byte in utf8 {
            guard let value = sextet(byte) else { return nil }
            if position < 21 {
                high = (high << 6) | (low >> 58)
                low = (low << 6) | UInt64(value)
            } else {
                // 21 × 6 = 126 bits so far; the last character carries the final 2 bits in its top bits, and
                // its low 4 bits must be zero, or the text is not the canonical encoding of any 16 bytes.
                guard value & 0x0F == 0 else { return nil }
                high = (high << 2) | (low >> 62)
                low = (low << 2) | UInt64(value >> 4)
            }
            position += 1
        }
        return (high, low)
    }

    /// The canonical 22-character encoding of 128 bits.
    static func encode(high: UInt64, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 22) { buffer in
            for position in 0..<21 {
                let shift = 122 - 6 * position
                let value: UInt64
                if shift >= 64 {
                    value = high >> UInt64(shift - 64)
                } else if shift <= 58 {
                    value = low >> UInt64(shift)
                } else {
                    value = (high << UInt64(64 - shift)) | (low >> UInt64(shift))
                }
                buffer[position] = alphabet[Int(value & 0x3F)]
            }
            buffer[21] = alphabet[Int((low & 0x03) << 4)]
            return 22
        }
    }
}
