import SmartAuthJWT
import Testing

@Suite struct Base64URLTests {
    /// RFC 4648 §10 test vectors, in the unpadded url-safe alphabet.
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test func usesTheURLSafeAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xFB, 0xFF, 0xBF])
        #expect(Base64URL.decode("+/+/") == nil)
    }

    /// Property: every byte string survives a round trip, and its encoding uses only the alphabet.
    @Test func roundTripsRandomBytes() {
        var generator = SplitMix64(seed: 0x5EED)
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        for length in 0..<200 {
            for _ in 0..<8 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let encoded = Base64URL.encode(bytes)
                #expect(encoded.utf8.allSatisfy(alphabet.contains))
                #expect(encoded.utf8.count % 4 != 1)
                #expect(Base64URL.decode(encoded) == bytes, "length \(length)")
            }
        }
    }

    /// Property: decoding rejects any string holding a byte outside the alphabet, wherever it is.
    @Test func rejectsAnyForeignByte() {
        var generator = SplitMix64(seed: 42)
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let foreign = (0...255).map(UInt8.init).filter { !alphabet.contains($0) }
        for _ in 0..<2_000 {
            let length = Int.random(in: 2...40, using: &generator)
            var bytes = Array(Base64URL.encode((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }).utf8)
            bytes[Int.random(in: 0..<bytes.count, using: &generator)] = foreign.randomElement(using: &generator)!
            let rejected = bytes.withUnsafeBytes { Base64URL.decode($0) } == nil
            #expect(rejected)
        }
    }

    @Test(arguments: ["Zg==", "Zm8=", "Zm9v\n", " Zm9v", "Zm 9v", "Zm9v\t", "Z", "Zm9vY", "Zm9v=", "Zm9v.", "é"])
    func rejectsPaddingWhitespaceAndBadLengths(_ text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    /// Non-canonical encodings (unused low bits set) would let two strings stand for one byte string.
    @Test(arguments: ["Zh", "Zm9", "Zm8B", "Zm-"])
    func rejectsNonCanonicalTails(_ text: String) {
        if text == "Zm8B" {
            #expect(Base64URL.decode(text) != nil)  // four characters: no unused bits
        } else {
            #expect(Base64URL.decode(text) == nil)
        }
    }
}

/// A small deterministic generator so property tests replay exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
