import SmartAuthCrypto

// MARK: - Reading

extension JWK {
    /// Parses one JWK from its JSON text.
    /// - Throws: `JWTError` `.malformed` (not a JSON object), `.invalidKey` (missing, ill-typed or unusable
    ///   members; unsupported `kty` or curve), `.weakKey` (below the minimum strength).
    public init(json: String) throws(JWTError) {
        try self.init(jsonObject: try JWK.parseObject(Array(json.utf8)))
    }

    /// Parses one JWK from a JSON object.
    /// - Throws: see ``init(json:)``.
    public init(jsonObject object: JSONObject) throws(JWTError) {
        guard let kty = object["kty"] else { throw JWTError.invalidKey("JWK has no kty") }
        guard case .string(let keyType) = kty else { throw JWTError.invalidKey("JWK kty is not a string") }
        let keyID = try JWK.optionalString(object, "kid").map { KeyID($0) }
        let use = try JWK.optionalString(object, "use")
        let algorithmName = try JWK.optionalString(object, "alg")
        var keyOperations: [String]?
        if let operations = object["key_ops"] {
            guard case .array(let elements) = operations else { throw JWTError.invalidKey("JWK key_ops is not an array") }
            keyOperations = try elements.map { (element) throws(JWTError) -> String in
                guard case .string(let operation) = element else {
                    throw JWTError.invalidKey("JWK key_ops holds a non-string")
                }
                return operation
            }
        }
        let material: Material
        do {
            switch keyType {
            case "oct":
                let secret = try JWK.requiredBytes(object, "k")
                guard !secret.isEmpty else { throw JWTError.weakKey("empty oct key") }
                material = .symmetric(SymmetricKey(secret: SecretBytes(secret)))
            case "RSA":
                material = try JWK.rsaMaterial(object)
            case "EC":
                material = try JWK.ecMaterial(object)
            case "OKP":
                material = try JWK.okpMaterial(object)
            default:
                throw JWTError.invalidKey("unsupported kty")
            }
        } catch let error as JWTError {
            throw error
        } catch let error as CryptoError {
            throw JWTError.fromCrypto(error)
        } catch {
            throw JWTError.invalidKey("unusable key", underlying: nil)
        }
        self.init(material: material, keyID: keyID, use: use, keyOperations: keyOperations, algorithmName: algorithmName)
    }

    static func parseObject(_ bytes: [UInt8]) throws(JWTError) -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONParser().parse(bytes)
        } catch {
            throw JWTError(.malformed, "key is not valid JSON", underlying: error)
        }
        guard case .object(let object) = value else { throw JWTError.malformed("key JSON is not an object") }
        return object
    }

    private static func optionalString(_ object: JSONObject, _ name: String) throws(JWTError) -> String? {
        guard let value = object[name] else { return nil }
        guard case .string(let string) = value else { throw JWTError.invalidKey("JWK \(name) is not a string") }
        return string
    }

    private static func optionalBytes(_ object: JSONObject, _ name: String) throws(JWTError) -> [UInt8]? {
        guard let text = try optionalString(object, name) else { return nil }
        guard let bytes = Base64URL.decode(text) else { throw JWTError.invalidKey("JWK \(name) is not base64url") }
        return bytes
    }

    private static func requiredBytes(_ object: JSONObject, _ name: String) throws(JWTError) -> [UInt8] {
        guard let bytes = try optionalBytes(object, name) else { throw JWTError.invalidKey("JWK has no \(name)") }
        return bytes
    }

    private static func rsaMaterial(_ object: JSONObject) throws -> Material {
        let modulus = try requiredBytes(object, "n")
        let exponent = try requiredBytes(object, "e")
        guard object["oth"] == nil else { throw JWTError.invalidKey("multi-prime RSA keys are not supported") }
        guard var privateExponent = try optionalBytes(object, "d") else {
            return .rsaPublic(try RSAPublicKey(modulus: modulus, exponent: exponent))
        }
        defer { privateExponent.resetBytes() }
        var parts: [[UInt8]] = []
        for name in ["p", "q", "dp", "dq", "qi"] {
            guard let part = try optionalBytes(object, name) else {
                throw JWTError.invalidKey("RSA private JWK without CRT members (p, q, dp, dq, qi) is not supported")
            }
            parts.append(part)
        }
        defer { for index in parts.indices { parts[index].resetBytes() } }
        let components = RSAPrivateKey.Components(
            modulus: modulus, publicExponent: exponent, privateExponent: SecretBytes(privateExponent),
            prime1: SecretBytes(parts[0]), prime2: SecretBytes(parts[1]), exponent1: SecretBytes(parts[2]),
            exponent2: SecretBytes(parts[3]), coefficient: SecretBytes(parts[4]))
        return .rsaPrivate(try RSAPrivateKey(components: components))
    }

    private static func ecMaterial(_ object: JSONObject) throws -> Material {
        guard let curveName = try optionalString(object, "crv") else { throw JWTError.invalidKey("EC JWK has no crv") }
        guard let curve = EllipticCurve(jwkName: curveName) else { throw JWTError.invalidKey("unsupported EC curve") }
        let x = try requiredBytes(object, "x")
        let y = try requiredBytes(object, "y")
        guard x.count == curve.coordinateByteCount, y.count == curve.coordinateByteCount else {
            throw JWTError.invalidKey("EC coordinates have the wrong length for \(curveName)")
        }
        guard var d = try optionalBytes(object, "d") else {
            return .ecPublic(try ECPublicKey(curve: curve, x: x, y: y))
        }
        defer { d.resetBytes() }
        guard d.count == curve.coordinateByteCount else { throw JWTError.invalidKey("EC d has the wrong length") }
        return .ecPrivate(try ECPrivateKey(curve: curve, d: SecretBytes(d), x: x, y: y))
    }

    private static func okpMaterial(_ object: JSONObject) throws -> Material {
        guard let curveName = try optionalString(object, "crv") else { throw JWTError.invalidKey("OKP JWK has no crv") }
        guard curveName == "Ed25519" else { throw JWTError.invalidKey("unsupported OKP curve (only Ed25519 signs)") }
        let x = try requiredBytes(object, "x")
        guard var d = try optionalBytes(object, "d") else {
            return .ed25519Public(try Ed25519PublicKey(rawRepresentation: x))
        }
        defer { d.resetBytes() }
        let key = try Ed25519PrivateKey(seed: SecretBytes(d))
        guard key.publicKey.rawRepresentation == x else { throw JWTError.invalidKey("OKP x does not match d") }
        return .ed25519Private(key)
    }
}

extension Array where Element == UInt8 {
    /// Overwrites the bytes with zeros (for temporary copies of secrets).
    mutating func resetBytes() {
        for index in indices { self[index] = 0 }
    }
}

extension JWTError {
    /// Maps a SmartAuthCrypto error at the module boundary.
    static func fromCrypto(_ error: CryptoError, file: String = #fileID, line: Int = #line) -> JWTError {
        switch error.code {
        case .weakKey: JWTError(.weakKey, error.message, underlying: error, file: file, line: line)
        case .signingFailed, .randomFailure, .internalFailure:
            JWTError(.signingFailed, error.message, underlying: error, file: file, line: line)
        default: JWTError(.invalidKey, error.message, underlying: error, file: file, line: line)
        }
    }
}

// MARK: - Writing

extension JWK {
    /// The JWK as a JSON object, with private members only when `includingPrivate` is true.
    ///
    /// - Important: For an `oct` key the secret `k` is always private: with `includingPrivate: false` the
    ///   result has no `k` and is not a usable key. Publish ``publicKey`` instead, which is `nil` for `oct`.
    public func jsonObject(includingPrivate: Bool) -> JSONObject {
        var object = JSONObject()
        object["kty"] = .string(keyType.name)
        if let keyID { object["kid"] = .string(keyID.rawValue) }
        if let use { object["use"] = .string(use) }
        if let keyOperations { object["key_ops"] = .array(keyOperations.map(JSONValue.string)) }
        if let algorithmName { object["alg"] = .string(algorithmName) }
        for (name, value) in keyMembers(includingPrivate: includingPrivate) {
            object[name] = .string(value)
        }
        return object
    }

    /// The JSON text of the public form (no private members).
    public var publicJSON: String { JSONWriter.string(of: .object(jsonObject(includingPrivate: false))) }

    /// The JSON text of the private form.
    /// - Warning: The result contains secret key material; never log it.
    public var privateJSON: String { JSONWriter.string(of: .object(jsonObject(includingPrivate: true))) }

    /// The key-type members, base64url-encoded, in the lexicographic order that RFC 7638 uses.
    func keyMembers(includingPrivate: Bool) -> [(String, String)] {
        func b64(_ bytes: [UInt8]) -> String { Base64URL.encode(bytes) }
        func secret(_ bytes: SecretBytes) -> String { bytes.withUnsafeBytes { Base64URL.encode($0) } }
        switch material {
        case .symmetric(let key):
            return includingPrivate ? [("k", secret(key.secret))] : []
        case .rsaPublic(let key):
            return [("e", b64(key.exponent)), ("n", b64(key.modulus))]
        case .rsaPrivate(let key):
            let parts = key.components
            var members = [("e", b64(parts.publicExponent)), ("n", b64(parts.modulus))]
            if includingPrivate {
                members += [
                    ("d", secret(parts.privateExponent)), ("p", secret(parts.prime1)), ("q", secret(parts.prime2)),
                    ("dp", secret(parts.exponent1)), ("dq", secret(parts.exponent2)), ("qi", secret(parts.coefficient)),
                ]
            }
            return members
        case .ecPublic(let key):
            return [("crv", key.curve.jwkName), ("x", b64(key.x)), ("y", b64(key.y))]
        case .ecPrivate(let key):
            let publicKey = key.publicKey
            var members = [("crv", key.curve.jwkName), ("x", b64(publicKey.x)), ("y", b64(publicKey.y))]
            if includingPrivate { members.append(("d", secret(key.d))) }
            return members
        case .ed25519Public(let key):
            return [("crv", "Ed25519"), ("x", b64(key.rawRepresentation))]
        case .ed25519Private(let key):
            var members = [("crv", "Ed25519"), ("x", b64(key.publicKey.rawRepresentation))]
            if includingPrivate { members.append(("d", secret(key.seed))) }
            return members
        }
    }
}
