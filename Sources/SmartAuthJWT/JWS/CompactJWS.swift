#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The three segments of a JWS in compact serialization (RFC 7515 §7.1), located but not yet decoded.
struct CompactJWS {
    /// Byte offsets of the two dots.
    let firstDot: Int
    let secondDot: Int

    /// Splits `token` into exactly three segments.
    /// - Throws: `JWTError` `.malformed` for any other number of segments (JWE has five, JSON serialization none).
    init(splitting token: UnsafeRawBufferPointer) throws(JWTError) {
        guard let base = token.baseAddress, token.count > 0 else {
            throw JWTError.malformed("a compact JWS has exactly three segments")
        }
        // memchr is vectorised; tokens are scanned on every request.
        let count = token.count
        guard let first = memchr(base, Int32(UInt8(ascii: ".")), count) else {
            throw JWTError.malformed("a compact JWS has exactly three segments")
        }
        let firstDot = base.distance(to: UnsafeRawPointer(first))
        guard let second = memchr(first + 1, Int32(UInt8(ascii: ".")), count - firstDot - 1) else {
            throw JWTError.malformed("a compact JWS has exactly three segments")
        }
        let secondDot = base.distance(to: UnsafeRawPointer(second))
        if memchr(second + 1, Int32(UInt8(ascii: ".")), count - secondDot - 1) != nil {
            throw JWTError.malformed("a compact JWS has exactly three segments")
        }
        self.firstDot = firstDot
        self.secondDot = secondDot
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
