import SmartAuthCrypto
import Testing

@Suite struct CryptoErrorTests {
    @Test func equalityUsesCodeOnly() {
        #expect(CryptoError.weakKey("a") == CryptoError.weakKey("b", underlying: CryptoError.invalidKey("c")))
        #expect(CryptoError.weakKey("a") != CryptoError.invalidKey("a"))
        #expect(Set([CryptoError.invalidPEM("x"), .invalidPEM("y")]).count == 1)
    }

    @Test func descriptionAndLocation() {
        let error = CryptoError.unsupported("no such curve")
        #expect(error.description == "CryptoError.unsupported: no such curve")
        #expect(error.file.hasSuffix("CryptoErrorTests.swift"))
        #expect(error.line > 0)
        #expect(error.code.description == "unsupported")
    }

    @Test func openSSLFailuresCarryTheErrorQueue() {
        let error = #expect(throws: CryptoError.self) {
            try ECPublicKey(curve: .p256, x: [UInt8](repeating: 1, count: 32), y: [UInt8](repeating: 2, count: 32))
        }
        #expect(error?.underlying != nil)
        let underlying = error?.underlying.map { String(describing: $0) } ?? ""
        #expect(underlying.hasPrefix("OpenSSL: "))
    }
}
