import Foundation

/// An IPv4 or IPv6 address, parsed strictly (no zone ids, no leading zeros in IPv4 octets).
/// IPv4-mapped IPv6 addresses (`::ffff:203.0.113.7`) are read as the IPv4 address they carry.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]
    /// The canonical text.
    public let description: String

    /// Parses `text`; `nil` if it is not an address.
    public init?(_ text: String) {
        if let v4 = IPAddress.parseIPv4(Substring(text)) {
            bytes = v4
            // Strict IPv4 text (no leading zeros, no spaces) is its own canonical form.
            description = text
            return
        } else if let v6 = IPAddress.parseIPv6(text) {
            if v6[0..<10].allSatisfy({ $0 == 0 }) && v6[10] == 0xFF && v6[11] == 0xFF {
                bytes = Array(v6[12...])
            } else {
                bytes = v6
            }
        } else {
            return nil
        }
        description = IPAddress.format(bytes)
    }

    /// Four decimal octets separated by dots: ASCII digits only, each 0...255, no leading zeros.
    private static func parseIPv4(_ text: Substring) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(4)
        var value = 0
        var digits = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                // A second digit after a leading 0 ("01") is refused, as is a fourth digit.
                guard !(digits == 1 && value == 0), digits < 3 else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
            case UInt8(ascii: "."):
                guard digits > 0, value <= 255, result.count < 3 else { return nil }
                result.append(UInt8(value))
                value = 0
                digits = 0
            default:
                return nil
            }
        }
        guard digits > 0, value <= 255, result.count == 3 else { return nil }
        result.append(UInt8(value))
        return result
    }

    private static func parseIPv6(_ text: String) -> [UInt8]? {
        guard text.count <= 45, text.contains(":") else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt8]? {
            if part.isEmpty { return [] }
            var bytes: [UInt8] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, field) in fields.enumerated() {
                if index == fields.count - 1, field.contains("."), let v4 = parseIPv4(field) {
                    bytes += v4
                    continue
                }
                guard (1...4).contains(field.count), field.allSatisfy(\.isHexDigit), let value = UInt16(field, radix: 16) else {
                    return nil
                }
                bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return bytes
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    private static func format(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on a tie.
        var best = (start: -1, length: 0)
        var index = 0
        while index < 8 {
            if groups[index] == 0 {
                var end = index
                while end < 8, groups[end] == 0 { end += 1 }
                if end - index > best.length { best = (index, end - index) }
                index = end
            } else {
                index += 1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard best.length >= 2 else { return hex.joined(separator: ":") }
        let head = hex[..<best.start].joined(separator: ":")
        let tail = hex[(best.start + best.length)...].joined(separator: ":")
        return head + "::" + tail
    }
}

/// An address range in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`); a bare address is a range of one.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The network's first address.
    public let address: IPAddress
    /// The prefix length.
    public let prefixLength: Int

    /// Parses `text`; `nil` if it is not a network.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let bits = address.bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...bits).contains(length), parts[1].allSatisfy(\.isNumber) else { return nil }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        self.address = address
    }

    /// Whether `candidate` lies in this network.
    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for (a, b) in zip(address.bytes, candidate.bytes) {
            if remaining <= 0 { return true }
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if a & mask != b & mask { return false }
            remaining -= 8
        }
        return true
    }

    public var description: String { "\(address)/\(prefixLength)" }
}

/// Works out a request's client address behind reverse proxies: `X-Forwarded-For` is believed only when the
/// connection comes from a configured proxy, and only as far back as the chain of trusted proxies goes.
public struct ClientAddressResolver: Sendable {
    /// The proxies whose `X-Forwarded-For` is believed. Empty (the default): the header is ignored.
    public var trustedProxies: [IPNetwork]

    /// A resolver that trusts `trustedProxies`.
    public init(trustedProxies: [IPNetwork] = []) { self.trustedProxies = trustedProxies }

    /// The client's address: the peer's, unless the peer is a trusted proxy, in which case the right-most
    /// address in `X-Forwarded-For` that is not itself a trusted proxy (an attacker can prepend anything to the
    /// header, so the left-most entry is never believed blindly).
    public func clientAddress(peer: String, forwardedFor: String?) -> String {
        guard let peerAddress = IPAddress(peer) else { return peer }
        guard isTrusted(peerAddress), let forwardedFor, !forwardedFor.isEmpty else { return peerAddress.description }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peerAddress
        for hop in hops.reversed() {
            guard let address = IPAddress(hop) else { break }  // garbage ends the trusted chain
            client = address
            if !isTrusted(address) { break }
        }
        return client.description
    }

    private func isTrusted(_ address: IPAddress) -> Bool { trustedProxies.contains { $0.contains(address) } }
}
