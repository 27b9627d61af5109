import Foundation

extension JWTClaims {
    /// Reads claims straight from the payload's UTF-8 JSON, with the same rules as
    /// ``init(jsonObject:)`` after a strict parse (one object, no duplicates, depth limit, registered claim
    /// types), but without first building a tree of the whole payload. This is the verification hot path.
    /// - Throws: `JWTError` `.malformed` (not one valid JSON object) or `.invalidClaim`.
    static func parse(_ payload: UnsafeRawBufferPointer, maximumDepth: Int) throws(JWTError) -> JWTClaims {
        var reader = JSONParser.Reader(bytes: payload, maximumDepth: maximumDepth)
        do throws(JSONParser.Failure) {
            var claims = JWTClaims()
            var additional: [(name: String, value: JSONValue)] = []
            var registeredSeen: UInt8 = 0
            reader.skipWhitespace()
            guard reader.index < payload.count, payload[reader.index] == UInt8(ascii: "{") else {
                throw reader.failure("payload is not a JSON object")
            }
            reader.index += 1
            reader.skipWhitespace()
            if reader.index < payload.count, payload[reader.index] == UInt8(ascii: "}") {
                reader.index += 1
            } else {
                while true {
                    reader.skipWhitespace()
                    guard reader.index < payload.count, payload[reader.index] == UInt8(ascii: "\"") else {
                        throw reader.failure("expected a member name")
                    }
                    let name = try reader.readString()
                    reader.skipWhitespace()
                    guard reader.index < payload.count, payload[reader.index] == UInt8(ascii: ":") else {
                        throw reader.failure("expected ':'")
                    }
                    reader.index += 1
                    reader.skipWhitespace()
                    guard reader.index < payload.count else { throw reader.failure("unexpected end of input") }
                    let registered = name.utf8.count == 3 ? Registered(name) : nil
                    if let registered {
                        guard registeredSeen & registered.bit == 0 else { throw reader.failure("duplicate member name") }
                        registeredSeen |= registered.bit
                        try claims.read(registered, from: &reader)
                    } else {
                        for member in additional where member.name == name { throw reader.failure("duplicate member name") }
                        additional.append((name, try reader.readValue(depth: 1)))
                    }
                    reader.skipWhitespace()
                    guard reader.index < payload.count else { throw reader.failure("unexpected end of input") }
                    if payload[reader.index] == UInt8(ascii: ",") {
                        reader.index += 1
                    } else if payload[reader.index] == UInt8(ascii: "}") {
                        reader.index += 1
                        break
                    } else {
                        throw reader.failure("expected ',' or '}'")
                    }
                }
            }
            reader.skipWhitespace()
            guard reader.index == payload.count else { throw reader.failure("trailing data after the JSON value") }
            claims.additional = JSONObject(uniqueMembers: additional)
            return claims
        } catch {
            if error.reason.hasPrefix(ClaimTypeFailure.marker) {
                throw JWTError.invalidClaim(String(error.reason.dropFirst(ClaimTypeFailure.marker.count)))
            }
            throw JWTError(.malformed, "payload is not valid JSON: \(error.reason)", underlying: error)
        }
    }

    /// The seven registered claims, each with a bit for duplicate detection.
    private enum Registered {
        case iss, sub, aud, exp, nbf, iat, jti

        init?(_ name: String) {
            switch name {
            case "iss": self = .iss
            case "sub": self = .sub
            case "aud": self = .aud
            case "exp": self = .exp
            case "nbf": self = .nbf
            case "iat": self = .iat
            case "jti": self = .jti
            default: return nil
            }
        }

        var bit: UInt8 {
            switch self {
            case .iss: 1
            case .sub: 2
            case .aud: 4
            case .exp: 8
            case .nbf: 16
            case .iat: 32
            case .jti: 64
            }
        }
    }

    private mutating func read(_ claim: Registered, from reader: inout JSONParser.Reader) throws(JSONParser.Failure) {
        let byte = reader.bytes[reader.index]
        switch claim {
        case .iss, .sub, .jti:
            guard byte == UInt8(ascii: "\"") else { throw ClaimTypeFailure.failure("\(claim) must be a string") }
            let value = try reader.readString()
            switch claim {
            case .iss: issuer = value
            case .sub: subject = value
            default: jwtID = value
            }
        case .exp, .nbf, .iat:
            guard byte == UInt8(ascii: "-") || reader.isDigit(byte) else {
                throw ClaimTypeFailure.failure("\(claim) must be a JSON number")
            }
            let date = Date(timeIntervalSince1970: try reader.readDouble())
            switch claim {
            case .exp: expiresAt = date
            case .nbf: notBefore = date
            default: issuedAt = date
            }
        case .aud:
            switch try reader.readValue(depth: 1) {
            case .string(let single):
                audience = [single]
                audienceIsArray = false
            case .array(let elements):
                var audiences: [String] = []
                audiences.reserveCapacity(elements.count)
                for element in elements {
                    guard case .string(let value) = element else {
                        throw ClaimTypeFailure.failure("aud must be a string or an array of strings")
                    }
                    audiences.append(value)
                }
                audience = audiences
                audienceIsArray = true
            default:
                throw ClaimTypeFailure.failure("aud must be a string or an array of strings")
            }
        }
    }
}

/// A registered claim of the wrong JSON type, carried through the parser's typed throws as a `Failure` whose
/// reason marks it, so that it maps to `invalid_claim` rather than `malformed`.
private enum ClaimTypeFailure {
    static let marker = "\u{1}claim:"
    static func failure(_ message: String) -> JSONParser.Failure {
        JSONParser.Failure(reason: marker + message, offset: 0)
    }
}
