internal import CSmartAuthOpenSSL

/// Owns one `EVP_PKEY`.
///
/// `@unchecked Sendable`: SmartAuth never mutates an `EVP_PKEY` after building it; OpenSSL 3 makes concurrent
/// read-only use of one key (creating contexts, verifying, signing, exporting) thread safe, taking its own
/// lock around the key's internal provider-export cache. This class is the only owner and frees the key once,
/// in `deinit`.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Takes over a key reference the caller owns; it is freed when this object goes away.
    init(takingOwnershipOf pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// The selection for a public key: domain parameters and the public part (`EVP_PKEY_PUBLIC_KEY`).
    static let publicSelection = Int32(smartauth_openssl_selection_public_key)
    /// The selection for a key pair (`EVP_PKEY_KEYPAIR`).
    static let keyPairSelection = Int32(smartauth_openssl_selection_keypair)

    // MARK: Building

    /// Builds a key from parameters with `EVP_PKEY_fromdata`.
    ///
    /// - Throws: `failureCode` with the drained OpenSSL error queue if OpenSSL rejects the parameters.
    static func fromData(
        keyType: StaticString,
        selection: Int32,
        parameters: ParamBuilder,
        failureCode: CryptoError.Code = .invalidKey
    ) throws(CryptoError) -> EVPKey {
        let context = try checkOpenSSL(
            EVP_PKEY_CTX_new_from_name(nil, keyType.cString, nil),
            .internalFailure,
            "EVP_PKEY_CTX_new_from_name(\(keyType)) failed"
        )
        defer { EVP_PKEY_CTX_free(context) }
        try checkOpenSSL(EVP_PKEY_fromdata_init(context), .internalFailure, "EVP_PKEY_fromdata_init failed")
        return try parameters.withParameters { (parameters) throws(CryptoError) -> EVPKey in
            var key: OpaquePointer?
            try checkOpenSSL(
                EVP_PKEY_fromdata(context, &key, selection, parameters),
                failureCode,
                "OpenSSL rejected the \(keyType) key parameters"
            )
            return try EVPKey(takingOwnershipOf: checkOpenSSL(key, failureCode, "EVP_PKEY_fromdata gave no key"))
        }
    }

    /// Generates a key with `EVP_PKEY_generate`; `configure` sets options on the initialised context.
    static func generate(
        keyType: StaticString,
        configure: (OpaquePointer) -> Int32
    ) throws(CryptoError) -> EVPKey {
        let context = try checkOpenSSL(
            EVP_PKEY_CTX_new_from_name(nil, keyType.cString, nil),
            .internalFailure,
            "EVP_PKEY_CTX_new_from_name(\(keyType)) failed"
        )
        defer { EVP_PKEY_CTX_free(context) }
        try checkOpenSSL(EVP_PKEY_keygen_init(context), .internalFailure, "EVP_PKEY_keygen_init failed")
        try checkOpenSSL(configure(context), .internalFailure, "configuring \(keyType) key generation failed")
        var key: OpaquePointer?
        try checkOpenSSL(EVP_PKEY_generate(context, &key), .internalFailure, "\(keyType) key generation failed")
        return try EVPKey(takingOwnershipOf: checkOpenSSL(key, .internalFailure, "key generation gave no key"))
    }

    // MARK: DER decoding and encoding

    /// Decodes one PEM `PUBLIC KEY` block (SubjectPublicKeyInfo) of any supported key type; the caller checks
    /// the type.
    /// - Throws: ``CryptoError/Code/invalidPEM`` if the text is not exactly one well-formed `PUBLIC KEY` block.
    static func decodePublicKey(pem: String) throws(CryptoError) -> EVPKey {
        let document = try PEMDocument(parsing: pem)
        guard document.label == "PUBLIC KEY" else {
            throw .invalidPEM("expected a PEM PUBLIC KEY block, got \(document.label)")
        }
        return try decodePublicKey(derSPKI: document.der)
    }

    /// Decodes DER SubjectPublicKeyInfo of any supported key type; the caller checks the type.
    /// - Throws: ``CryptoError/Code/invalidPEM`` if the bytes are not one SubjectPublicKeyInfo.
    static func decodePublicKey(derSPKI: [UInt8]) throws(CryptoError) -> EVPKey {
        try decode(der: derSPKI, structure: "SubjectPublicKeyInfo", keyType: nil, selection: publicSelection)
    }

    /// Decodes one DER structure with an `OSSL_DECODER`.
    ///
    /// - Parameters:
    ///   - der: The DER bytes, at most 64 KiB; must be consumed completely.
    ///   - structure: `SubjectPublicKeyInfo`, `PrivateKeyInfo` or `type-specific` (PKCS#1, SEC1).
    ///   - keyType: `RSA`, `EC`, `ED25519`, or `nil` for any.
    ///   - selection: ``publicSelection`` or ``keyPairSelection``.
    /// - Throws: ``CryptoError/Code/invalidPEM``.
    static func decode(
        der: [UInt8],
        structure: StaticString,
        keyType: StaticString?,
        selection: Int32
    ) throws(CryptoError) -> EVPKey {
        guard der.count <= PEMDocument.maximumByteCount else {
            throw .invalidPEM("DER input is longer than \(PEMDocument.maximumByteCount) bytes")
        }
        guard DERShape.isSingleElement(der) else {
            throw .invalidPEM("input is not a single DER element")
        }
        var key: OpaquePointer?
        let input: StaticString = "DER"
        let decoder = try checkOpenSSL(
            OSSL_DECODER_CTX_new_for_pkey(&key, input.cString, structure.cString, keyType?.cString, selection, nil, nil),
            .internalFailure,
            "OSSL_DECODER_CTX_new_for_pkey failed"
        )
        defer { OSSL_DECODER_CTX_free(decoder) }
        let (status, remaining) = der.withUnsafeBytes { buffer -> (Int32, Int) in
            var data: UnsafePointer<UInt8>? = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
            var length = buffer.count
            let status = OSSL_DECODER_from_data(decoder, &data, &length)
            return (status, length)
        }
        guard status == 1, let key else {
            throw CryptoError.openSSL(.invalidPEM, "DER is not a \(keyType.map { "\($0) " } ?? "")\(structure)")
        }
        let decoded = EVPKey(takingOwnershipOf: key)
        guard remaining == 0 else {
            throw .invalidPEM("DER has trailing bytes")
        }
        return decoded
    }

    /// The SubjectPublicKeyInfo DER (`i2d_PUBKEY`).
    func subjectPublicKeyInfoDER() -> [UInt8] {
        let length = i2d_PUBKEY(pointer, nil)
        guard length > 0 else {
            OpenSSLErrorStack.clear()
            return []
        }
        return [UInt8](unsafeUninitializedCapacity: Int(length)) { buffer, initialized in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            let written = i2d_PUBKEY(pointer, &cursor)
            initialized = written == length ? Int(length) : 0
        }
    }

    /// The PKCS#8 PrivateKeyInfo DER, in zeroing storage (it contains the private key).
    func privateKeyInfoDER() -> SecretBytes? {
        let output: StaticString = "DER"
        let structure: StaticString = "PrivateKeyInfo"
        guard
            let encoder = OSSL_ENCODER_CTX_new_for_pkey(
                pointer,
                Self.keyPairSelection,
                output.cString,
                structure.cString,
                nil
            )
        else {
            OpenSSLErrorStack.clear()
            return nil
        }
        defer { OSSL_ENCODER_CTX_free(encoder) }
        var data: UnsafeMutablePointer<UInt8>?
        var length = 0
        guard OSSL_ENCODER_to_data(encoder, &data, &length) == 1, let data else {
            OpenSSLErrorStack.clear()
            return nil
        }
        defer { smartauth_openssl_clear_free(data, length) }
        return SecretBytes(UnsafeBufferPointer(start: data, count: length))
    }

    /// PEM text of the PKCS#8 encoding, for the `pemRepresentation` of private keys.
    func privateKeyInfoPEM() -> String {
        guard let der = privateKeyInfoDER() else {
            // Encoding a key we built ourselves fails only on memory exhaustion.
            fatalError("OpenSSL could not encode a private key as PKCS#8")
        }
        return der.withUnsafeBytes { PEMDocument.pemString(label: "PRIVATE KEY", der: $0) }
    }

    // MARK: Reading parameters

    /// Whether the key is of the given OpenSSL type (`RSA`, `EC`, `ED25519`).
    func isA(_ name: StaticString) -> Bool {
        EVP_PKEY_is_a(pointer, name.cString) == 1
    }

    /// A public integer parameter as minimal big-endian bytes, or `nil` if the key has none.
    func publicBigNumber(_ name: StaticString) -> [UInt8]? {
        var number: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pointer, name.cString, &number) == 1, let number else {
            OpenSSLErrorStack.clear()
            return nil
        }
        defer { BN_free(number) }
        let count = (Int(BN_num_bits(number)) + 7) / 8
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = Int(BN_bn2bin(number, buffer.baseAddress))
        }
    }

    /// A private integer parameter in zeroing storage, big-endian, left-padded to `paddedCount` bytes if given
    /// (else minimal), or `nil` if the key has none or it does not fit.
    func secretBigNumber(_ name: StaticString, paddedCount: Int? = nil) -> SecretBytes? {
        var number: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pointer, name.cString, &number) == 1, let number else {
            OpenSSLErrorStack.clear()
            return nil
        }
        defer { BN_clear_free(number) }
        let minimalCount = (Int(BN_num_bits(number)) + 7) / 8
        let count = paddedCount ?? minimalCount
        guard minimalCount <= count else { return nil }
        return SecretBytes(count: count) { buffer in
            if count > 0 {
                BN_bn2binpad(number, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(count))
            }
        }
    }

    /// A UTF-8 string parameter (such as an EC key's `group`), or `nil`.
    func utf8Parameter(_ name: StaticString) -> String? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 80) { buffer in
            var length = 0
            guard EVP_PKEY_get_utf8_string_param(pointer, name.cString, buffer.baseAddress, buffer.count, &length) == 1
            else {
                OpenSSLErrorStack.clear()
                return nil
            }
            return String(cString: buffer.baseAddress!)
        }
    }

    // MARK: Contexts and checks

    /// Runs an OpenSSL key check (`EVP_PKEY_public_check`, `EVP_PKEY_check`, ...) on a temporary context and
    /// throws `.invalidKey` with the error queue if it does not pass.
    func check(
        _ what: String,
        _ operation: (OpaquePointer) -> Int32
    ) throws(CryptoError) {
        let context = try checkOpenSSL(
            EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil),
            .internalFailure,
            "EVP_PKEY_CTX_new_from_pkey failed"
        )
        defer { EVP_PKEY_CTX_free(context) }
        try checkOpenSSL(operation(context), .invalidKey, "\(what) failed")
    }
}

/// Collects `EVP_PKEY_fromdata` parameters with an `OSSL_PARAM_BLD`, owning everything the builder points at
/// until the parameters have been used (the builder stores pointers, it does not copy, until `to_param`).
///
/// Not `Sendable`: a builder is a temporary inside one function. Frees the builder, clears and frees the big
/// numbers, and zeroes and frees copied buffers in `deinit`.
final class ParamBuilder {
    private let builder: OpaquePointer
    private var bigNumbers: [OpaquePointer] = []
    private var buffers: [UnsafeMutableRawBufferPointer] = []

    init() throws(CryptoError) {
        builder = try checkOpenSSL(OSSL_PARAM_BLD_new(), .internalFailure, "OSSL_PARAM_BLD_new failed")
    }

    deinit {
        OSSL_PARAM_BLD_free(builder)
        for number in bigNumbers { BN_clear_free(number) }
        for buffer in buffers {
            secureZero(buffer)
            buffer.deallocate()
        }
    }

    /// Adds an unsigned big-endian integer. Secret integers use secure-heap big numbers, so that
    /// `OSSL_PARAM_free` clears their copy.
    func pushBigNumber(_ key: StaticString, _ bytes: UnsafeRawBufferPointer, secret: Bool) throws(CryptoError) {
        guard bytes.count <= Int(Int32.max) else { throw .invalidKey("integer parameter \(key) is too long") }
        let number = try checkOpenSSL(secret ? BN_secure_new() : BN_new(), .internalFailure, "BN_new failed")
        bigNumbers.append(number)
        try bytes.withNonNullBaseAddress { (base, count) throws(CryptoError) in
            _ = try checkOpenSSL(
                BN_bin2bn(base.assumingMemoryBound(to: UInt8.self), Int32(count), number),
                .internalFailure,
                "BN_bin2bn failed"
            )
        }
        try checkOpenSSL(OSSL_PARAM_BLD_push_BN(builder, key.cString, number), .internalFailure, "push \(key) failed")
    }

    func pushBigNumber(_ key: StaticString, _ bytes: [UInt8]) throws(CryptoError) {
        try bytes.withTypedUnsafeBytes { (buffer) throws(CryptoError) in
            try pushBigNumber(key, buffer, secret: false)
        }
    }

    func pushBigNumber(_ key: StaticString, _ bytes: SecretBytes) throws(CryptoError) {
        try bytes.withUnsafeBytes { (buffer) throws(CryptoError) in
            try pushBigNumber(key, buffer, secret: true)
        }
    }

    /// Adds a UTF-8 string. The value is a `StaticString`, so it outlives the builder.
    func pushUTF8(_ key: StaticString, _ value: StaticString) throws(CryptoError) {
        let status = OSSL_PARAM_BLD_push_utf8_string(
            builder,
            key.cString,
            value.cString,
            value.utf8CodeUnitCount
        )
        try checkOpenSSL(status, .internalFailure, "push \(key) failed")
    }

    /// Adds an octet string, copied into storage this builder owns.
    func pushOctets(_ key: StaticString, _ bytes: [UInt8]) throws(CryptoError) {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        buffers.append(copy)
        bytes.withUnsafeBytes { copy.copyMemory(from: $0) }
        let status = OSSL_PARAM_BLD_push_octet_string(builder, key.cString, copy.baseAddress, bytes.count)
        try checkOpenSSL(status, .internalFailure, "push \(key) failed")
    }

    /// Converts to an `OSSL_PARAM` array, calls `body` with it, then frees it.
    func withParameters<R>(
        _ body: (UnsafeMutablePointer<OSSL_PARAM>) throws(CryptoError) -> R
    ) throws(CryptoError) -> R {
        let parameters = try checkOpenSSL(
            OSSL_PARAM_BLD_to_param(builder),
            .internalFailure,
            "OSSL_PARAM_BLD_to_param failed"
        )
        // OSSL_PARAM_free clears the secure block that holds secret big numbers before freeing it.
        defer { OSSL_PARAM_free(parameters) }
        return try body(parameters)
    }
}
