public import Foundation
public import SmartAuthCore

/// Sessions and identifiers for tests of stores and of the engine.
public enum SessionFixtures {
    /// A fresh identifier in the engine's format: 128 random bits as 22 base64url characters.
    public static func randomID() -> SessionID {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var generator = SystemRandomNumberGenerator()
        var characters: [UInt8] = (0..<21).map { _ in alphabet[Int(generator.next(upperBound: UInt8(64)))] }
        // The last character carries the final 2 of the 128 bits in its top bits; its low 4 bits are zero.
        characters.append(alphabet[Int(generator.next(upperBound: UInt8(4))) << 4])
        return SessionID(String(decoding: characters, as: UTF8.self))
    }

    /// A browser client with a realistic user agent.
    public static let firefox = ClientInfo(
        ipAddress: "203.0.113.7",
        userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"
    )

    /// Another client, on another network, with a device name.
    public static let iPhone = ClientInfo(
        ipAddress: "2001:db8::42",
        userAgent:
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            + "Version/17.5 Mobile/15E148 Safari/604.1",
        deviceName: "Ada's phone"
    )

    /// A session that starts at `createdAt` as a login would make it: generation 0, rotated and last seen at
    /// `createdAt`.
    ///
    /// - Parameters:
    ///   - id: The identifier; a fresh random one by default.
    ///   - user: The owner.
    ///   - createdAt: The login time.
    ///   - idleTimeout: Seconds until the idle expiry (default 30 minutes).
    ///   - absoluteLifetime: Seconds until the absolute expiry (default 30 days).
    ///   - client: The client at login.
    ///   - roles: The user's roles.
    ///   - authenticationLevel: How strongly the user authenticated.
    public static func session(
        id: SessionID = randomID(), user: UserID = "user-1", createdAt: Date, idleTimeout: TimeInterval = 30 * 60,
        absoluteLifetime: TimeInterval = 30 * 24 * 3600, client: ClientInfo = firefox, roles: [String] = ["member"],
        authenticationLevel: Int = 1
    ) -> Session {
        Session(
            id: id, userID: user, createdAt: createdAt, lastSeenAt: createdAt,
            idleExpiresAt: createdAt.addingTimeInterval(min(idleTimeout, absoluteLifetime)),
            absoluteExpiresAt: createdAt.addingTimeInterval(absoluteLifetime), generation: 0, rotatedAt: createdAt,
            client: client, roles: roles, authenticationLevel: authenticationLevel
        )
    }
}
