/// A JSON value (RFC 8259), as read by the strict ``JSONParser`` or built in code.
///
/// JSON's six kinds of value can never grow, so this is a plain enum. Objects keep their members in order and
/// never hold two members with the same name.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The object, when this is an object.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The array, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The number, when this is a number.
    public var numberValue: JSONNumber? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The Boolean, when this is `true` or `false`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }
}

/// A JSON number, kept in its exact textual form so that nothing is lost by reading and writing it again.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number as it appeared in the JSON text (or as written by ``init(_:)-(Int64)``).
    public let text: String

    /// Wraps a number's text; the caller guarantees it matches RFC 8259's `number` grammar.
    init(validatedText: String) { self.text = validatedText }

    /// A number from an integer.
    public init(_ value: Int64) { self.text = String(value) }

    /// A number from an integer.
    public init(_ value: Int) { self.text = String(value) }

    /// A number from a finite double. Non-finite values (which JSON cannot carry) become `0`.
    public init(_ value: Double) {
        guard value.isFinite else {
            self.text = "0"
            return
        }
        if value == value.rounded(), abs(value) < 9.0e15 {
            self.text = String(Int64(value))
        } else {
            self.text = "\(value)"
        }
    }

    /// The value as a double (possibly rounded; `±infinity` when out of range).
    public var doubleValue: Double {
        // Fast path for the common case, a timestamp: a plain integer of up to 15 digits is exact in a Double.
        let utf8 = text.utf8
        if utf8.count <= 15, let first = utf8.first, first != UInt8(ascii: "-") {
            var value: Int64 = 0
            var plain = true
            for byte in utf8 {
                let digit = byte &- UInt8(ascii: "0")
                if digit > 9 {
                    plain = false
                    break
                }
                value = value * 10 + Int64(digit)
            }
            if plain { return Double(value) }
        }
        return Double(text) ?? .nan
    }

    /// The value as an integer, when it is written as an integer that fits in 64 bits.
    public var int64Value: Int64? { Int64(text) }

    public var description: String { text }
}

/// A JSON object: members in order, with unique names.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// The members, in order.
    public private(set) var members: [(name: String, value: JSONValue)]

    /// An empty object.
    public init() { members = [] }

    /// An object from members whose names the caller guarantees to be unique.
    init(uniqueMembers: [(name: String, value: JSONValue)]) { members = uniqueMembers }

    /// An object from a dictionary literal; a repeated name keeps its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = []
        members.reserveCapacity(elements.count + 2)
        for (name, value) in elements { self[name] = value }
    }

    /// The number of members.
    public var count: Int { members.count }

    /// The member named `name`, or `nil`; setting `nil` removes it.
    public subscript(name: String) -> JSONValue? {
        get {
            for member in members where member.name == name { return member.value }
            return nil
        }
        set {
            if let index = members.firstIndex(where: { $0.name == name }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append((name, newValue))
            }
        }
    }

    /// Iterates the members in order.
    public func makeIterator() -> IndexingIterator<[(name: String, value: JSONValue)]> {
        members.makeIterator()
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (left, right) in zip(lhs.members, rhs.members) where left.name != right.name || left.value != right.value {
            return false
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for member in members {
            hasher.combine(member.name)
            hasher.combine(member.value)
        }
    }
}
