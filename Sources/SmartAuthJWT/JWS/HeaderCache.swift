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

    private struct State {
        /// The most recent hit: most verifiers see one header, so it is checked first, without hashing.
        var last: Entry?
        var entries: [Int: Entry] = [:]
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int = 64) { self.capacity = capacity }

    func header(for segment: UnsafeRawBufferPointer) -> JOSEHeader? {
        if let header = state.withLock({ state in state.last.flatMap { Self.matches($0, segment) ? $0.header : nil } }) {
            return header
        }
        let key = Self.key(segment)
        return state.withLock { state in
            guard let entry = state.entries[key], Self.matches(entry, segment) else { return nil }
            state.last = entry
            return entry.header
        }
    }

    func insert(_ header: JOSEHeader, for segment: UnsafeRawBufferPointer) {
        let key = Self.key(segment)
        let entry = Entry(segment: Array(segment), header: header)
        state.withLock { state in
            if state.entries.count >= capacity, state.entries[key] == nil { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = entry
            state.last = entry
        }
    }

    private static func matches(_ entry: Entry, _ segment: UnsafeRawBufferPointer) -> Bool {
        guard entry.segment.count == segment.count else { return false }
        return entry.segment.withUnsafeBytes { stored in
            segment.isEmpty || memcmp(stored.baseAddress!, segment.baseAddress!, segment.count) == 0
        }
    }

    private static func key(_ segment: UnsafeRawBufferPointer) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: segment)
        return hasher.finalize()
    }
}
