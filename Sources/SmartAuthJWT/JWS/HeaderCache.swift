import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Remembers the parsed form of protected headers that have already verified.
///
/// Tokens from one issuer and key share one header segment (`alg`, `kid`, `typ`), so parsing it again for every
/// request is wasted work. Only headers of tokens whose signature verified are stored, so a stream of forged
/// tokens cannot fill the cache, and the cache is bounded. A cached header is only a parse result: every
/// token's signature is still verified.
final class HeaderCache: Sendable {
    private struct Entry {
        let segment: [UInt8]
        let header: JOSEHeader
    }

    private let entries = Mutex<[Int: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 64) { self.capacity = capacity }

    func header(for segment: UnsafeRawBufferPointer) -> JOSEHeader? {
        let key = Self.key(segment)
        return entries.withLock { entries in
            guard let entry = entries[key], entry.segment.count == segment.count else { return nil }
            let equal = entry.segment.withUnsafeBytes { stored in
                segment.isEmpty || memcmp(stored.baseAddress!, segment.baseAddress!, segment.count) == 0
            }
            return equal ? entry.header : nil
        }
    }

    func insert(_ header: JOSEHeader, for segment: UnsafeRawBufferPointer) {
        let key = Self.key(segment)
        let entry = Entry(segment: Array(segment), header: header)
        entries.withLock { entries in
            if entries.count >= capacity, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = entry
        }
    }

    private static func key(_ segment: UnsafeRawBufferPointer) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: segment)
        return hasher.finalize()
    }
}
