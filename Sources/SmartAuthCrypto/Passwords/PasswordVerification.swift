/// The outcome of ``PasswordHasher/verify(_:against:)``.
///
/// A closed set: a password either does not match, matches, or matches a hash made with parameters other than
/// the hasher's current ones.
public enum PasswordVerification: Hashable, Sendable {
    /// The password does not match the stored hash.
    case invalid
    /// The password matches, and the stored hash uses the hasher's current parameters.
    case valid
    /// The password matches, but the stored hash was made with other parameters (older costs, another salt or
    /// hash length). Accept the login, then store ``PasswordHasher/hash(_:)`` of the same password in its place.
    case validButNeedsRehash

    /// `true` for ``valid`` and ``validButNeedsRehash``.
    public var isValid: Bool {
        self != .invalid
    }
}
