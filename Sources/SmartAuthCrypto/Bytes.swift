// Small byte-level helpers shared by the key types. Pure Swift.

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` with typed throws (the standard library's is `rethrows`, which erases the type).
    func withTypedUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = self.withUnsafeBytes { buffer in
            Result { () throws(E) -> R in try body(buffer) }
        }
        return try result.get()
    }

    /// The same number without leading zero bytes (an empty array stays empty; zero becomes empty).
    var withoutLeadingZeros: [UInt8] {
        guard let first = firstIndex(where: { $0 != 0 }) else { return [] }
        return first == 0 ? self : Array(self[first...])
    }

    /// The number, left-padded with zero bytes to `count` bytes, or `nil` if it does not fit.
    func leftPadded(to count: Int) -> [UInt8]? {
        let minimal = withoutLeadingZeros
        guard minimal.count <= count else { return nil }
        return [UInt8](repeating: 0, count: count - minimal.count) + minimal
    }
}

/// The number of significant bits of a big-endian unsigned integer.
func bitCount(ofBigEndian bytes: [UInt8]) -> Int {
    let minimal = bytes.withoutLeadingZeros
    guard let first = minimal.first else { return 0 }
    return (minimal.count - 1) * 8 + (UInt8.bitWidth - first.leadingZeroBitCount)
}

extension UnsafeRawBufferPointer {
    /// Calls `body` with a base address that is never nil, even for an empty buffer (some C functions reject
    /// a NULL pointer even with length 0).
    func withNonNullBaseAddress<R, E: Error>(
        _ body: (UnsafeRawPointer, Int) throws(E) -> R
    ) throws(E) -> R {
        if let base = baseAddress {
            return try body(base, count)
        }
        return try withUnsafeTemporaryAllocation(byteCount: 1, alignment: 1) {
            (scratch: UnsafeMutableRawBufferPointer) throws(E) -> R in
            try body(UnsafeRawPointer(scratch.baseAddress!), 0)
        }
    }
}

extension StaticString {
    /// The string as a C string. Valid for the life of the program: a `StaticString` made from a literal points
    /// at null-terminated constant data, which is why OpenSSL may keep this pointer (OSSL_PARAM stores key and
    /// value pointers rather than copying them).
    var cString: UnsafePointer<CChar> {
        precondition(hasPointerRepresentation, "StaticString must be a literal, not a single scalar")
        return UnsafeRawPointer(utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
