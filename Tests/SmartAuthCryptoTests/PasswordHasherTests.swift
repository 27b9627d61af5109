import Synchronization
import Testing

@testable import SmartAuthCrypto

/// One argon2id (version 0x13) known answer from the reference implementation's test suite
/// (phc-winner-argon2 `src/test.c`), each confirmed on the build machine with Debian's `argon2` CLI, e.g.
/// `echo -n password | argon2 somesalt -id -t 2 -m 16 -p 1 -e`.
struct Argon2KnownAnswer: Sendable, CustomTestStringConvertible {
    let password: String
    let salt: String
    let memoryKiB: Int
    let iterations: Int
    let parallelism: Int
    let encoded: String

    var testDescription: String {
        "\(password)/\(salt) t=\(iterations) m=\(memoryKiB) p=\(parallelism)"
    }

    var parameters: Argon2Parameters {
        Argon2Parameters(
            memoryKiB: memoryKiB, iterations: iterations, parallelism: parallelism, saltLength: salt.utf8.count,
            hashLength: 32)
    }

    /// test.c's argon2id cases, except m = 2^18 (256 MiB), left out to keep the suite light on a shared machine.
    static let all: [Argon2KnownAnswer] = [
        .init(
            password: "password", salt: "somesalt", memoryKiB: 65536, iterations: 2, parallelism: 1,
            encoded: "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"),
        .init(
            password: "password", salt: "somesalt", memoryKiB: 256, iterations: 2, parallelism: 1,
            encoded: "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"),
        .init(
            password: "password", salt: "somesalt", memoryKiB: 256, iterations: 2, parallelism: 2,
            encoded: "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc"),
        .init(
            password: "password", salt: "somesalt", memoryKiB: 65536, iterations: 1, parallelism: 1,
            encoded: "$argon2id$v=19$m=65536,t=1,p=1$c29tZXNhbHQ$9qWtwbpyPd3vm1rB1GThgPzZ3/ydHL92zKL+15XZypg"),
        .init(
            password: "password", salt: "somesalt", memoryKiB: 65536, iterations: 4, parallelism: 1,
            encoded: "$argon2id$v=19$m=65536,t=4,p=1$c29tZXNhbHQ$kCXUjmjvc5XMqQedpMTsOv+zyJEf5PhtGiUghW9jFyw"),
        .init(
            password: "differentpassword", salt: "somesalt", memoryKiB: 65536, iterations: 2, parallelism: 1,
            encoded: "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$C4TWUs9rDEvq7w3+J4umqA32aWKB1+DSiRuBfYxFj94"),
        .init(
            password: "password", salt: "diffsalt", memoryKiB: 65536, iterations: 2, parallelism: 1,
            encoded: "$argon2id$v=19$m=65536,t=2,p=1$ZGlmZnNhbHQ$vfMrBczELrFdWP0ZsfhWsRPaHppYdP3MVEMIVlqoFBw"),
    ]
}

/// A stored string that ``PasswordHasher/verify(_:against:)`` must refuse with `invalidKey`.
struct HostileEncoding: Sendable, CustomTestStringConvertible {
    let name: String
    let encoded: String

    var testDescription: String { name }

    private static let salt = "c29tZXNhbHQ"
    private static let hash = "nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"

    private static func costs(_ costs: String, salt: String = salt, hash: String = hash) -> HostileEncoding {
        let encoded = "$argon2id$v=19$\(costs)$\(salt)$\(hash)"
        let name = encoded.count > 100 ? String(encoded.prefix(100)) + "…" : encoded
        return HostileEncoding(name: name, encoded: encoded)
    }

    static let all: [HostileEncoding] = [
        .init(name: "empty string", encoded: ""),
        .init(name: "just a dollar", encoded: "$"),
        .init(name: "not PHC", encoded: "password"),
        .init(name: "bcrypt", encoded: "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"),
        .init(name: "argon2i", encoded: "$argon2i$v=19$m=256,t=2,p=1$\(salt)$\(hash)"),
        .init(name: "argon2d", encoded: "$argon2d$v=19$m=256,t=2,p=1$\(salt)$\(hash)"),
        .init(name: "ARGON2ID upper case", encoded: "$ARGON2ID$v=19$m=256,t=2,p=1$\(salt)$\(hash)"),
        .init(name: "version 16", encoded: "$argon2id$v=16$m=256,t=2,p=1$\(salt)$\(hash)"),
        .init(name: "no version field", encoded: "$argon2id$m=256,t=2,p=1$\(salt)$\(hash)"),
        .init(name: "missing hash", encoded: "$argon2id$v=19$m=256,t=2,p=1$\(salt)"),
        .init(name: "missing salt and hash", encoded: "$argon2id$v=19$m=256,t=2,p=1"),
        .init(name: "empty hash", encoded: "$argon2id$v=19$m=256,t=2,p=1$\(salt)$"),
        .init(name: "empty salt", encoded: "$argon2id$v=19$m=256,t=2,p=1$$\(hash)"),
        .init(name: "trailing dollar", encoded: "$argon2id$v=19$m=256,t=2,p=1$\(salt)$\(hash)$"),
        .init(name: "trailing newline", encoded: "$argon2id$v=19$m=256,t=2,p=1$\(salt)$\(hash)\n"),
        .init(name: "leading space", encoded: " $argon2id$v=19$m=256,t=2,p=1$\(salt)$\(hash)"),
        .init(name: "NUL inside", encoded: "$argon2id$v=19$m=256,t=2,p=1$\(salt)\u{0}$\(hash)"),
        costs("m=256,t=2"),
        costs("m=256,t=2,p=1,keyid=AAAAAAAA"),
        costs("t=2,m=256,p=1"),
        costs("m=,t=2,p=1"),
        costs("m=abc,t=2,p=1"),
        costs("m=256,t=two,p=1"),
        costs("m=-256,t=2,p=1"),
        costs("m=+256,t=2,p=1"),
        costs("m=0256,t=2,p=1"),
        costs("m=256 ,t=2,p=1"),
        costs("m=２５６,t=2,p=1"),
        costs("m=4294967295,t=2,p=1"),
        costs("m=4294967296,t=2,p=1"),
        costs("m=99999999999999999999,t=2,p=1"),
        costs("m=1048577,t=1,p=1"),
        costs("m=256,t=4294967295,p=1"),
        costs("m=256,t=101,p=1"),
        costs("m=256,t=0,p=1"),
        costs("m=256,t=2,p=0"),
        costs("m=4096,t=2,p=65"),
        costs("m=8,t=2,p=2"),
        costs("m=256,t=2,p=1", salt: "c29t*XNhbHQ"),
        costs("m=256,t=2,p=1", salt: "c29tZXNhbHQ="),
        costs("m=256,t=2,p=1", salt: "c29tZXNhbHQA1"),
        costs("m=256,t=2,p=1", salt: "c29tZXNhbHR"),
        costs("m=256,t=2,p=1", salt: "c29tZXNh-HQ"),
        costs("m=256,t=2,p=1", salt: "c29tZQ"),
        costs("m=256,t=2,p=1", hash: "nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4="),
        costs("m=256,t=2,p=1", hash: "nf65EOgLrQMR_uIPnA4rEsF5h7TKyQwu9U1bMCHGi-4"),
        costs("m=256,t=2,p=1", hash: "nf65EOgLrQMR/uIPnA4"),  // 14 bytes
        costs("m=256,t=2,p=1", hash: String(repeating: "A", count: 100)),
        .init(name: "1 MB string", encoded: String(repeating: "A", count: 1_000_000)),
        .init(
            name: "1 MB hash field",
            encoded: "$argon2id$v=19$m=256,t=2,p=1$\(salt)$" + String(repeating: "A", count: 1_000_000)),
    ]
}

@Suite struct PasswordHasherTests {
    /// Cheap parameters for everything but the known answers: 256 KiB, one pass.
    static let small = Argon2Parameters(memoryKiB: 256, iterations: 1)

    @Test(arguments: Argon2KnownAnswer.all)
    func knownAnswerIsReproducedAndVerified(_ vector: Argon2KnownAnswer) async throws {
        let hasher = try PasswordHasher(parameters: vector.parameters, maximumConcurrentHashes: 1)
        let encoded = try await hasher.hash(vector.password, salt: Array(vector.salt.utf8))
        #expect(encoded == vector.encoded)
        #expect(try await hasher.verify(vector.password, against: vector.encoded) == .valid)
        #expect(!hasher.needsRehash(vector.encoded))
        if vector.memoryKiB <= 256 {  // the 64 MiB vectors cost ~0.1 s per call; wrong passwords are tested below
            #expect(try await hasher.verify(vector.password + "x", against: vector.encoded) == .invalid)
        }
    }

    /// The example in ``PasswordHasher``'s documentation, verbatim.
    @Test func documentationExample() async throws {
        let hasher = try PasswordHasher()  // OWASP minimum: m = 19 MiB, t = 2, p = 1
        let stored = try await hasher.hash("correct horse battery staple")  // "$argon2id$v=19$m=19456,t=2,p=1$…$…"
        var accepted = false
        switch try await hasher.verify("correct horse battery staple", against: stored) {
        case .valid:
            accepted = true
        case .validButNeedsRehash:
            accepted = true
            _ = try await hasher.hash("correct horse battery staple")  // store this in place of `stored`
        case .invalid:
            accepted = false
        }
        #expect(accepted)
        #expect(stored.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
    }

    @Test func owaspDefaults() throws {
        let parameters = Argon2Parameters.owaspDefault
        #expect(parameters == Argon2Parameters())
        #expect(parameters.memoryKiB == 19_456)
        #expect(parameters.iterations == 2)
        #expect(parameters.parallelism == 1)
        #expect(parameters.saltLength == 16)
        #expect(parameters.hashLength == 32)
        try parameters.validate()
        let hasher = try PasswordHasher()
        #expect(hasher.parameters == .owaspDefault)
        #expect(hasher.maximumConcurrentHashes == PasswordHasher.defaultMaximumConcurrentHashes)
        #expect(hasher.maximumConcurrentHashes >= 1)
    }

    @Test func roundTripWithRandomSalt() async throws {
        let hasher = try PasswordHasher(parameters: Self.small, maximumConcurrentHashes: 2)
        let first = try await hasher.hash("correct horse battery staple")
        let second = try await hasher.hash("correct horse battery staple")
        #expect(first.hasPrefix("$argon2id$v=19$m=256,t=1,p=1$"))
        #expect(first != second, "each hash gets a new random salt")
        let fields = first.split(separator: "$")
        #expect(fields.count == 5)
        #expect(fields[3].count == 22, "16-byte salt in unpadded base64")
        #expect(fields[4].count == 43, "32-byte hash in unpadded base64")
        #expect(try await hasher.verify("correct horse battery staple", against: first) == .valid)
        #expect(try await hasher.verify("correct horse battery staple", against: second) == .valid)
        #expect(!hasher.needsRehash(first))
    }

    @Test func wrongPasswordIsInvalidNotAnError() async throws {
        let hasher = try PasswordHasher(parameters: Self.small, maximumConcurrentHashes: 1)
        let encoded = try await hasher.hash("hunter2")
        #expect(try await hasher.verify("hunter3", against: encoded) == .invalid)
        #expect(try await hasher.verify("Hunter2", against: encoded) == .invalid)
        #expect(try await hasher.verify("hunter2 ", against: encoded) == .invalid)
        #expect(try await hasher.verify("", against: encoded) == .invalid)
        #expect(PasswordVerification.invalid.isValid == false)
        #expect(PasswordVerification.validButNeedsRehash.isValid)
    }

    @Test func changedParametersNeedRehash() async throws {
        let old = try PasswordHasher(parameters: Self.small, maximumConcurrentHashes: 1)
        let stored = try await old.hash("s3cret")
        let changes: [Argon2Parameters] = [
            Argon2Parameters(memoryKiB: 512, iterations: 1),
            Argon2Parameters(memoryKiB: 256, iterations: 2),
            Argon2Parameters(memoryKiB: 256, iterations: 1, parallelism: 2),
            Argon2Parameters(memoryKiB: 256, iterations: 1, saltLength: 32),
            Argon2Parameters(memoryKiB: 256, iterations: 1, hashLength: 64),
        ]
        for parameters in changes {
            let current = try PasswordHasher(parameters: parameters, maximumConcurrentHashes: 1)
            #expect(current.needsRehash(stored), "\(parameters)")
            #expect(try await current.verify("s3cret", against: stored) == .validButNeedsRehash, "\(parameters)")
            #expect(try await current.verify("s3creT", against: stored) == .invalid, "\(parameters)")
            let rehashed = try await current.hash("s3cret")
            #expect(!current.needsRehash(rehashed))
            #expect(try await current.verify("s3cret", against: rehashed) == .valid)
            #expect(old.needsRehash(rehashed))
        }
        #expect(!old.needsRehash(stored))
    }

    @Test(arguments: HostileEncoding.all)
    func malformedOrHostileEncodingThrowsInvalidKey(_ input: HostileEncoding) async throws {
        let hasher = try PasswordHasher(parameters: Self.small, maximumConcurrentHashes: 1)
        let error = await #expect(throws: CryptoError.self) {
            try await hasher.verify("password", against: input.encoded)
        }
        #expect(error?.code == .invalidKey)
        // Messages never quote the stored string.
        #expect(error.map { !$0.description.contains("c29tZXNhbHQ") } ?? false)
        #expect(hasher.needsRehash(input.encoded))
    }

    @Test func storedCostsAtTheCapsAreAccepted() async throws {
        // p = 64 with m = 512 is the most lanes a stored hash may have; libargon2 computes it (64 small lanes).
        let hasher = try PasswordHasher(parameters: Self.small, maximumConcurrentHashes: 1)
        let wide = try PasswordHasher(
            parameters: Argon2Parameters(memoryKiB: 512, iterations: 1, parallelism: 64), maximumConcurrentHashes: 1)
        let encoded = try await wide.hash("lanes")
        #expect(try await hasher.verify("lanes", against: encoded) == .validButNeedsRehash)
    }

    @Test func ownParametersAboveTheStoredCapsStillVerify() async throws {
        // t = 101 is over the cap for stored hashes, but a hasher configured with it must verify its own hashes.
        let slow = try PasswordHasher(
            parameters: Argon2Parameters(memoryKiB: 8, iterations: 101), maximumConcurrentHashes: 1)
        let encoded = try await slow.hash("patience")
        #expect(try await slow.verify("patience", against: encoded) == .valid)
        let other = try PasswordHasher(parameters: Self.small, maximumConcurrentHashes: 1)
        let error = await #expect(throws: CryptoError.self) { try await other.verify("patience", against: encoded) }
        #expect(error?.code == .invalidKey)
    }

    @Test func unicodePasswordsAreHashedAsTheirUTF8Bytes() async throws {
        let hasher = try PasswordHasher(parameters: Self.small, maximumConcurrentHashes: 2)
        let passwords = ["pässwörd", "пароль", "密码🔐", "👩‍👩‍👧‍👦", "\u{0}inside", String(repeating: "é", count: 1000)]
        for password in passwords {
            let encoded = try await hasher.hash(password)
            #expect(try await hasher.verify(password, against: encoded) == .valid)
        }
        // No normalisation: precomposed and decomposed "é" are different passwords (Swift's == says equal).
        let precomposed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        #expect(precomposed == decomposed)
        let encoded = try await hasher.hash(precomposed)
        #expect(try await hasher.verify(decomposed, against: encoded) == .invalid)
        // Same bytes as the reference: hashing with a fixed salt matches the CLI's
        // `echo -n pässwörd | argon2 somesalt -id -t 1 -k 256 -p 1 -e`.
        let fixed = try await hasher.hash("pässwörd", salt: Array("somesalt".utf8))
        #expect(fixed == "$argon2id$v=19$m=256,t=1,p=1$c29tZXNhbHQ$3aiZvGzAEeeFEZVcyurcAA4C35AZUwhqcqGDb/4q53o")
        #expect(try await hasher.verify("pässwörd", against: fixed) == .validButNeedsRehash)  // 8-byte salt
    }

    @Test func emptyPasswordIsAllowed() async throws {
        let hasher = try PasswordHasher(parameters: Self.small, maximumConcurrentHashes: 1)
        let encoded = try await hasher.hash("")
        #expect(try await hasher.verify("", against: encoded) == .valid)
        #expect(try await hasher.verify(" ", against: encoded) == .invalid)
    }

    @Test func invalidParametersAreRefused() {
        let refused: [Argon2Parameters] = [
            Argon2Parameters(memoryKiB: 7),
            Argon2Parameters(memoryKiB: 15, parallelism: 2),
            Argon2Parameters(memoryKiB: Argon2Parameters.maximumMemoryKiB + 1),
            Argon2Parameters(iterations: 0),
            Argon2Parameters(iterations: Int(UInt32.max) + 1),
            Argon2Parameters(parallelism: 0),
            Argon2Parameters(memoryKiB: 65536, parallelism: 65),
            Argon2Parameters(saltLength: 7),
            Argon2Parameters(saltLength: 65),
            Argon2Parameters(hashLength: 15),
            Argon2Parameters(hashLength: 65),
        ]
        for parameters in refused {
            let error = #expect(throws: CryptoError.self, "\(parameters)") { try parameters.validate() }
            #expect(error?.code == .unsupported)
            #expect(throws: CryptoError.unsupported("")) { try PasswordHasher(parameters: parameters) }
        }
        #expect(throws: CryptoError.unsupported("")) {
            try PasswordHasher(parameters: Self.small, maximumConcurrentHashes: 0)
        }
        #expect(throws: CryptoError.unsupported("")) {
            try PasswordHasher(parameters: Self.small, maximumConcurrentHashes: 257)
        }
    }

    @Test func verifyAgainstDummyDoesOneHashWithTheHashersParameters() async throws {
        let recorder = HashingRecorder()
        let hasher = try PasswordHasher(parameters: Self.small, maximumConcurrentHashes: 1, probe: recorder.observe)
        await hasher.verifyAgainstDummy("anything")
        await hasher.verifyAgainstDummy("")
        #expect(recorder.snapshot == .init(started: 2, startedOffHashingThreads: 0, maximumInFlight: 1, inFlight: 0))
    }

    /// The thread-identity proof: every libargon2 call (hash, verify, dummy verify) starts on one of the
    /// hasher's own threads, and the test's own task (on the cooperative pool) is not one of them.
    @Test func hashingRunsOnTheHashersOwnThreads() async throws {
        let recorder = HashingRecorder()
        let hasher = try PasswordHasher(parameters: Self.small, maximumConcurrentHashes: 2, probe: recorder.observe)
        #expect(!hasher.pool.isCurrentThreadAWorker())
        let encoded = try await hasher.hash("p")
        #expect(try await hasher.verify("p", against: encoded) == .valid)
        await hasher.verifyAgainstDummy("p")
        #expect(!hasher.pool.isCurrentThreadAWorker())
        let snapshot = recorder.snapshot
        #expect(snapshot.started == 3)
        #expect(snapshot.startedOffHashingThreads == 0)
        // Another hasher's threads are not this hasher's.
        let other = try PasswordHasher(parameters: Self.small, maximumConcurrentHashes: 1)
        let seenByOther = Mutex<Bool?>(nil)
        let probing = try PasswordHasher(
            parameters: Self.small, maximumConcurrentHashes: 1,
            probe: { event in
                if case .started = event { seenByOther.withLock { $0 = other.pool.isCurrentThreadAWorker() } }
            })
        _ = try await probing.hash("p")
        #expect(seenByOther.withLock { $0 } == false)
    }

    /// 50 verifications at once through 2 threads: all answers right, never more than 2 hashes in flight.
    @Test func concurrentVerificationsAreBoundedAndCorrect() async throws {
        let recorder = HashingRecorder()
        let hasher = try PasswordHasher(parameters: Self.small, maximumConcurrentHashes: 2, probe: recorder.observe)
        let encoded = try await hasher.hash("right")
        let results = try await withThrowingTaskGroup(of: (Int, PasswordVerification).self) { group in
            for index in 0..<50 {
                let attempt = index.isMultiple(of: 2) ? "right" : "wrong"
                group.addTask { (index, try await hasher.verify(attempt, against: encoded)) }
            }
            return try await group.reduce(into: [Int: PasswordVerification]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 50)
        for (index, result) in results {
            #expect(result == (index.isMultiple(of: 2) ? .valid : .invalid), "verification \(index)")
        }
        let snapshot = recorder.snapshot
        #expect(snapshot.started == 51)
        #expect(snapshot.startedOffHashingThreads == 0)
        #expect(snapshot.maximumInFlight <= 2)
        #expect(snapshot.inFlight == 0)
    }

    @Test func releasingAHasherStopsItsThreadsWithoutBlocking() async throws {
        for _ in 0..<20 {
            let hasher = try PasswordHasher(parameters: Self.small, maximumConcurrentHashes: 4)
            #expect(try await hasher.verify("x", against: try await hasher.hash("x")) == .valid)
        }
    }

    @Test func base64MatchesTheKnownAnswers() {
        #expect(Base64Unpadded.encode(Array("somesalt".utf8)) == "c29tZXNhbHQ")
        #expect(Base64Unpadded.encode([]) == "")
        #expect(Base64Unpadded.encode([0xFF]) == "/w")
        #expect(Base64Unpadded.encode([0xFB, 0xEF]) == "++8")
        #expect(Base64Unpadded.decodedCount(ArraySlice("c29tZXNhbHQ".utf8)) == 8)
        #expect(Base64Unpadded.decodedCount(ArraySlice("/w".utf8)) == 1)
        #expect(Base64Unpadded.decodedCount(ArraySlice("/x".utf8)) == nil)
        #expect(Base64Unpadded.decodedCount(ArraySlice("++8".utf8)) == 2)
        #expect(Base64Unpadded.decodedCount(ArraySlice("++9".utf8)) == nil)
    }
}

/// Counts libargon2 calls seen by a ``PasswordHasher`` probe, from whatever thread reports them.
final class HashingRecorder: Sendable {
    struct Snapshot: Equatable {
        var started = 0
        var startedOffHashingThreads = 0
        var maximumInFlight = 0
        var inFlight = 0
    }

    private let state = Mutex(Snapshot())

    var snapshot: Snapshot { state.withLock { $0 } }

    var observe: @Sendable (HashingEvent) -> Void {
        { [self] event in
            self.state.withLock { state in
                switch event {
                case .started(let onHashingThread):
                    state.started += 1
                    if !onHashingThread { state.startedOffHashingThreads += 1 }
                    state.inFlight += 1
                    state.maximumInFlight = max(state.maximumInFlight, state.inFlight)
                case .finished:
                    state.inFlight -= 1
                }
            }
        }
    }
}
