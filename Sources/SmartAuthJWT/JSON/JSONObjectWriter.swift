/// Writes one JSON object member by member straight into bytes, for a hot path that knows its members: no
/// ``JSONObject`` or ``JSONValue`` is built. The caller keeps member names unique (nothing checks); the output is
/// what ``JSONWriter`` writes for the same members in the same order.
package struct JSONObjectWriter {
    private var output: [UInt8]
    private var empty = true

    package init(capacity: Int = 256) {
        output = []
        output.reserveCapacity(capacity)
        output.append(UInt8(ascii: "{"))
    }

    private mutating func name(_ name: String) {
        if !empty { output.append(UInt8(ascii: ",")) }
        empty = false
        JSONWriter.writeString(name, to: &output)
        output.append(UInt8(ascii: ":"))
    }

    package mutating func string(_ name: String, _ value: String) {
        self.name(name)
        JSONWriter.writeString(value, to: &output)
    }

    package mutating func strings(_ name: String, _ values: [String]) {
        self.name(name)
        output.append(UInt8(ascii: "["))
        for (offset, value) in values.enumerated() {
            if offset > 0 { output.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(value, to: &output)
        }
        output.append(UInt8(ascii: "]"))
    }

    package mutating func integer(_ name: String, _ value: Int) {
        self.name(name)
        output.append(contentsOf: String(value).utf8)
    }

    /// The object's bytes, closed.
    package consuming func bytes() -> [UInt8] {
        output.append(UInt8(ascii: "}"))
        return output
    }
}
