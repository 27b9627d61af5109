/// The three segments of a JWS in compact serialization (RFC 7515 §7.1), located but not yet decoded.
struct CompactJWS {
    /// Byte offsets of the two dots.
    let firstDot: Int
    let secondDot: Int

    /// Splits `token` into exactly three segments.
    /// - Throws: `JWTError` `.malformed` for any other number of segments (JWE has five, JSON serialization none).
    init(splitting token: UnsafeRawBufferPointer) throws(JWTError) {
        var dots: (Int, Int) = (-1, -1)
        var count = 0
        for index in 0..<token.count where token[index] == UInt8(ascii: ".") {
            count += 1
            if count == 1 { dots.0 = index } else if count == 2 { dots.1 = index } else {
                throw JWTError.malformed("a compact JWS has exactly three segments")
            }
        }
        guard count == 2 else { throw JWTError.malformed("a compact JWS has exactly three segments") }
        firstDot = dots.0
        secondDot = dots.1
    }

    func header(in token: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: token[0..<firstDot])
    }

    func payload(in token: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: token[(firstDot + 1)..<secondDot])
    }

    func signingInput(in token: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: token[0..<secondDot])
    }

    func signature(in token: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: token[(secondDot + 1)...])
    }
}
