internal import CSmartAuthArgon2

extension PasswordHasher {
    /// The libargon2 calls behind ``PasswordHasher``. They block for the length of a hash and run only on the
    /// hasher's own threads.
    ///
    /// Only the non-variadic argon2id entry points are used: `argon2id_hash_encoded` writes the PHC string, and
    /// `argon2id_verify` decodes a PHC string, recomputes the hash and compares it in constant time
    /// (`argon2_compare`). libargon2 wipes its own memory blocks and intermediate hashes
    /// (`FLAG_clear_internal_memory` is on by default); the password copy handed to it is a ``SecretBytes`` that the
    /// caller releases, which zeroes it.
    enum LibArgon2 {
        /// Hashes `password` with `salt` and `parameters` into libargon2's PHC string.
        ///
        /// `parameters` must have passed ``Argon2Parameters/validate()``; `salt` must be 8 to 64 bytes.
        static func hashEncoded(
            password: SecretBytes,
            salt: [UInt8],
            parameters: Argon2Parameters
        ) -> Result<String, CryptoError> {
            guard password.count <= Int(UInt32.max) else {
                return .failure(.unsupported("the password is longer than libargon2 accepts (4 GiB)"))
            }
            let iterations = UInt32(parameters.iterations)
            let memory = UInt32(parameters.memoryKiB)
            let lanes = UInt32(parameters.parallelism)
            // Includes the terminating NUL.
            let capacity = argon2_encodedlen(
                iterations, memory, lanes, UInt32(salt.count), UInt32(parameters.hashLength), Argon2_id)
            var status = ARGON2_OK.rawValue
            let encoded = password.withUnsafeBytes { password in
                salt.withUnsafeBytes { salt in
                    String(unsafeUninitializedCapacity: capacity) { buffer in
                        status = buffer.withMemoryRebound(to: CChar.self) { characters in
                            argon2id_hash_encoded(
                                iterations, memory, lanes, password.baseAddress, password.count, salt.baseAddress,
                                salt.count, parameters.hashLength, characters.baseAddress, characters.count)
                        }
                        guard status == ARGON2_OK.rawValue else { return 0 }
                        return buffer.firstIndex(of: 0) ?? 0
                    }
                }
            }
            guard status == ARGON2_OK.rawValue, !encoded.isEmpty else {
                return .failure(.internalFailure("Argon2 hashing failed", underlying: Argon2Failure(status: status)))
            }
            return .success(encoded)
        }

        /// Checks `password` against the PHC string `encoded` with `argon2id_verify`.
        ///
        /// `encoded` must already have been parsed and bounded by ``Argon2EncodedHash``.
        ///
        /// - Returns: `true` on a match, `false` on a mismatch; a failure with ``CryptoError/Code/invalidKey`` if
        ///   libargon2 refuses the string, ``CryptoError/Code/unsupported`` for a password over 4 GiB, and
        ///   ``CryptoError/Code/internalFailure`` if it cannot allocate memory or start its lane threads.
        static func verify(password: SecretBytes, encoded: String) -> Result<Bool, CryptoError> {
            let status = encoded.withCString { encoded in
                password.withUnsafeBytes { password in
                    argon2id_verify(encoded, password.baseAddress, password.count)
                }
            }
            switch status {
            case ARGON2_OK.rawValue:
                return .success(true)
            case ARGON2_VERIFY_MISMATCH.rawValue:
                return .success(false)
            case ARGON2_PWD_TOO_LONG.rawValue:
                return .failure(.unsupported("the password is longer than libargon2 accepts (4 GiB)"))
            case ARGON2_MEMORY_ALLOCATION_ERROR.rawValue, ARGON2_THREAD_FAIL.rawValue:
                let failure = Argon2Failure(status: status)
                return .failure(.internalFailure("Argon2 verification failed", underlying: failure))
            default:
                let failure = Argon2Failure(status: status)
                return .failure(.invalidKey("libargon2 refused the stored hash", underlying: failure))
            }
        }
    }
}

/// A libargon2 status code with libargon2's own message for it (`argon2_error_message`), as
/// ``CryptoError/underlying``. It never holds a password, salt or hash.
struct Argon2Failure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `Argon2_ErrorCodes` value, for example -22 for a failed allocation.
    var status: Int32

    /// `libargon2: <message> (<status>)`.
    var description: String {
        "libargon2: \(String(cString: argon2_error_message(status))) (\(status))"
    }
}
