import SmartAuthCrypto
import Testing

/// RFC 8032 §7.1 TEST 1 to 3.
struct Ed25519Vector: CustomTestStringConvertible, Sendable {
    var name: String
    var seed: String
    var publicKey: String
    var message: String
    var signature: String

    var testDescription: String { name }

    static let rfc8032: [Ed25519Vector] = [
        Ed25519Vector(
            name: "RFC 8032 TEST 1",
            seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            message: "",
            signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        ),
        Ed25519Vector(
            name: "RFC 8032 TEST 2",
            seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            message: "72",
            signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        ),
        Ed25519Vector(
            name: "RFC 8032 TEST 3",
            seed: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            message: "af82",
            signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
                + "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        ),
    ]
}

@Suite struct Ed25519Tests {
    @Test(arguments: Ed25519Vector.rfc8032)
    func rfc8032VectorsMatch(vector: Ed25519Vector) throws {
        let privateKey = try Ed25519PrivateKey(seed: SecretBytes(hex(vector.seed)))
        #expect(hexString(privateKey.publicKey.rawRepresentation) == vector.publicKey)
        let signature = try privateKey.signature(for: hex(vector.message))
        #expect(hexString(signature) == vector.signature)
        let publicKey = try Ed25519PublicKey(rawRepresentation: hex(vector.publicKey))
        #expect(publicKey.isValidSignature(hex(vector.signature), for: hex(vector.message)))
        #expect(privateKey.seed.constantTimeEquals(hex(vector.seed)))
    }

    @Test func tamperedSignatureOrMessageIsInvalid() throws {
        let key = try Ed25519PrivateKey.generate()
        let message = Array("payload".utf8)
        let signature = try key.signature(for: message)
        #expect(key.publicKey.isValidSignature(signature, for: message))
        for index in [0, 31, 32, 63] {
            var flipped = signature
            flipped[index] ^= 0x01
            #expect(!key.publicKey.isValidSignature(flipped, for: message))
        }
        var changed = message
        changed[3] ^= 0x80
        #expect(!key.publicKey.isValidSignature(signature, for: changed))
        #expect(!key.publicKey.isValidSignature(Array(signature.dropLast()), for: message))
        #expect(!key.publicKey.isValidSignature(signature + [0], for: message))
    }

    /// S + L is an alternative encoding of the same scalar; RFC 8032 §5.1.7 requires rejecting S ≥ L so that
    /// signatures are not malleable.
    @Test func nonCanonicalSIsRejected() throws {
        let vector = Ed25519Vector.rfc8032[1]
        let signature = hex(vector.signature)
        // L = 2^252 + 27742317777372353535851937790883648493, little-endian.
        let order = hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
        var malleated = Array(signature[0..<32])
        var carry = 0
        for index in 0..<32 {
            let sum = Int(signature[32 + index]) + Int(order[index]) + carry
            malleated.append(UInt8(sum & 0xFF))
            carry = sum >> 8
        }
        #expect(carry == 0)
        let publicKey = try Ed25519PublicKey(rawRepresentation: hex(vector.publicKey))
        #expect(!publicKey.isValidSignature(malleated, for: hex(vector.message)))
    }

    @Test func wrongLengthsAreInvalidKeys() {
        let publicError = #expect(throws: CryptoError.self) { try Ed25519PublicKey(rawRepresentation: [1, 2, 3]) }
        #expect(publicError?.code == .invalidKey)
        let seedError = #expect(throws: CryptoError.self) {
            try Ed25519PrivateKey(seed: SecretBytes([UInt8](repeating: 7, count: 31)))
        }
        #expect(seedError?.code == .invalidKey)
    }

    @Test func pemRoundTrip() throws {
        let key = try Ed25519PrivateKey.generate()
        let reread = try Ed25519PrivateKey(pem: key.pemRepresentation)
        #expect(reread.seed.constantTimeEquals(key.seed))
        #expect(reread.publicKey.rawRepresentation == key.publicKey.rawRepresentation)
        let publicKey = try Ed25519PublicKey(pem: key.publicKey.pemRepresentation)
        #expect(publicKey.rawRepresentation == key.publicKey.rawRepresentation)
        let fromDER = try Ed25519PublicKey(derSPKI: key.publicKey.derRepresentation)
        #expect(fromDER.rawRepresentation == key.publicKey.rawRepresentation)
        let message = Array("m".utf8)
        #expect(publicKey.isValidSignature(try reread.signature(for: message), for: message))
    }

    @Test func otherKeyTypesAreRefused() {
        let error = #expect(throws: CryptoError.self) { try Ed25519PublicKey(pem: Fixtures.ecPublic) }
        #expect(error?.code == .invalidKey)
        let privateError = #expect(throws: CryptoError.self) { try Ed25519PrivateKey(pem: Fixtures.rsaPKCS8) }
        #expect(privateError?.code == .invalidKey)
    }
}
