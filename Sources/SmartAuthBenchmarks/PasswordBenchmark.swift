import CSmartAuthArgon2
import SmartAuthCrypto

/// `smart-auth bench password`: argon2id verifications per second at the OWASP default parameters
/// (m = 19 MiB, t = 2, p = 1) through ``PasswordHasher``, next to libargon2's own `argon2id_verify` on the same
/// hash in a plain loop, measured in the same run.
///
/// The hasher is driven by a single caller with sequential awaits, so the difference from the reference is
/// SmartAuth's per-call overhead: strict parsing, the copy into zeroing storage, and the hop to a hashing thread
/// and back. At 20-50 ms per hash the ratio should be close to 1.
public enum PasswordBenchmark {
    /// Measures for about `seconds` in all: the library and the reference alternate over three rounds, and the
    /// best round of each is kept.
    ///
    /// - Parameter seconds: The total time budget; each hash takes tens of milliseconds, so use at least 1.
    /// - Returns: SmartAuth's and libargon2's verifications per second.
    /// - Throws: ``BenchmarkError`` if the setup is wrong (a hash that does not verify), or the hasher's
    ///   `CryptoError`.
    /// - Important: The reference loop blocks the calling thread; this is a benchmark, not library code.
    public static func run(seconds: Double) async throws -> (opsPerSecond: Double, referenceOpsPerSecond: Double) {
        let hasher = try PasswordHasher(parameters: .owaspDefault)
        let password = "correct horse battery staple"
        let encoded = try await hasher.hash(password)
        // Fail loudly if the setup is wrong; these calls double as the warm-up.
        guard try await hasher.verify(password, against: encoded) == .valid else {
            throw BenchmarkError("PasswordHasher rejects its own hash")
        }
        let passwordBytes = Array(password.utf8)
        guard referenceVerify(encoded, passwordBytes) else {
            throw BenchmarkError("argon2id_verify rejects PasswordHasher's hash")
        }

        let rounds = 3
        let budget = max(seconds, 0.01) / Double(2 * rounds)
        var library = 0.0
        var reference = 0.0
        var sink = 0
        for _ in 0..<rounds {
            let clock = ContinuousClock()
            var start = clock.now
            var count = 0
            repeat {
                if try await hasher.verify(password, against: encoded) == .valid { sink &+= 1 }
                count += 1
            } while (clock.now - start).seconds < budget
            library = max(library, Double(count) / (clock.now - start).seconds)

            start = clock.now
            count = 0
            repeat {
                if referenceVerify(encoded, passwordBytes) { sink &+= 1 }
                count += 1
            } while (clock.now - start).seconds < budget
            reference = max(reference, Double(count) / (clock.now - start).seconds)
        }
        precondition(sink != -1, "keeps the measured work alive")
        return (library, reference)
    }

    /// The result as `smart-auth bench password --json` prints it, one object on one line:
    /// `{"bench":"password","ops_per_sec":N,"reference_ops_per_sec":N,"ratio":R}`.
    ///
    /// Rates are rounded to 0.1 (a hash takes tens of milliseconds, so whole numbers would be too coarse) and the
    /// ratio to 0.001.
    ///
    /// - Parameters:
    ///   - opsPerSecond: SmartAuth's verifications per second.
    ///   - referenceOpsPerSecond: libargon2's verifications per second.
    /// - Returns: The JSON text.
    public static func json(opsPerSecond: Double, referenceOpsPerSecond: Double) -> String {
        let ratio = referenceOpsPerSecond > 0 ? opsPerSecond / referenceOpsPerSecond : 0
        let ops = (opsPerSecond * 10).rounded() / 10
        let referenceOps = (referenceOpsPerSecond * 10).rounded() / 10
        let roundedRatio = (ratio * 1000).rounded() / 1000
        return #"{"bench":"password","ops_per_sec":\#(ops),"reference_ops_per_sec":\#(referenceOps),"#
            + #""ratio":\#(roundedRatio)}"#
    }

    /// libargon2's own verification, as an application calling it directly would do it.
    private static func referenceVerify(_ encoded: String, _ password: [UInt8]) -> Bool {
        password.withUnsafeBytes { password in
            argon2id_verify(encoded, password.baseAddress, password.count) == ARGON2_OK.rawValue
        }
    }
}
