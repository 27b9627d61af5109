public import SmartAuthCrypto

extension JWK {
    /// The RFC 7638 JWK thumbprint: the base64url hash of the required public members (plus `kty`) in
    /// lexicographic order, without white space.
    ///
    /// For an `oct` key the required member is the secret `k`, so its thumbprint is a hash of the secret.
    /// - Parameter hash: the hash function; RFC 7638 §3.1's example uses SHA-256.
    public func thumbprint(using hash: HashFunction = .sha256) -> String {
        var members = keyMembers(includingPrivate: keyType == .octetSequence)
        members.append(("kty", keyType.name))
        members.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        let object = JSONObject(uniqueMembers: members.map { ($0.0, JSONValue.string($0.1)) })
        var bytes = JSONWriter.bytes(of: .object(object))
        defer { bytes.resetBytes() }
        return Base64URL.encode(Digest.hash(bytes, using: hash))
    }
}
