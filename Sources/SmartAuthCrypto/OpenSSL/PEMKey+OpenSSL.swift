internal import CSmartAuthOpenSSL

/// Any one key read from PEM, when the caller does not know its type in advance (for example, to turn a PEM
/// file into a JWK).
///
/// Accepted blocks: `PUBLIC KEY` (SubjectPublicKeyInfo), `PRIVATE KEY` (unencrypted PKCS#8),
/// `RSA PRIVATE KEY` (PKCS#1) and `EC PRIVATE KEY` (SEC1), holding an RSA, EC (P-256, P-384, P-521) or Ed25519
/// key. Each key gets the same validation as its type's own initialisers.
public enum PEMKey: Sendable {
    /// An RSA public key.
    case rsaPublic(RSAPublicKey)
    /// An RSA private key.
    case rsaPrivate(RSAPrivateKey)
    /// An EC public key.
    case ecPublic(ECPublicKey)
    /// An EC private key.
    case ecPrivate(ECPrivateKey)
    /// An Ed25519 public key.
    case ed25519Public(Ed25519PublicKey)
    /// An Ed25519 private key.
    case ed25519Private(Ed25519PrivateKey)

    /// Reads one key from PEM, detecting the block label and the key type.
    ///
    /// - Parameter pem: The PEM text: exactly one block, nothing else but surrounding whitespace.
    /// - Throws: ``CryptoError/Code/invalidPEM`` if the text is not one well-formed block or its DER does not
    ///   match its label; ``CryptoError/Code/unsupported`` for other labels (`ENCRYPTED PRIVATE KEY`,
    ///   `RSA PUBLIC KEY`, `CERTIFICATE`, ...) or key types; otherwise the validation errors of the key type.
    public init(pem: String) throws(CryptoError) {
        var document = try PEMDocument(parsing: pem)
        // Zero the decoded DER in place (the document is its only owner) once it has been parsed.
        defer { secureZero(&document.der) }
        switch document.label {
        case "PUBLIC KEY":
            let key = try EVPKey.decodePublicKey(derSPKI: document.der)
            if key.isA("RSA") {
                self = .rsaPublic(try RSAPublicKey(decoded: key))
            } else if key.isA("EC") {
                self = .ecPublic(try ECPublicKey(decoded: key))
            } else if key.isA("ED25519") {
                self = .ed25519Public(try Ed25519PublicKey(decoded: key))
            } else {
                throw .unsupported("the PEM public key's type is not supported")
            }
        case "PRIVATE KEY":
            let key = try EVPKey.decode(
                der: document.der,
                structure: "PrivateKeyInfo",
                keyType: nil,
                selection: EVPKey.keyPairSelection
            )
            if key.isA("RSA") {
                self = .rsaPrivate(try RSAPrivateKey(decoded: key))
            } else if key.isA("EC") {
                self = .ecPrivate(try ECPrivateKey(decoded: key))
            } else if key.isA("ED25519") {
                self = .ed25519Private(try Ed25519PrivateKey(decoded: key))
            } else {
                throw .unsupported("the PEM private key's type is not supported")
            }
        case "RSA PRIVATE KEY":
            let key = try EVPKey.decode(
                der: document.der,
                structure: "type-specific",
                keyType: "RSA",
                selection: EVPKey.keyPairSelection
            )
            self = .rsaPrivate(try RSAPrivateKey(decoded: key))
        case "EC PRIVATE KEY":
            let key = try EVPKey.decode(
                der: document.der,
                structure: "type-specific",
                keyType: "EC",
                selection: EVPKey.keyPairSelection
            )
            self = .ecPrivate(try ECPrivateKey(decoded: key))
        default:
            throw .unsupported("PEM blocks labelled \(document.label) are not supported")
        }
    }
}
