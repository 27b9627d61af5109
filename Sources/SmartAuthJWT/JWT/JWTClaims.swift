public import Foundation

/// The claims of a JWT (RFC 7519 §4): the registered claims, typed, plus every other claim as JSON.
///
/// Numeric dates must be JSON numbers (integer or fractional); any other type is `invalid_claim`.
/// Use ``decode(_:)`` to read application claims into your own `Decodable` type.
public struct JWTClaims: Sendable, Hashable {
    /// `iss`: who issued the token.
    public var issuer: String?
    /// `sub`: whom the token is about.
    public var subject: String?
    /// `aud`: the intended recipients. A single string and a one-element array are both read into an array;
    /// ``audienceIsArray`` records which form was used so that writing it back keeps the form.
    public var audience: [String]?
    /// Whether `aud` is written as an array (`true`) or a string (`false`, only possible for one audience).
    public var audienceIsArray: Bool
    /// `exp`: the time from which the token must not be accepted.
    public var expiresAt: Date?
    /// `nbf`: the time before which the token must not be accepted.
    public var notBefore: Date?
    /// `iat`: when the token was issued.
    public var issuedAt: Date?
    /// `jti`: a unique identifier for the token.
    public var jwtID: String?
    /// Every claim that is not one of the seven registered above, in order.
    public var additional: JSONObject

    /// Claims with the given registered values and additional claims.
    public init(
        issuer: String? = nil, subject: String? = nil, audience: [String]? = nil, expiresAt: Date? = nil,
        notBefore: Date? = nil, issuedAt: Date? = nil, jwtID: String? = nil, additional: JSONObject = JSONObject()
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
        self.audienceIsArray = (audience?.count ?? 0) != 1
        self.expiresAt = expiresAt
        self.notBefore = notBefore
        self.issuedAt = issuedAt
        self.jwtID = jwtID
        self.additional = additional
    }

    static let registeredNames: Set<String> = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]

    /// Reads claims from a JSON object, checking the type of every registered claim.
    /// - Throws: `JWTError` `.invalidClaim` naming the claim of the wrong type.
    public init(jsonObject object: JSONObject) throws(JWTError) {
        self.init()
        var additional: [(name: String, value: JSONValue)] = []
        additional.reserveCapacity(object.count)
        for member in object.members {
            let (name, value) = member
            // Every registered claim name has three letters: skip the comparisons for all other claims.
            guard name.utf8.count == 3 else {
                additional.append(member)
                continue
            }
            switch name {
            case "iss": issuer = try JWTClaims.string(value, name)
            case "sub": subject = try JWTClaims.string(value, name)
            case "jti": jwtID = try JWTClaims.string(value, name)
            case "exp": expiresAt = try JWTClaims.date(value, name)
            case "nbf": notBefore = try JWTClaims.date(value, name)
            case "iat": issuedAt = try JWTClaims.date(value, name)
            case "aud":
                switch value {
                case .string(let single):
                    audience = [single]
                    audienceIsArray = false
                case .array(let elements):
                    audience = try elements.map { (element) throws(JWTError) -> String in try JWTClaims.string(element, name) }
                    audienceIsArray = true
                default:
                    throw JWTError.invalidClaim("aud must be a string or an array of strings")
                }
            default:
                additional.append((name, value))
            }
        }
        self.additional = JSONObject(uniqueMembers: additional)
    }

    private static func string(_ value: JSONValue, _ name: String) throws(JWTError) -> String {
        guard case .string(let string) = value else { throw JWTError.invalidClaim("\(name) must be a string") }
        return string
    }

    private static func date(_ value: JSONValue, _ name: String) throws(JWTError) -> Date {
        guard case .number(let number) = value else { throw JWTError.invalidClaim("\(name) must be a JSON number") }
        return Date(timeIntervalSince1970: number.doubleValue)
    }

    /// The claims as one JSON object: registered claims first, then ``additional`` (which cannot override them).
    public var jsonObject: JSONObject {
        var members: [(name: String, value: JSONValue)] = []
        if let issuer { members.append(("iss", .string(issuer))) }
        if let subject { members.append(("sub", .string(subject))) }
        if let audience {
            if audience.count == 1, !audienceIsArray {
                members.append(("aud", .string(audience[0])))
            } else {
                members.append(("aud", .array(audience.map(JSONValue.string))))
            }
        }
        if let expiresAt { members.append(("exp", .number(JSONClaimsDate.number(expiresAt)))) }
        if let notBefore { members.append(("nbf", .number(JSONClaimsDate.number(notBefore)))) }
        if let issuedAt { members.append(("iat", .number(JSONClaimsDate.number(issuedAt)))) }
        if let jwtID { members.append(("jti", .string(jwtID))) }
        for member in additional where !JWTClaims.registeredNames.contains(member.name) { members.append(member) }
        return JSONObject(uniqueMembers: members)
    }

    /// Decodes all claims (registered and additional) into `type` with Foundation's `JSONDecoder`, whose
    /// default date strategy does not read numeric dates: declare `exp`-like fields as `Double` or `Int`.
    /// - Throws: `JWTError` `.invalidClaim` when the claims do not fit `type`.
    public func decode<T: Decodable>(_ type: T.Type) throws(JWTError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(JSONWriter.bytes(of: .object(jsonObject))))
        } catch {
            throw JWTError(.invalidClaim, "claims do not fit \(T.self)", underlying: error)
        }
    }

    /// Claims from an `Encodable` value: it must encode as a JSON object; registered claim names in it are
    /// type-checked as usual.
    /// - Throws: `JWTError` `.invalidClaim`.
    public init(encoding value: some Encodable) throws(JWTError) {
        let bytes: [UInt8]
        do {
            bytes = Array(try JSONEncoder().encode(value))
        } catch {
            throw JWTError(.invalidClaim, "claims could not be encoded", underlying: error)
        }
        try self.init(jsonObject: try JSONObject.parse(bytes, part: "claims", maximumDepth: 64))
    }
}

/// Numeric dates as JSON numbers: whole seconds when the date is whole, fractional otherwise.
enum JSONClaimsDate {
    static func number(_ date: Date) -> JSONNumber { JSONNumber(date.timeIntervalSince1970) }
}
