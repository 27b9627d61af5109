internal import CSmartAuthOpenSSL

/// The calling thread's OpenSSL error queue, drained into a value that can travel as
/// ``CryptoError/underlying``. Holds only OpenSSL's own error strings (library, reason), never key material.
struct OpenSSLErrorStack: Error, Sendable, Hashable, CustomStringConvertible {
    /// One entry of the queue.
    struct Entry: Sendable, Hashable {
        /// The packed OpenSSL error code (`ERR_get_error_all`).
        var code: UInt
        /// `ERR_error_string_n` text, for example `error:1E08010C:DECODER routines::unsupported`.
        var text: String
    }

    /// Oldest first.
    var entries: [Entry]

    /// Removes every entry from the calling thread's queue and returns them, oldest first.
    static func drain() -> OpenSSLErrorStack {
        var entries: [Entry] = []
        while true {
            let code = ERR_get_error_all(nil, nil, nil, nil, nil)
            if code == 0 { break }
            let text = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
                ERR_error_string_n(code, buffer.baseAddress, buffer.count)
                return String(cString: buffer.baseAddress!)
            }
            entries.append(Entry(code: code, text: text))
        }
        return OpenSSLErrorStack(entries: entries)
    }

    /// Empties the calling thread's queue without looking at it, after an expected failure (an invalid
    /// signature) so that stale entries do not pile up or surface in a later, unrelated error.
    static func clear() {
        ERR_clear_error()
    }

    /// The entries' texts joined with `; `.
    var description: String {
        entries.isEmpty ? "OpenSSL: no error queued" : "OpenSSL: " + entries.map(\.text).joined(separator: "; ")
    }
}

extension CryptoError {
    /// An error whose underlying error is the drained OpenSSL error queue.
    static func openSSL(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) -> CryptoError {
        CryptoError(code: code, message: message, underlying: OpenSSLErrorStack.drain(), file: file, line: line)
    }
}

/// Checks an OpenSSL status code (1 is success) and throws with the drained error queue otherwise.
func checkOpenSSL(
    _ status: Int32,
    _ code: CryptoError.Code = .internalFailure,
    _ message: @autoclosure () -> String,
    file: String = #fileID,
    line: Int = #line
) throws(CryptoError) {
    guard status == 1 else {
        throw CryptoError.openSSL(code, message(), file: file, line: line)
    }
}

/// Unwraps a pointer returned by OpenSSL and throws with the drained error queue if it is NULL.
func checkOpenSSL<Pointer>(
    _ pointer: Pointer?,
    _ code: CryptoError.Code = .internalFailure,
    _ message: @autoclosure () -> String,
    file: String = #fileID,
    line: Int = #line
) throws(CryptoError) -> Pointer {
    guard let pointer else {
        throw CryptoError.openSSL(code, message(), file: file, line: line)
    }
    return pointer
}
