import SmartAuthCore
import Testing

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("203.0.113.7", "203.0.113.7"), ("0.0.0.0", "0.0.0.0"), ("::1", "::1"), ("2001:DB8::1", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("::ffff:198.51.100.2", "198.51.100.2"), ("fe80::", "fe80::"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
    ])
    func parsesAndCanonicalises(text: String, canonical: String) {
        #expect(IPAddress(text)?.description == canonical)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "1::2::3", "12345::", ":::", "fe80::1%eth0", "a.b.c.d", " 1.2.3.4", "1:2:3:4:5:6:7:8:9"])
    func rejectsNonAddresses(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func networksContainTheirAddresses() throws {
        let ten = try #require(IPNetwork("10.0.0.0/8"))
        #expect(ten.contains(try #require(IPAddress("10.200.3.4"))))
        #expect(!ten.contains(try #require(IPAddress("11.0.0.1"))))
        let v6 = try #require(IPNetwork("2001:db8::/32"))
        #expect(v6.contains(try #require(IPAddress("2001:db8:ffff::1"))))
        #expect(!v6.contains(try #require(IPAddress("2001:db9::1"))))
        #expect(!v6.contains(try #require(IPAddress("10.0.0.1"))))
        let single = try #require(IPNetwork("192.0.2.1"))
        #expect(single.contains(try #require(IPAddress("192.0.2.1"))))
        #expect(!single.contains(try #require(IPAddress("192.0.2.2"))))
        #expect(IPNetwork("10.0.0.0/33") == nil)
        #expect(IPNetwork("10.0.0.0/x") == nil)
    }

    @Test func forwardedForIsBelievedOnlyFromTrustedProxies() throws {
        let resolver = ClientAddressResolver(trustedProxies: [try #require(IPNetwork("10.0.0.0/8")), try #require(IPNetwork("::1"))])
        // Direct client: the header is a lie and ignored.
        #expect(resolver.clientAddress(peer: "203.0.113.9", forwardedFor: "1.1.1.1") == "203.0.113.9")
        // Through one trusted proxy.
        #expect(resolver.clientAddress(peer: "10.0.0.5", forwardedFor: "203.0.113.9") == "203.0.113.9")
        // The client prepended a fake hop: the right-most untrusted address wins.
        #expect(resolver.clientAddress(peer: "10.0.0.5", forwardedFor: "6.6.6.6, 203.0.113.9") == "203.0.113.9")
        // A chain of trusted proxies.
        #expect(resolver.clientAddress(peer: "10.0.0.5", forwardedFor: "203.0.113.9, 10.1.1.1") == "203.0.113.9")
        // Garbage stops the chain at the last good hop.
        #expect(resolver.clientAddress(peer: "10.0.0.5", forwardedFor: "203.0.113.9, nonsense") == "10.0.0.5")
        #expect(resolver.clientAddress(peer: "::1", forwardedFor: nil) == "::1")
        #expect(ClientAddressResolver().clientAddress(peer: "10.0.0.5", forwardedFor: "203.0.113.9") == "10.0.0.5")
    }
}
