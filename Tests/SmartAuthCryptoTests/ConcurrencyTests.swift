import SmartAuthCrypto
import Testing

/// Many tasks verifying with one key at once: exercises the per-key context pools.
@Suite struct ConcurrencyTests {
    static let taskCount = 64
    static let iterations = 50

    /// Runs `check` taskCount × iterations times concurrently and returns how many returned true.
    private func countValid(_ check: @escaping @Sendable () -> Bool) async -> Int {
        await withTaskGroup(of: Int.self) { group in
            for _ in 0..<Self.taskCount {
                group.addTask {
                    var valid = 0
                    for _ in 0..<Self.iterations where check() { valid += 1 }
                    return valid
                }
            }
            return await group.reduce(0, +)
        }
    }

    @Test func rsaVerificationFromManyTasks() async throws {
        let key = try RSAPrivateKey(pem: Fixtures.rsaPKCS8)
        let message = Array("concurrent".utf8)
        let pkcs1 = try key.signature(for: message, hash: .sha256, padding: .pkcs1v15)
        let pss = try key.signature(for: message, hash: .sha256, padding: .pss)
        let publicKey = key.publicKey
        let valid = await countValid {
            publicKey.isValidSignature(pkcs1, for: message, hash: .sha256, padding: .pkcs1v15)
                && publicKey.isValidSignature(pss, for: message, hash: .sha256, padding: .pss)
                && !publicKey.isValidSignature(pss, for: message, hash: .sha256, padding: .pkcs1v15)
        }
        #expect(valid == Self.taskCount * Self.iterations)
    }

    @Test func ecVerificationFromManyTasks() async throws {
        let key = try ECPrivateKey.generate(curve: .p256)
        let message = Array("concurrent".utf8)
        let signature = try key.signature(for: message, hash: .sha256)
        let publicKey = key.publicKey
        let valid = await countValid { publicKey.isValidSignature(signature, for: message, hash: .sha256) }
        #expect(valid == Self.taskCount * Self.iterations)
    }

    @Test func hmacFromManyTasks() async throws {
        let key = try HMACKey(secret: SecretBytes(randomCount: 32), hash: .sha256)
        let message = Array("concurrent".utf8)
        let tag = key.authenticationCode(for: message)
        let valid = await countValid {
            key.isValidAuthenticationCode(tag, for: message) && key.authenticationCode(for: message) == tag
        }
        #expect(valid == Self.taskCount * Self.iterations)
    }

    @Test func ed25519FromManyTasks() async throws {
        let key = try Ed25519PrivateKey.generate()
        let message = Array("concurrent".utf8)
        let signature = try key.signature(for: message)
        let publicKey = key.publicKey
        let valid = await countValid { publicKey.isValidSignature(signature, for: message) }
        #expect(valid == Self.taskCount * Self.iterations)
    }

    @Test func signingFromManyTasks() async throws {
        let key = try ECPrivateKey.generate(curve: .p384)
        let message = Array("concurrent".utf8)
        let publicKey = key.publicKey
        let valid = await countValid {
            guard let signature = try? key.signature(for: message, hash: .sha384) else { return false }
            return publicKey.isValidSignature(signature, for: message, hash: .sha384)
        }
        #expect(valid == Self.taskCount * Self.iterations)
    }
}
