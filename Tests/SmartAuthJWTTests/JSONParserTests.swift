import SmartAuthJWT
import Testing

@Suite struct JSONParserTests {
    let parser = JSONParser()

    @Test func parsesEveryKindOfValue() throws {
        let value = try parser.parse(Array(#" {"a":[1,-2.5e3,true,false,null,"x\u00e9\ud83d\ude00\n"],"b":{}} "#.utf8))
        let object = try #require(value.objectValue)
        let array = try #require(object["a"]?.arrayValue)
        #expect(array.count == 6)
        #expect(array[0].numberValue?.int64Value == 1)
        #expect(array[1].numberValue?.doubleValue == -2500)
        #expect(array[2] == .bool(true))
        #expect(array[4] == .null)
        #expect(array[5].stringValue == "xé😀\n")
        #expect(object["b"] == .object(JSONObject()))
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "'a'", "01", "-", "1.", ".5", "1e", "+1",
        "NaN", "Infinity", "-Infinity", "tru", "nul", "[1] 2", "{} x", "// c\n{}", "/* c */{}", "\"\\x\"",
        "\"a\u{01}\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "[1 2]", "\"unterminated",
    ])
    func rejectsInvalidJSON(_ text: String) {
        #expect(throws: JSONParser.Failure.self, "\(text.debugDescription)") { try parser.parse(Array(text.utf8)) }
    }

    @Test func rejectsInvalidUTF8() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]] {
            #expect(throws: JSONParser.Failure.self) { try parser.parse(bytes) }
        }
    }

    @Test func rejectsDuplicateMemberNames() {
        #expect(throws: JSONParser.Failure.self) { try parser.parse(Array(#"{"a":1,"a":2}"#.utf8)) }
        // Escapes that spell the same name are the same name.
        #expect(throws: JSONParser.Failure.self) { try parser.parse(Array(#"{"a":1,"\u0061":2}"#.utf8)) }
        // Large objects switch to a set; duplicates are still found.
        let members = (0..<100).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        #expect(throws: JSONParser.Failure.self) { try parser.parse(Array("{\(members),\"k57\":0}".utf8)) }
        #expect((try? parser.parse(Array("{\(members)}".utf8)))?.objectValue?.count == 100)
    }

    @Test func capsNestingDepthWithoutRecursingFurther() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = #expect(throws: JSONParser.Failure.self) { try parser.parse(Array(deep.utf8)) }
        #expect(error?.reason.contains("nesting") == true)
        let limited = JSONParser(limits: .init(maximumDepth: 3))
        #expect(throws: Never.self) { try limited.parse(Array("[[[1]]]".utf8)) }
        #expect(throws: JSONParser.Failure.self) { try limited.parse(Array("[[[[1]]]]".utf8)) }
        #expect(throws: JSONParser.Failure.self) { try limited.parse(Array(#"{"a":{"b":{"c":{}}}}"#.utf8)) }
    }

    @Test func capsInputSize() {
        let limited = JSONParser(limits: .init(maximumByteCount: 10))
        #expect(throws: JSONParser.Failure.self) { try limited.parse(Array("[1,2,3,4,5,6]".utf8)) }
    }

    @Test func keepsNumbersExactly() throws {
        let value = try parser.parse(Array("[12345678901234567890123, 1.000, -0, 1E+2]".utf8))
        let texts = try #require(value.arrayValue).compactMap { $0.numberValue?.text }
        #expect(texts == ["12345678901234567890123", "1.000", "-0", "1E+2"])
    }

    @Test func writerRoundTrips() throws {
        let text = #"{"a":[1,"q\"\\\n\u0001",true,null],"é":{"x":-1.5}}"#
        let value = try parser.parse(Array(text.utf8))
        #expect(JSONWriter.string(of: value) == text)
        #expect(try parser.parse(JSONWriter.bytes(of: value)) == value)
    }
}
