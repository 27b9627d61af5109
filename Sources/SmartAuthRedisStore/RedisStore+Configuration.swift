public import Foundation
import SmartAuthCore

extension RedisStore {
    /// How a ``RedisStore`` names its keys and talks to the server. Every setting has a default.
    public struct Configuration: Sendable, Hashable {
        /// Prepended to every key and to the revocation channel's name, so that several deployments (or test
        /// runs) can share one Redis database. Default `smartauth:`.
        ///
        /// Choose prefixes that are not prefixes of each other: ``RedisStore/purgeExpired(at:)`` finds keys by
        /// prefix.
        public var keyPrefix: String
        /// How many connections the store keeps, each served by its own serial queue. Default 4; between 1 and 256.
        public var poolSize: Int
        /// Seconds to wait for a TCP connection to the server. Default 2.
        public var connectTimeout: TimeInterval
        /// Seconds an operation may take from the call to the answer, including the wait for a free connection,
        /// a reconnection and the command itself. After it the operation fails with
        /// ``SessionStoreError/Code/unavailable``. Default 3.
        public var commandTimeout: TimeInterval

        /// A configuration; every parameter has the default documented on its property.
        public init(
            keyPrefix: String = "smartauth:", poolSize: Int = 4, connectTimeout: TimeInterval = 2,
            commandTimeout: TimeInterval = 3
        ) {
            self.keyPrefix = keyPrefix
            self.poolSize = poolSize
            self.connectTimeout = connectTimeout
            self.commandTimeout = commandTimeout
        }

        /// Checks the settings; returns the timeouts in milliseconds.
        func validated() throws(SessionStoreError) -> (connect: Int, command: Int) {
            guard (1...256).contains(poolSize) else {
                throw SessionStoreError(.invalidArgument, "poolSize must be between 1 and 256")
            }
            guard keyPrefix.utf8.count <= RedisStore.maximumNameLength else {
                throw SessionStoreError(
                    .invalidArgument, "keyPrefix is longer than \(RedisStore.maximumNameLength) bytes")
            }
            func milliseconds(_ seconds: TimeInterval, _ name: String) throws(SessionStoreError) -> Int {
                guard seconds.isFinite, seconds >= 0.001, seconds <= 3600 else {
                    throw SessionStoreError(.invalidArgument, "\(name) must be between 0.001 and 3600 seconds")
                }
                return Int((seconds * 1000).rounded(.up))
            }
            return (
                try milliseconds(connectTimeout, "connectTimeout"), try milliseconds(commandTimeout, "commandTimeout")
            )
        }
    }
}

extension RedisEndpoint {
    /// Parses `redis://[[user]:password@]host[:port][/db]`.
    ///
    /// The user name and password are percent-decoded; a password alone authenticates with `AUTH password`, a user
    /// and password with `AUTH user password` (Redis 6 ACLs). The port defaults to 6379 and the database to 0. An
    /// IPv6 address is written in brackets. Anything else (another scheme such as `rediss`, a query, a user without
    /// a password, a port or database out of range) is refused.
    init(url: String) throws(SessionStoreError) {
        func invalid(_ reason: String) -> SessionStoreError {
            // Never echo the URL: it may hold a password.
            SessionStoreError(.invalidArgument, "invalid Redis URL: \(reason)")
        }
        let scheme = "redis://"
        guard url.utf8.count > scheme.utf8.count, url.lowercased().hasPrefix(scheme) else {
            throw invalid("it must start with redis:// (TLS and Unix sockets are not supported)")
        }
        var rest = Substring(url.dropFirst(scheme.count))
        guard !rest.contains("?"), !rest.contains("#") else { throw invalid("query and fragment are not supported") }

        var username: String?
        var password: [UInt8]?
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            guard let colon = userinfo.firstIndex(of: ":") else { throw invalid("a user name needs a password") }
            guard let user = Self.percentDecoded(userinfo[..<colon]),
                let secret = Self.percentDecoded(userinfo[userinfo.index(after: colon)...])
            else { throw invalid("bad percent-encoding in the user information") }
            guard !secret.isEmpty else { throw invalid("the password is empty") }
            if !user.isEmpty {
                guard let name = String(validating: user, as: UTF8.self) else {
                    throw invalid("the user name is not UTF-8")
                }
                username = name
            }
            password = secret
        }

        var hostPort = rest
        var databaseText: Substring?
        if let slash = rest.firstIndex(of: "/") {
            hostPort = rest[..<slash]
            databaseText = rest[rest.index(after: slash)...]
        }
        var host: Substring
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw invalid("unclosed IPv6 bracket") }
            host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = hostPort.firstIndex(of: ":") {
            host = hostPort[..<colon]
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            host = hostPort
        }
        guard !host.isEmpty else { throw invalid("the host is empty") }
        guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._:".contains($0)) }) else {
            throw invalid("the host has characters a host name cannot have")
        }
        var port = 6379
        if let portText {
            guard !portText.isEmpty, portText.allSatisfy(\.isASCII), let value = Int(portText),
                (1...65535).contains(value)
            else { throw invalid("the port must be a number between 1 and 65535") }
            port = value
        }
        var database = 0
        if let databaseText, !databaseText.isEmpty {
            guard databaseText.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(databaseText),
                value < 1 << 20
            else { throw invalid("the database must be a small non-negative number") }
            database = value
        }
        self.init(host: String(host), port: port, database: database, username: username, password: password)
    }

    /// Decodes `%XX` escapes; `nil` for a malformed escape.
    private static func percentDecoded(_ text: Substring) -> [UInt8]? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
