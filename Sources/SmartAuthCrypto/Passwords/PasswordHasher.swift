/// Argon2id password hashing (RFC 9106) over libargon2, with bounded concurrency off Swift's cooperative pool.
///
/// ```swift
/// let hasher = try PasswordHasher()  // OWASP minimum: m = 19 MiB, t = 2, p = 1
/// let stored = try await hasher.hash("correct horse battery staple")  // "$argon2id$v=19$m=19456,t=2,p=1$…$…"
/// var accepted = false
/// switch try await hasher.verify("correct horse battery staple", against: stored) {
/// case .valid:
///     accepted = true
/// case .validButNeedsRehash:
///     accepted = true
///     _ = try await hasher.hash("correct horse battery staple")  // store this in place of `stored`
/// case .invalid:
///     accepted = false
/// }
/// ```
///
/// (This example is compiled and run as `PasswordHasherTests.documentationExample`.)
///
/// ## Threads and memory
///
/// A hash blocks a thread for tens of milliseconds. Running it on Swift's cooperative pool (one thread per
/// core) would let a burst of logins stall every other task in the process, so each hasher owns
/// `maximumConcurrentHashes` dedicated threads. ``hash(_:)``, ``verify(_:against:)`` and
/// ``verifyAgainstDummy(_:)`` put their work in a first-in, first-out queue and suspend, without blocking,
/// until one of those threads has done it. A login flood therefore queues instead of starving other requests.
/// At most `maximumConcurrentHashes` hashes run at once, so the memory in use is bounded by
/// `maximumConcurrentHashes × memoryKiB` for this hasher's own parameters (and by
/// `maximumConcurrentHashes` × 1 GiB, or × `memoryKiB` if larger, in the worst case of hostile stored hashes,
/// see ``verify(_:against:)``).
/// libargon2 runs the lanes of a hash with `p` > 1 on `p` threads of its own, so the CPU bound is
/// `maximumConcurrentHashes × parallelism` threads.
///
/// Queued work is not cancelled with its task: a hash that has been queued runs to completion.
/// The queue itself is unbounded; rate-limit logins before they reach the hasher.
///
/// The threads are stopped when the hasher is released. Share one hasher per process.
///
/// ## Passwords
///
/// A password is hashed as the bytes of its UTF-8 encoding, without Unicode normalisation: "é" written as one
/// scalar (U+00E9) and as "e" + U+0301 are different passwords. Normalise (for example to NFC) before calling,
/// if your policy wants that, and do it the same way at sign-up and at login. Every password is accepted,
/// including the empty string: which passwords are allowed is the caller's policy. The hasher copies the
/// password's bytes into ``SecretBytes``, which zeroes them when the hash is done; the caller's `String` is
/// the caller's to discard. There is no length cap beyond libargon2's 4 GiB, and the pre-hash is linear in
/// the length: cap request bodies (or password length) before they reach the hasher.
public final class PasswordHasher: Sendable {
    /// The parameters of new hashes; stored hashes made with others verify as
    /// ``PasswordVerification/validButNeedsRehash``.
    public let parameters: Argon2Parameters
    /// The number of dedicated threads, which is the largest number of hashes computed at once.
    public let maximumConcurrentHashes: Int

    private let limits: Argon2EncodedHash.Limits
    /// Internal rather than private so that tests can ask whether a thread is one of the hasher's.
    let pool: HashingThreadPool
    /// A PHC string with this hasher's parameters, a random salt and a random hash that no password produces
    /// (except with probability 2^-(8 × hashLength)); ``verifyAgainstDummy(_:)`` verifies against it.
    private let dummyHash: String
    /// Test hook: told, on the hashing thread, when each libargon2 call starts and ends.
    private let probe: (@Sendable (HashingEvent) -> Void)?

    /// The default `maximumConcurrentHashes`: the number of processors online.
    public static var defaultMaximumConcurrentHashes: Int {
        HashingThreadPool.activeProcessorCount
    }

    /// The largest accepted `maximumConcurrentHashes`: 256.
    public static let maximumThreadCount = 256

    /// Makes a hasher and starts its threads.
    ///
    /// - Parameters:
    ///   - parameters: The Argon2id parameters of new hashes; default ``Argon2Parameters/owaspDefault``.
    ///   - maximumConcurrentHashes: The number of dedicated hashing threads, from 1 to 256; default
    ///     ``defaultMaximumConcurrentHashes`` (the number of processors online). Memory in use is bounded by
    ///     this times ``Argon2Parameters/memoryKiB``.
    /// - Throws: ``CryptoError/Code/unsupported`` if `parameters` fail ``Argon2Parameters/validate()`` or
    ///   `maximumConcurrentHashes` is out of range; ``CryptoError/Code/randomFailure`` if the random generator
    ///   fails; ``CryptoError/Code/internalFailure`` if a thread cannot be started.
    public convenience init(
        parameters: Argon2Parameters = .owaspDefault,
        maximumConcurrentHashes: Int = PasswordHasher.defaultMaximumConcurrentHashes
    ) throws(CryptoError) {
        try self.init(parameters: parameters, maximumConcurrentHashes: maximumConcurrentHashes, probe: nil)
    }

    /// The designated initialiser, with a test hook that observes every libargon2 call on its thread.
    init(
        parameters: Argon2Parameters,
        maximumConcurrentHashes: Int,
        probe: (@Sendable (HashingEvent) -> Void)?
    ) throws(CryptoError) {
        try parameters.validate()
        guard (1...Self.maximumThreadCount).contains(maximumConcurrentHashes) else {
            throw .unsupported(
                "maximumConcurrentHashes must be from 1 to \(Self.maximumThreadCount), got \(maximumConcurrentHashes)")
        }
        let salt = try SecureRandom.bytes(count: parameters.saltLength)
        let hash = try SecureRandom.bytes(count: parameters.hashLength)
        self.dummyHash =
            "$argon2id$v=19$m=\(parameters.memoryKiB),t=\(parameters.iterations),p=\(parameters.parallelism)"
            + "$\(Base64Unpadded.encode(salt))$\(Base64Unpadded.encode(hash))"
        self.parameters = parameters
        self.maximumConcurrentHashes = maximumConcurrentHashes
        self.limits = Argon2EncodedHash.Limits(accepting: parameters)
        self.probe = probe
        self.pool = try HashingThreadPool(threadCount: maximumConcurrentHashes)
    }

    /// Hashes a password with a new random salt.
    ///
    /// The salt is ``Argon2Parameters/saltLength`` bytes from ``SecureRandom`` (OpenSSL's `RAND_bytes`). The
    /// work runs on one of the hasher's threads; this call suspends until it is done.
    ///
    /// - Parameter password: The password; hashed as its UTF-8 bytes, without normalisation. May be empty.
    /// - Returns: libargon2's PHC string, `$argon2id$v=19$m=<m>,t=<t>,p=<p>$<salt>$<hash>` with unpadded
    ///   standard base64. Store it as it is.
    /// - Throws: ``CryptoError/Code/randomFailure`` if the random generator fails;
    ///   ``CryptoError/Code/unsupported`` for a password over 4 GiB; ``CryptoError/Code/internalFailure`` if
    ///   libargon2 cannot allocate the memory.
    public func hash(_ password: String) async throws(CryptoError) -> String {
        let salt = try SecureRandom.bytes(count: parameters.saltLength)
        return try await hash(password, salt: salt)
    }

    /// Hashes a password with a given salt: for known-answer tests only. Production hashes use ``hash(_:)``.
    func hash(_ password: String, salt: [UInt8]) async throws(CryptoError) -> String {
        guard Argon2Parameters.saltLengthRange.contains(salt.count) else {
            throw .unsupported("Argon2 salt must be from 8 to 64 bytes, got \(salt.count)")
        }
        let secret = SecretBytes(password.utf8)
        let parameters = self.parameters
        return try await onHashingThread {
            LibArgon2.hashEncoded(password: secret, salt: salt, parameters: parameters)
        }
    }

    /// Checks a password against a stored hash, in constant time.
    ///
    /// The stored string is first parsed and bounded here, strictly, so that a hostile or corrupt hash cannot
    /// make the server allocate gigabytes or run for minutes: it must be exactly
    /// `$argon2id$v=19$m=<m>,t=<t>,p=<p>$<salt>$<hash>` with unpadded standard base64, at most 256 bytes long,
    /// with m ≤ 1 GiB (1 048 576 KiB), t ≤ 100, p ≤ 64, m ≥ 8 × p, a salt of 8 to 64 bytes and a hash of 16 to
    /// 64 bytes. (If this hasher's own m or t is larger than the cap, its own value is the cap.) libargon2 then
    /// decodes it, recomputes the hash on one of the hasher's threads and compares in constant time.
    ///
    /// - Parameters:
    ///   - password: The password to check; as for ``hash(_:)``, its UTF-8 bytes.
    ///   - encoded: The stored PHC string, as ``hash(_:)`` returned it.
    /// - Returns: ``PasswordVerification/invalid`` if the password is wrong; ``PasswordVerification/valid`` if it
    ///   is right; ``PasswordVerification/validButNeedsRehash`` if it is right but `encoded` was made with
    ///   parameters other than ``parameters`` (then store ``hash(_:)`` of the password in its place).
    /// - Throws: ``CryptoError/Code/invalidKey`` if `encoded` is not an argon2id PHC string SmartAuth can
    ///   check (malformed, another variant or version, or costs over the caps); ``CryptoError/Code/unsupported``
    ///   for a password over 4 GiB; ``CryptoError/Code/internalFailure`` if libargon2 cannot allocate the memory.
    ///   A wrong password is never an error.
    /// - Important: For an unknown user, call ``verifyAgainstDummy(_:)`` instead of returning at once, so that
    ///   response times do not reveal which accounts exist.
    public func verify(_ password: String, against encoded: String) async throws(CryptoError) -> PasswordVerification {
        let stored = try Argon2EncodedHash(parsing: encoded, limits: limits)
        let secret = SecretBytes(password.utf8)
        let matches = try await onHashingThread {
            LibArgon2.verify(password: secret, encoded: encoded)
        }
        guard matches else { return .invalid }
        return stored.matches(parameters) ? .valid : .validButNeedsRehash
    }

    /// Spends the work of a real ``verify(_:against:)`` with this hasher's parameters, and ignores the result.
    ///
    /// Call it when a login names an unknown user, so that the response takes as long as for a known user
    /// with a wrong password and does not reveal which accounts exist. It runs the same code as
    /// ``verify(_:against:)`` (same queue, same libargon2 call) against a hash that was made up with random
    /// bytes when the hasher was created.
    ///
    /// - Parameter password: The submitted password.
    /// - Important: Stored hashes made with other (older, cheaper) parameters take a different time to verify;
    ///   re-hash them on login (``PasswordVerification/validButNeedsRehash``) so that timings converge.
    public func verifyAgainstDummy(_ password: String) async {
        _ = try? await verify(password, against: dummyHash)
    }

    /// Whether a stored hash should be replaced by one made with this hasher's ``parameters``.
    ///
    /// Compares m, t, p, the salt length and the hash length. Use it where no password is at hand (a
    /// migration report); at login, ``verify(_:against:)`` already answers
    /// ``PasswordVerification/validButNeedsRehash``.
    ///
    /// - Parameter encoded: A stored PHC string.
    /// - Returns: `false` if `encoded` is an argon2id v=19 string with exactly this hasher's parameters; `true`
    ///   otherwise, including for a string that is malformed or that ``verify(_:against:)`` would refuse.
    public func needsRehash(_ encoded: String) -> Bool {
        guard let stored = try? Argon2EncodedHash(parsing: encoded, limits: limits) else { return true }
        return !stored.matches(parameters)
    }

    /// Runs `work` on one of the hasher's threads and suspends until it is done.
    private func onHashingThread<T: Sendable>(
        _ work: @escaping @Sendable () -> Result<T, CryptoError>
    ) async throws(CryptoError) -> T {
        let pool = self.pool
        let probe = self.probe
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<T, CryptoError>, Never>) in
            pool.submit {
                probe?(.started(onHashingThread: pool.isCurrentThreadAWorker()))
                let result = work()
                probe?(.finished)
                continuation.resume(returning: result)
            }
        }
        return try result.get()
    }
}

/// What ``PasswordHasher``'s test hook observes, on the thread that runs libargon2.
enum HashingEvent: Sendable {
    /// A libargon2 call is about to start; `onHashingThread` tells whether this is one of the hasher's threads.
    case started(onHashingThread: Bool)
    /// The libargon2 call has returned.
    case finished
}
