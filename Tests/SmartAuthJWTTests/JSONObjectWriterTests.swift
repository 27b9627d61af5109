import Testing

@testable import SmartAuthJWT

/// The member-by-member writer must write exactly what `JSONWriter` writes for the same object.
@Suite struct JSONObjectWriterTests {
    @Test func writesWhatJSONWriterWrites() throws {
        let cases: [(String, String, [String], Int, String?)] = [
            ("user-1", "s1", ["user", "admin"], 1, "a@example.com"),
            ("quote\"back\\slash", "tab\there\nline", [], 0, nil),
            ("é ü 漢字 \u{1F600}", "\u{0001}\u{001F}", ["\u{007F}", ""], -42, "x\"y"),
        ]
        for (sub, sid, roles, level, email) in cases {
            var writer = JSONObjectWriter()
            writer.string("sub", sub)
            writer.string("sid", sid)
            writer.strings("roles", roles)
            writer.integer("aal", level)
            if let email { writer.string("email", email) }
            var object: JSONObject = [
                "sub": .string(sub), "sid": .string(sid), "roles": .array(roles.map(JSONValue.string)),
                "aal": .number(JSONNumber(level)),
            ]
            if let email { object["email"] = .string(email) }
            let written = writer.bytes()
            #expect(written == JSONWriter.bytes(of: .object(object)))
            // And it parses back to the same object.
            #expect(try JSONParser().parse(written) == .object(object))
        }
    }

    @Test func anEmptyObject() {
        #expect(JSONObjectWriter().bytes() == Array("{}".utf8))
    }
}
