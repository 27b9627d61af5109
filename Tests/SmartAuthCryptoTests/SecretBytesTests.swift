import SmartAuthCrypto
import Testing

@Suite struct SecretBytesTests {
    @Test func descriptionIsRedacted() {
        let secret = SecretBytes([1, 2, 3])
        #expect(secret.description == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect("\(secret)" == "<redacted>")
    }
}
