import SmartAuthCrypto
import Testing

@Suite struct DigestTests {
    /// FIPS 180-4 examples ("abc").
    @Test func shaOfABCMatchesFIPSExamples() {
        let abc = Array("abc".utf8)
        #expect(
            hexString(Digest.hash(abc, using: .sha256))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )
        #expect(
            hexString(Digest.hash(abc, using: .sha384))
                == "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                + "8086072ba1e7cc2358baeca134c825a7"
        )
        #expect(
            hexString(Digest.hash(abc, using: .sha512))
                == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        )
    }

    @Test func emptyMessageDigest() {
        #expect(
            hexString(Digest.hash([], using: .sha256))
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        )
    }

    @Test func hashFunctionProperties() {
        #expect(HashFunction.sha256.digestByteCount == 32)
        #expect(HashFunction.sha384.digestByteCount == 48)
        #expect(HashFunction.sha512.digestByteCount == 64)
        #expect(HashFunction.sha256.description == "SHA-256")
        #expect(HashFunction.sha256 != .sha384)
    }
}
