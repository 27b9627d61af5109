import CSmartAuthHTTP
import Testing

/// The transport formats every IPv4 peer itself (inet_ntop costs a printf-style pass per request); it must write
/// exactly what inet_ntop writes.
@Suite struct ClientAddressTests {
    private func formatted(_ octets: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0x7F, count: 16)
        let length = octets.withUnsafeBufferPointer { octets in
            smartauth_format_ipv4(octets.baseAddress!, &buffer)
        }
        #expect(buffer[length] == 0, "NUL-terminated")
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test(arguments: [
        ([127, 0, 0, 1], "127.0.0.1"),
        ([0, 0, 0, 0], "0.0.0.0"),
        ([255, 255, 255, 255], "255.255.255.255"),
        ([10, 99, 100, 9], "10.99.100.9"),
        ([203, 0, 113, 7], "203.0.113.7"),
        ([1, 20, 250, 109], "1.20.250.109"),
    ] as [([UInt8], String)])
    func dottedQuad(octets: [UInt8], expected: String) {
        #expect(formatted(octets) == expected)
    }

    @Test func everyOctetValueMatchesItsDecimalText() {
        for value in 0...255 {
            let octet = UInt8(value)
            #expect(formatted([octet, octet, octet, octet]) == Array(repeating: String(value), count: 4).joined(separator: "."))
        }
    }
}
