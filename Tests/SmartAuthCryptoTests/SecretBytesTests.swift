import SmartAuthCrypto
import Testing

@Suite struct SecretBytesTests {
    @Test func descriptionIsRedacted() {
        let secret = SecretBytes([1, 2, 3])
        #expect(secret.description == "<redacted>")
        #expect(secret.debugDescription == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect("\(secret)" == "<redacted>")
    }

    @Test func constantTimeEquality() {
        let secret = SecretBytes([1, 2, 3, 4])
        #expect(secret.constantTimeEquals(SecretBytes([1, 2, 3, 4])))
        #expect(secret.constantTimeEquals([1, 2, 3, 4]))
        #expect(!secret.constantTimeEquals([1, 2, 3, 5]))
        #expect(!secret.constantTimeEquals([1, 2, 3]))
        #expect(!secret.constantTimeEquals([1, 2, 3, 4, 0]))
        #expect(!secret.constantTimeEquals(SecretBytes([])))
        #expect(SecretBytes([]).constantTimeEquals([]))
    }

    @Test func copiesAndAccess() {
        let secret = SecretBytes([9, 8, 7])
        let copy = secret
        #expect(copy.count == 3)
        #expect(copy.copyBytes() == [9, 8, 7])
        #expect(secret.withUnsafeBytes { Array($0) } == [9, 8, 7])
        // A non-contiguous sequence.
        let fromSequence = SecretBytes((0..<100).lazy.map { UInt8($0) })
        #expect(fromSequence.copyBytes() == (0..<100).map { UInt8($0) })
        let fromSlice = SecretBytes([1, 2, 3, 4][1...])
        #expect(fromSlice.copyBytes() == [2, 3, 4])
    }

    @Test func randomSecrets() throws {
        let a = try SecretBytes(randomCount: 32)
        let b = try SecretBytes(randomCount: 32)
        #expect(a.count == 32)
        #expect(!a.constantTimeEquals(b))
        #expect(try SecretBytes(randomCount: 0).count == 0)
    }
}

@Suite struct ConstantTimeTests {
    @Test func equality() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([], []))
        let a: [UInt8] = [5, 6]
        let b: [UInt8] = [5, 6]
        #expect(a.withUnsafeBytes { a in b.withUnsafeBytes { b in ConstantTime.equals(a, b) } })
    }
}

@Suite struct SecureRandomTests {
    @Test func bytesHaveTheRequestedCountAndDiffer() throws {
        let a = try SecureRandom.bytes(count: 32)
        let b = try SecureRandom.bytes(count: 32)
        #expect(a.count == 32)
        #expect(a != b)
        #expect(try SecureRandom.bytes(count: 0).isEmpty)
    }
}
