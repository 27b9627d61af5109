import SmartAuthCrypto
import Testing

/// A curve with the hash JWS pairs it with.
struct ECScheme: CustomTestStringConvertible, Sendable {
    var curve: EllipticCurve
    var hash: HashFunction

    var testDescription: String { "\(curve) with \(hash)" }

    static let jws: [ECScheme] = [
        ECScheme(curve: .p256, hash: .sha256),
        ECScheme(curve: .p384, hash: .sha384),
        ECScheme(curve: .p521, hash: .sha512),
    ]
}

/// Group orders (SEC 2), big-endian, fixed length.
let curveOrders: [EllipticCurve: [UInt8]] = [
    .p256: hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551"),
    .p384: hex(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973"
    ),
    .p521: hex(
        "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
            + "FA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409"
    ),
]

@Suite struct ECKeyTests {
    let message = Array("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0".utf8)

    @Test(arguments: ECScheme.jws)
    func signAndVerifyRoundTrip(scheme: ECScheme) throws {
        let key = try ECPrivateKey.generate(curve: scheme.curve)
        #expect(key.curve == scheme.curve)
        let signature = try key.signature(for: message, hash: scheme.hash)
        #expect(signature.count == scheme.curve.signatureByteCount)
        #expect(key.publicKey.isValidSignature(signature, for: message, hash: scheme.hash))
        // Any hash works with any curve; the verifier must use the same one.
        let other: HashFunction = scheme.hash == .sha256 ? .sha512 : .sha256
        let otherSignature = try key.signature(for: message, hash: other)
        #expect(key.publicKey.isValidSignature(otherSignature, for: message, hash: other))
        #expect(!key.publicKey.isValidSignature(otherSignature, for: message, hash: scheme.hash))
    }

    @Test(arguments: ECScheme.jws)
    func tamperedSignatureOrMessageIsInvalid(scheme: ECScheme) throws {
        let key = try ECPrivateKey.generate(curve: scheme.curve)
        let signature = try key.signature(for: message, hash: scheme.hash)
        for index in [0, signature.count / 2 - 1, signature.count / 2, signature.count - 1] {
            var flipped = signature
            flipped[index] ^= 0x01
            #expect(!key.publicKey.isValidSignature(flipped, for: message, hash: scheme.hash))
        }
        var changed = message
        changed[changed.count - 1] ^= 0x01
        #expect(!key.publicKey.isValidSignature(signature, for: changed, hash: scheme.hash))
    }

    @Test(arguments: ECScheme.jws)
    func outOfRangeScalarsAreInvalid(scheme: ECScheme) throws {
        let key = try ECPrivateKey.generate(curve: scheme.curve)
        let signature = try key.signature(for: message, hash: scheme.hash)
        let half = scheme.curve.coordinateByteCount
        let r = Array(signature[..<half])
        let s = Array(signature[half...])
        let zero = [UInt8](repeating: 0, count: half)
        let order = try #require(curveOrders[scheme.curve])
        #expect(!key.publicKey.isValidSignature(zero + s, for: message, hash: scheme.hash))
        #expect(!key.publicKey.isValidSignature(r + zero, for: message, hash: scheme.hash))
        #expect(!key.publicKey.isValidSignature(order + s, for: message, hash: scheme.hash))
        #expect(!key.publicKey.isValidSignature(r + order, for: message, hash: scheme.hash))
        let allOnes = [UInt8](repeating: 0xFF, count: half)
        #expect(!key.publicKey.isValidSignature(allOnes + s, for: message, hash: scheme.hash))
    }

    @Test func signatureLengthAndEncodingAreChecked() throws {
        let key = try ECPublicKey(pem: Fixtures.ecPublic)
        let message = Fixtures.interopMessage
        #expect(key.isValidSignature(Fixtures.ecP256SHA256Signature, for: message, hash: .sha256))
        // The same signature in DER, as OpenSSL produced it: JWS requires r || s.
        #expect(!key.isValidSignature(Fixtures.ecP256SHA256SignatureDER, for: message, hash: .sha256))
        #expect(!key.isValidSignature(Array(Fixtures.ecP256SHA256Signature.dropLast()), for: message, hash: .sha256))
        #expect(!key.isValidSignature(Fixtures.ecP256SHA256Signature + [0], for: message, hash: .sha256))
        #expect(!key.isValidSignature([0] + Fixtures.ecP256SHA256Signature, for: message, hash: .sha256))
        #expect(!key.isValidSignature([], for: message, hash: .sha256))
    }

    @Test(arguments: EllipticCurveCase.all)
    func pointOffCurveIsInvalid(curve: EllipticCurveCase) throws {
        let key = try ECPrivateKey.generate(curve: curve.curve).publicKey
        var y = key.y
        y[y.count - 1] ^= 0x01
        let error = #expect(throws: CryptoError.self) { try ECPublicKey(curve: curve.curve, x: key.x, y: y) }
        #expect(error?.code == .invalidKey)
        let zero = [UInt8](repeating: 0, count: curve.curve.coordinateByteCount)
        let infinity = #expect(throws: CryptoError.self) { try ECPublicKey(curve: curve.curve, x: zero, y: zero) }
        #expect(infinity?.code == .invalidKey)
        let short = #expect(throws: CryptoError.self) {
            try ECPublicKey(curve: curve.curve, x: Array(key.x.dropFirst()), y: key.y)
        }
        #expect(short?.code == .invalidKey)
        let rebuilt = try ECPublicKey(curve: curve.curve, x: key.x, y: key.y)
        #expect(rebuilt.derRepresentation == key.derRepresentation)
    }

    @Test(arguments: EllipticCurveCase.all)
    func privateKeyFromComponents(curve: EllipticCurveCase) throws {
        let generated = try ECPrivateKey.generate(curve: curve.curve)
        let d = generated.d
        #expect(d.count == curve.curve.coordinateByteCount)
        let fromD = try ECPrivateKey(curve: curve.curve, d: d)
        #expect(fromD.publicKey.x == generated.publicKey.x)
        #expect(fromD.publicKey.y == generated.publicKey.y)
        let withPoint = try ECPrivateKey(curve: curve.curve, d: d, x: generated.publicKey.x, y: generated.publicKey.y)
        let signature = try withPoint.signature(for: message, hash: .sha256)
        #expect(generated.publicKey.isValidSignature(signature, for: message, hash: .sha256))

        let other = try ECPrivateKey.generate(curve: curve.curve).publicKey
        let mismatch = #expect(throws: CryptoError.self) {
            try ECPrivateKey(curve: curve.curve, d: d, x: other.x, y: other.y)
        }
        #expect(mismatch?.code == .invalidKey)
        let onlyX = #expect(throws: CryptoError.self) {
            try ECPrivateKey(curve: curve.curve, d: d, x: generated.publicKey.x)
        }
        #expect(onlyX?.code == .invalidKey)
        let shortD = #expect(throws: CryptoError.self) {
            try ECPrivateKey(curve: curve.curve, d: SecretBytes(d.copyBytes().dropFirst()))
        }
        #expect(shortD?.code == .invalidKey)
    }

    /// d must lie in [1, n - 1]; this also checks the group orders the verifier uses.
    @Test(arguments: EllipticCurveCase.all)
    func privateScalarRangeIsChecked(curve: EllipticCurveCase) throws {
        let order = try #require(curveOrders[curve.curve])
        var largest = order
        largest[largest.count - 1] -= 1
        _ = try ECPrivateKey(curve: curve.curve, d: SecretBytes(largest))
        for bad in [order, [UInt8](repeating: 0, count: order.count)] {
            let error = #expect(throws: CryptoError.self) { try ECPrivateKey(curve: curve.curve, d: SecretBytes(bad)) }
            #expect(error?.code == .invalidKey)
        }
    }

    @Test(arguments: EllipticCurveCase.all)
    func pemRoundTrip(curve: EllipticCurveCase) throws {
        let key = try ECPrivateKey.generate(curve: curve.curve)
        let reread = try ECPrivateKey(pem: key.pemRepresentation)
        #expect(reread.curve == curve.curve)
        #expect(reread.d.constantTimeEquals(key.d))
        #expect(reread.publicKey.x == key.publicKey.x)
        #expect(reread.publicKey.y == key.publicKey.y)
        let publicKey = try ECPublicKey(pem: key.publicKey.pemRepresentation)
        #expect(publicKey.curve == curve.curve)
        #expect(publicKey.x == key.publicKey.x)
        #expect(publicKey.y == key.publicKey.y)
        let fromDER = try ECPublicKey(derSPKI: key.publicKey.derRepresentation)
        #expect(fromDER.x == key.publicKey.x)
    }

    @Test func sec1AndPKCS8ImportsAgree() throws {
        let sec1 = try ECPrivateKey(pem: Fixtures.ecSEC1)
        let pkcs8 = try ECPrivateKey(pem: Fixtures.ecPKCS8)
        let publicKey = try ECPublicKey(pem: Fixtures.ecPublic)
        #expect(sec1.d.constantTimeEquals(pkcs8.d))
        #expect(sec1.publicKey.x == publicKey.x)
        #expect(pkcs8.publicKey.y == publicKey.y)
        #expect(publicKey.pemRepresentation == Fixtures.ecPublic + "\n")
        let signature = try sec1.signature(for: message, hash: .sha256)
        #expect(publicKey.isValidSignature(signature, for: message, hash: .sha256))
    }

    @Test func unsupportedCurveAndWrongTypeAreRefused() {
        let curveError = #expect(throws: CryptoError.self) { try ECPublicKey(pem: Fixtures.secp256k1Public) }
        #expect(curveError?.code == .unsupported)
        let typeError = #expect(throws: CryptoError.self) { try ECPublicKey(pem: Fixtures.rsaPublic) }
        #expect(typeError?.code == .invalidKey)
        let privateError = #expect(throws: CryptoError.self) { try ECPrivateKey(pem: Fixtures.rsaPKCS1) }
        #expect(privateError?.code == .invalidPEM)
    }

    @Test func curveProperties() {
        #expect(EllipticCurve.p256.coordinateByteCount == 32)
        #expect(EllipticCurve.p384.coordinateByteCount == 48)
        #expect(EllipticCurve.p521.coordinateByteCount == 66)
        #expect(EllipticCurve.p256.signatureByteCount == 64)
        #expect(EllipticCurve.p384.signatureByteCount == 96)
        #expect(EllipticCurve.p521.signatureByteCount == 132)
        for curve in [EllipticCurve.p256, .p384, .p521] {
            #expect(EllipticCurve(jwkName: curve.jwkName) == curve)
        }
        #expect(EllipticCurve(jwkName: "p-256") == nil)
        #expect(EllipticCurve(jwkName: "secp256k1") == nil)
        #expect(EllipticCurve.p521.description == "P-521")
    }
}

/// A curve, named for failure messages.
struct EllipticCurveCase: CustomTestStringConvertible, Sendable {
    var curve: EllipticCurve
    var testDescription: String { curve.jwkName }
    static let all = [EllipticCurve.p256, .p384, .p521].map(EllipticCurveCase.init)
}
