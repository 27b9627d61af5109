import SmartAuthCrypto
import Testing

/// A hash and padding combination, named for failure messages.
struct RSAScheme: CustomTestStringConvertible, Sendable {
    var hash: HashFunction
    var padding: RSAPadding

    var testDescription: String { "\(padding) with \(hash)" }

    static let all: [RSAScheme] = [HashFunction.sha256, .sha384, .sha512].flatMap { hash in
        [RSAScheme(hash: hash, padding: .pkcs1v15), RSAScheme(hash: hash, padding: .pss)]
    }
}

@Suite struct RSAKeyTests {
    static let key: RSAPrivateKey = {
        do { return try RSAPrivateKey(pem: Fixtures.rsaPKCS8) } catch { fatalError("fixture: \(error)") }
    }()

    let message = Array("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0".utf8)

    @Test(arguments: RSAScheme.all)
    func signAndVerifyRoundTrip(scheme: RSAScheme) throws {
        let key = Self.key
        let signature = try key.signature(for: message, hash: scheme.hash, padding: scheme.padding)
        #expect(signature.count == 256)
        #expect(key.publicKey.isValidSignature(signature, for: message, hash: scheme.hash, padding: scheme.padding))
    }

    @Test(arguments: RSAScheme.all)
    func tamperedSignatureOrMessageIsInvalid(scheme: RSAScheme) throws {
        let key = Self.key.publicKey
        let signature = try Self.key.signature(for: message, hash: scheme.hash, padding: scheme.padding)
        var flipped = signature
        flipped[100] ^= 0x01
        #expect(!key.isValidSignature(flipped, for: message, hash: scheme.hash, padding: scheme.padding))
        var changed = message
        changed[0] ^= 0x01
        #expect(!key.isValidSignature(signature, for: changed, hash: scheme.hash, padding: scheme.padding))
        let otherHash: HashFunction = scheme.hash == .sha256 ? .sha384 : .sha256
        #expect(!key.isValidSignature(signature, for: message, hash: otherHash, padding: scheme.padding))
        let otherPadding: RSAPadding = scheme.padding == .pss ? .pkcs1v15 : .pss
        #expect(!key.isValidSignature(signature, for: message, hash: scheme.hash, padding: otherPadding))
    }

    @Test func signatureMustBeExactlyModulusLength() throws {
        let key = Self.key.publicKey
        let signature = try Self.key.signature(for: message, hash: .sha256, padding: .pkcs1v15)
        // Same number, one byte longer: OpenSSL alone would accept a leading zero; the length check must not.
        #expect(!key.isValidSignature([0] + signature, for: message, hash: .sha256, padding: .pkcs1v15))
        #expect(!key.isValidSignature(signature + [0], for: message, hash: .sha256, padding: .pkcs1v15))
        #expect(!key.isValidSignature(Array(signature.dropFirst()), for: message, hash: .sha256, padding: .pkcs1v15))
        #expect(!key.isValidSignature([], for: message, hash: .sha256, padding: .pkcs1v15))
        // A value not below the modulus.
        #expect(!key.isValidSignature(key.modulus, for: message, hash: .sha256, padding: .pkcs1v15))
        #expect(
            !key.isValidSignature([UInt8](repeating: 0xFF, count: 256), for: message, hash: .sha256, padding: .pss)
        )
    }

    @Test func verifiesOpenSSLCommandLineSignatures() throws {
        let key = try RSAPublicKey(pem: Fixtures.rsaPublic)
        let message = Fixtures.interopMessage
        #expect(key.isValidSignature(Fixtures.rsaPKCS1SHA256Signature, for: message, hash: .sha256, padding: .pkcs1v15))
        #expect(key.isValidSignature(Fixtures.rsaPSSSHA384Signature, for: message, hash: .sha384, padding: .pss))
        // Valid PSS, but its salt is longer than the digest: JWS PS256 requires salt length == 32.
        #expect(!key.isValidSignature(Fixtures.rsaPSSMaxSaltSHA256Signature, for: message, hash: .sha256, padding: .pss))
    }

    @Test func pkcs1VerificationComparesTheWholeEncoding() throws {
        let key = try RSAPublicKey(pem: Fixtures.rsaPublic)
        let signature = Fixtures.rsaPKCS1SHA256WithoutNullSignature
        #expect(!key.isValidSignature(signature, for: Fixtures.interopMessage, hash: .sha256, padding: .pkcs1v15))
    }

    @Test func weakModulusIsRefused() {
        let error = #expect(throws: CryptoError.self) { try RSAPublicKey(pem: Fixtures.rsa1024Public) }
        #expect(error?.code == .weakKey)
        let generateError = #expect(throws: CryptoError.self) { try RSAPrivateKey.generate(bits: 1024) }
        #expect(generateError?.code == .weakKey)
    }

    @Test(arguments: [[0x01], [0x00], [], [0x02], [0x01, 0x00, 0x00], [0x00, 0x01]] as [[UInt8]])
    func badExponentIsWeak(exponent: [UInt8]) {
        let error = #expect(throws: CryptoError.self) {
            try RSAPublicKey(modulus: Self.key.publicKey.modulus, exponent: exponent)
        }
        #expect(error?.code == .weakKey)
    }

    @Test func evenModulusIsInvalid() {
        var modulus = Self.key.publicKey.modulus
        modulus[modulus.count - 1] &= 0xFE
        let error = #expect(throws: CryptoError.self) { try RSAPublicKey(modulus: modulus, exponent: [1, 0, 1]) }
        #expect(error?.code == .invalidKey)
    }

    @Test func leadingZerosAreTolerated() throws {
        let original = Self.key.publicKey
        let key = try RSAPublicKey(modulus: [0, 0] + original.modulus, exponent: [0] + original.exponent)
        #expect(key.modulus == original.modulus)
        #expect(key.exponent == [0x01, 0x00, 0x01])
        #expect(key.modulusBitCount == 2048)
        #expect(key.derRepresentation == original.derRepresentation)
    }

    @Test func rocaModulusIsWeak() {
        // 65537^128 (2049 bits, odd) lies in the 65537-generated subgroup modulo every small prime.
        var modulus: [UInt8] = [1]
        for _ in 0..<128 { modulus = multiply(modulus, by: 65537) }
        let error = #expect(throws: CryptoError.self) { try RSAPublicKey(modulus: modulus, exponent: [1, 0, 1]) }
        #expect(error?.code == .weakKey)
        #expect(error?.message.contains("ROCA") == true)
    }

    @Test func pkcs1AndPKCS8ImportsAgree() throws {
        let fromPKCS1 = try RSAPrivateKey(pem: Fixtures.rsaPKCS1)
        let fromPKCS8 = Self.key
        #expect(fromPKCS1.publicKey.modulus == fromPKCS8.publicKey.modulus)
        #expect(fromPKCS1.components.privateExponent.constantTimeEquals(fromPKCS8.components.privateExponent))
        let signature = try fromPKCS1.signature(for: message, hash: .sha256, padding: .pkcs1v15)
        #expect(fromPKCS8.publicKey.isValidSignature(signature, for: message, hash: .sha256, padding: .pkcs1v15))
        let publicKey = try RSAPublicKey(pem: Fixtures.rsaPublic)
        #expect(publicKey.modulus == fromPKCS8.publicKey.modulus)
        #expect(publicKey.exponent == fromPKCS8.publicKey.exponent)
    }

    @Test func pemAndDERRoundTrip() throws {
        let key = Self.key
        let reread = try RSAPrivateKey(pem: key.pemRepresentation)
        #expect(reread.publicKey.modulus == key.publicKey.modulus)
        #expect(reread.publicKey.exponent == key.publicKey.exponent)
        #expect(key.pemRepresentation.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let publicPEM = key.publicKey.pemRepresentation
        #expect(publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        let publicKey = try RSAPublicKey(pem: publicPEM)
        #expect(publicKey.modulus == key.publicKey.modulus)
        #expect(publicKey.exponent == key.publicKey.exponent)
        let fromDER = try RSAPublicKey(derSPKI: key.publicKey.derRepresentation)
        #expect(fromDER.modulus == key.publicKey.modulus)
        #expect(publicKey.pemRepresentation == Fixtures.rsaPublic + "\n")
    }

    @Test func componentsRoundTrip() throws {
        let components = Self.key.components
        #expect(components.prime1.count == 128)
        let rebuilt = try RSAPrivateKey(components: components)
        let signature = try rebuilt.signature(for: message, hash: .sha512, padding: .pss)
        #expect(Self.key.publicKey.isValidSignature(signature, for: message, hash: .sha512, padding: .pss))
    }

    @Test func privateExponentOnlyIsUnsupported() {
        var components = Self.key.components
        components.prime1 = SecretBytes([])
        components.prime2 = SecretBytes([])
        components.exponent1 = SecretBytes([])
        components.exponent2 = SecretBytes([])
        components.coefficient = SecretBytes([])
        let error = #expect(throws: CryptoError.self) { try RSAPrivateKey(components: components) }
        #expect(error?.code == .unsupported)
        components.prime1 = Self.key.components.prime1
        let partial = #expect(throws: CryptoError.self) { try RSAPrivateKey(components: components) }
        #expect(partial?.code == .invalidKey)
    }

    @Test func inconsistentComponentsAreInvalid() {
        var components = Self.key.components
        components.prime1 = components.prime2
        let error = #expect(throws: CryptoError.self) { try RSAPrivateKey(components: components) }
        #expect(error?.code == .invalidKey)
        var wrongD = Self.key.components
        var d = wrongD.privateExponent.copyBytes()
        d[d.count - 1] ^= 0x02
        wrongD.privateExponent = SecretBytes(d)
        let dError = #expect(throws: CryptoError.self) { try RSAPrivateKey(components: wrongD) }
        #expect(dError?.code == .invalidKey)
    }

    @Test func generatedKeyWorks() throws {
        let key = try RSAPrivateKey.generate(bits: 3072)
        #expect(key.publicKey.modulusBitCount == 3072)
        let signature = try key.signature(for: message, hash: .sha384, padding: .pss)
        #expect(signature.count == 384)
        #expect(key.publicKey.isValidSignature(signature, for: message, hash: .sha384, padding: .pss))
    }

    @Test func otherKeyTypesAndLabelsAreRefused() {
        let ecError = #expect(throws: CryptoError.self) { try RSAPublicKey(pem: Fixtures.ecPublic) }
        #expect(ecError?.code == .invalidKey)
        let labelError = #expect(throws: CryptoError.self) { try RSAPublicKey(pem: Fixtures.rsaPKCS8) }
        #expect(labelError?.code == .invalidPEM)
        let ecPrivateError = #expect(throws: CryptoError.self) { try RSAPrivateKey(pem: Fixtures.ecPKCS8) }
        #expect(ecPrivateError?.code == .invalidKey)
    }
}

/// Multiplies a big-endian number by a small factor.
func multiply(_ number: [UInt8], by factor: UInt32) -> [UInt8] {
    var result: [UInt8] = []
    var carry: UInt64 = 0
    for byte in number.reversed() {
        let product = UInt64(byte) * UInt64(factor) + carry
        result.append(UInt8(product & 0xFF))
        carry = product >> 8
    }
    while carry > 0 {
        result.append(UInt8(carry & 0xFF))
        carry >>= 8
    }
    return result.reversed()
}
