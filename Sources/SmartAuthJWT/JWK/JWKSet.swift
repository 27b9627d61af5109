/// A JWK Set (RFC 7517 §5): the keys a verifier may use, looked up by `kid`.
public struct JWKSet: Sendable, CustomStringConvertible {
    /// The keys, in order.
    public var keys: [JWK]

    /// A set of these keys.
    public init(keys: [JWK]) { self.keys = keys }

    /// Parses either a JWK Set (`{"keys": [...]}`) or a single JWK, which becomes a set of one.
    ///
    /// Every key must be usable: one malformed or weak key fails the whole set, because silently dropping a
    /// key would turn a configuration mistake into confusing verification failures.
    /// - Throws: `JWTError` `.malformed`, `.invalidKey` or `.weakKey`.
    public init(json: String) throws(JWTError) {
        let object = try JWK.parseObject(Array(json.utf8))
        guard let keysValue = object["keys"] else {
            self.keys = [try JWK(jsonObject: object)]
            return
        }
        guard case .array(let elements) = keysValue else { throw JWTError.invalidKey("JWK Set keys is not an array") }
        self.keys = try elements.map { (element) throws(JWTError) -> JWK in
            guard case .object(let keyObject) = element else { throw JWTError.invalidKey("JWK Set member is not an object") }
            return try JWK(jsonObject: keyObject)
        }
    }

    /// The keys whose `kid` is `keyID`.
    public func keys(withID keyID: KeyID) -> [JWK] { keys.filter { $0.keyID == keyID } }

    /// The set's public JSON (`{"keys": [...]}`): the public form of each asymmetric key; `oct` keys are left
    /// out because they have no public form.
    public var publicJSON: String {
        let members = keys.compactMap(\.publicKey).map { JSONValue.object($0.jsonObject(includingPrivate: false)) }
        return JSONWriter.string(of: .object(["keys": .array(members)]))
    }

    public var description: String { "JWKSet(\(keys.count) keys)" }
}
