public import Foundation

/// What a JWT's claims must satisfy beyond a valid signature.
///
/// With `now` and ``leeway``: a token is rejected when `now ≥ exp + leeway`, when `now < nbf − leeway`, and
/// when `iat > now + leeway`. `exp` is not required unless listed in ``requiredClaims``.
public struct ClaimsValidation: Sendable, Hashable {
    /// The exact `iss` required, or `nil` to accept any (or none).
    public var issuer: String?
    /// The audience this service is: `aud` must equal it or contain it. When `nil`, a token with a non-empty
    /// `aud` is rejected (RFC 7519 §4.1.3: a recipient that does not identify itself with a value in `aud`
    /// must reject the token).
    public var audience: String?
    /// The allowed clock skew, in seconds, for `exp`, `nbf` and `iat`. Default 0.
    public var leeway: TimeInterval
    /// The required `typ` header (e.g. `at+jwt` for RFC 9068 access tokens), compared case-insensitively
    /// with an optional `application/` prefix; `nil` accepts any.
    public var requiredType: String?
    /// Claims that must be present (e.g. `["exp", "sub"]`). Default none.
    public var requiredClaims: Set<String>

    /// A validation with the given settings; every parameter has a safe default.
    public init(
        issuer: String? = nil, audience: String? = nil, leeway: TimeInterval = 0, requiredType: String? = nil,
        requiredClaims: Set<String> = []
    ) {
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.requiredType = requiredType
        self.requiredClaims = requiredClaims
    }

    /// Checks `claims` (and the header's `typ`) at time `now`.
    /// - Throws: `JWTError` `.expired`, `.notYetValid`, `.issuedInFuture`, `.invalidIssuer`,
    ///   `.invalidAudience`, `.invalidType` or `.missingClaim`.
    public func validate(_ claims: JWTClaims, header: JOSEHeader, now: Date) throws(JWTError) {
        if let requiredType {
            guard let type = header.type, ClaimsValidation.mediaTypesMatch(type, requiredType) else {
                throw JWTError.invalidType("typ must be \(requiredType)")
            }
        }
        let time = now.timeIntervalSince1970
        if let expiresAt = claims.expiresAt, time >= expiresAt.timeIntervalSince1970 + leeway {
            throw JWTError.expired()
        }
        if let notBefore = claims.notBefore, time < notBefore.timeIntervalSince1970 - leeway {
            throw JWTError.notYetValid()
        }
        if let issuedAt = claims.issuedAt, issuedAt.timeIntervalSince1970 > time + leeway {
            throw JWTError.issuedInFuture()
        }
        if let issuer, claims.issuer != issuer { throw JWTError.invalidIssuer() }
        if let audience {
            guard let audiences = claims.audience, audiences.contains(audience) else { throw JWTError.invalidAudience() }
        } else if let audiences = claims.audience, !audiences.isEmpty {
            throw JWTError.invalidAudience("token has an audience but this verifier expects none")
        }
        for name in requiredClaims where !claims.has(name) {
            throw JWTError.missingClaim("\(name) is required")
        }
    }

    static func mediaTypesMatch(_ a: String, _ b: String) -> Bool {
        if a == b { return true }  // the common case, without allocating
        func normalised(_ type: String) -> String {
            let lower = type.lowercased()
            return lower.hasPrefix("application/") ? String(lower.dropFirst("application/".count)) : lower
        }
        return normalised(a) == normalised(b)
    }
}

extension JWTClaims {
    /// Whether the claim named `name` is present.
    func has(_ name: String) -> Bool {
        switch name {
        case "iss": issuer != nil
        case "sub": subject != nil
        case "aud": audience != nil
        case "exp": expiresAt != nil
        case "nbf": notBefore != nil
        case "iat": issuedAt != nil
        case "jti": jwtID != nil
        default: additional[name] != nil
        }
    }
}
