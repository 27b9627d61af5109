import Foundation
import SmartAuthCore
import SmartAuthJWT
import Synchronization
import Testing

@Suite struct PluginChainTests {
    /// Records hook calls across plugins, in call order.
    final class Recorder: Sendable {
        private let calls = Mutex<[String]>([])
        func record(_ call: String) { calls.withLock { $0.append(call) } }
        var all: [String] { calls.withLock { $0 } }
    }

    struct Refusal: Error, CustomStringConvertible {
        var description: String { "account locked" }
    }

    /// A plugin whose hooks record their calls and then do what the test says.
    struct TestPlugin: AuthPlugin {
        let name: String
        var dependencies: [String] = []
        var recorder = Recorder()
        var refuses = false
        var enrich: @Sendable (inout JSONObject) throws -> Void = { _ in }

        func authorizeLogin(_ context: LoginContext) async throws {
            recorder.record("authorize \(name)")
            if refuses { throw Refusal() }
        }

        func enrichClaims(_ claims: inout JSONObject, for context: LoginContext) async throws {
            recorder.record("enrich \(name)")
            try enrich(&claims)
        }

        func observe(_ event: AuthEvent) {
            recorder.record("observe \(name) \(event.kind.name)")
        }
    }

    /// A plugin that uses none of the hooks: the protocol's defaults apply.
    struct BarePlugin: AuthPlugin {
        let name: String
    }

    static let context = LoginContext(
        userID: "user-1", roles: ["admin"], client: ClientInfo(ipAddress: "192.0.2.1"), authenticationLevel: 1,
        time: Date(timeIntervalSince1970: 1_900_000_000)
    )

    static func names(_ chain: PluginChain) -> [String] { chain.plugins.map(\.name) }

    // MARK: Ordering

    @Test func registrationOrderIsKeptWithoutDependencies() throws {
        let chain = try PluginChain([TestPlugin(name: "c"), TestPlugin(name: "a"), TestPlugin(name: "b")])
        #expect(Self.names(chain) == ["c", "a", "b"])
    }

    @Test func emptyChainIsAllowed() async throws {
        let chain = try PluginChain([])
        #expect(chain.plugins.isEmpty)
        try await chain.authorizeLogin(Self.context)
        let claims: JSONObject = ["sub": .string("user-1")]
        #expect(try await chain.enrichClaims(claims, for: Self.context) == claims)
    }

    @Test func dependenciesMoveAPluginAfterThePluginsItNeeds() throws {
        let chain = try PluginChain([
            TestPlugin(name: "b", dependencies: ["c"]),
            TestPlugin(name: "a"),
            TestPlugin(name: "c"),
            TestPlugin(name: "d"),
        ])
        // `b` waits for `c`; everything else keeps registration order.
        #expect(Self.names(chain) == ["a", "c", "b", "d"])
    }

    @Test func dependencyChainsAndSharedDependencies() throws {
        let chain = try PluginChain([
            TestPlugin(name: "top", dependencies: ["middle", "base"]),
            TestPlugin(name: "middle", dependencies: ["base"]),
            TestPlugin(name: "other"),
            TestPlugin(name: "base"),
            TestPlugin(name: "last", dependencies: ["other"]),
        ])
        #expect(Self.names(chain) == ["other", "base", "middle", "top", "last"])
        // Every plugin comes after each plugin it names.
        let position = Dictionary(uniqueKeysWithValues: chain.plugins.enumerated().map { ($1.name, $0) })
        for plugin in chain.plugins {
            for dependency in plugin.dependencies { #expect(position[dependency]! < position[plugin.name]!) }
        }
    }

    @Test func alreadySatisfiedDependenciesChangeNothing() throws {
        let chain = try PluginChain([
            TestPlugin(name: "a"), TestPlugin(name: "b", dependencies: ["a", "a"]), TestPlugin(name: "c"),
        ])
        #expect(Self.names(chain) == ["a", "b", "c"])
    }

    @Test func missingDependencyThrowsConfiguration() throws {
        let error = #expect(throws: AuthError.self) {
            try PluginChain([TestPlugin(name: "a"), TestPlugin(name: "b", dependencies: ["ghost"])])
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("\"b\"") == true)
        #expect(error?.message.contains("\"ghost\"") == true)
    }

    @Test func duplicateNameThrowsConfiguration() throws {
        let error = #expect(throws: AuthError.self) {
            try PluginChain([TestPlugin(name: "a"), TestPlugin(name: "b"), BarePlugin(name: "a")])
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("\"a\"") == true)
    }

    @Test func emptyNameThrowsConfiguration() throws {
        let error = #expect(throws: AuthError.self) { try PluginChain([BarePlugin(name: "")]) }
        #expect(error?.code == .configuration)
    }

    @Test func cycleThrowsConfigurationNamingTheCycle() throws {
        let error = #expect(throws: AuthError.self) {
            try PluginChain([
                TestPlugin(name: "free"),
                TestPlugin(name: "a", dependencies: ["c"]),
                TestPlugin(name: "b", dependencies: ["a"]),
                TestPlugin(name: "c", dependencies: ["b"]),
            ])
        }
        #expect(error?.code == .configuration)
        #expect(error?.message == "plugin dependency cycle: a -> c -> b -> a")
    }

    @Test func selfDependencyIsACycle() throws {
        let error = #expect(throws: AuthError.self) {
            try PluginChain([TestPlugin(name: "a", dependencies: ["a"])])
        }
        #expect(error?.code == .configuration)
        #expect(error?.message == "plugin dependency cycle: a -> a")
    }

    // MARK: Authorising logins

    @Test func everyPluginAuthorizesInRunOrder() async throws {
        let recorder = Recorder()
        let chain = try PluginChain([
            TestPlugin(name: "b", dependencies: ["a"], recorder: recorder),
            TestPlugin(name: "a", recorder: recorder),
            BarePlugin(name: "bare"),
            TestPlugin(name: "c", recorder: recorder),
        ])
        try await chain.authorizeLogin(Self.context)
        #expect(recorder.all == ["authorize a", "authorize b", "authorize c"])
    }

    @Test func vetoStopsLaterPluginsAndMapsToLoginVetoed() async throws {
        let recorder = Recorder()
        let chain = try PluginChain([
            TestPlugin(name: "first", recorder: recorder),
            TestPlugin(name: "lockout", recorder: recorder, refuses: true),
            TestPlugin(name: "never", recorder: recorder),
        ])
        let error = await #expect(throws: AuthError.self) { try await chain.authorizeLogin(Self.context) }
        #expect(error?.code == .loginVetoed)
        #expect(error?.message == "lockout: account locked")
        #expect(error?.underlying is Refusal)
        #expect(recorder.all == ["authorize first", "authorize lockout"])
    }

    // MARK: Enriching claims

    @Test func laterPluginsSeeEarlierPluginsClaims() async throws {
        let recorder = Recorder()
        let chain = try PluginChain([
            TestPlugin(name: "second", dependencies: ["first"], recorder: recorder) { claims in
                let tenant = claims["tenant"]?.stringValue ?? "none"
                claims["tenant_label"] = .string("tenant \(tenant)")
            },
            TestPlugin(name: "first", recorder: recorder) { claims in claims["tenant"] = .string("acme") },
        ])
        let claims: JSONObject = ["sub": .string("user-1")]
        let enriched = try await chain.enrichClaims(claims, for: Self.context)
        #expect(recorder.all == ["enrich first", "enrich second"])
        #expect(enriched["sub"] == .string("user-1"))
        #expect(enriched["tenant"] == .string("acme"))
        #expect(enriched["tenant_label"] == .string("tenant acme"))
    }

    @Test func protectedClaimsCannotBeChangedAddedOrRemoved() async throws {
        let original: JSONObject = [
            "iss": .string("https://auth.example"), "sub": .string("user-1"), "aud": .string("api"),
            "exp": .number(JSONNumber(1_900_000_900)), "iat": .number(JSONNumber(1_900_000_000)),
            "jti": .string("token-1"), "sid": .string("session-1"), "roles": .array([.string("user")]),
            "aal": .number(JSONNumber(1)), "existing": .string("kept"),
        ]
        let attacker = TestPlugin(name: "attacker") { claims in
            claims["sub"] = .string("admin")
            claims["roles"] = .array([.string("admin")])
            claims["aal"] = .number(JSONNumber(3))
            claims["exp"] = .number(JSONNumber(4_000_000_000))
            claims["iss"] = nil
            claims["jti"] = nil
            claims["nbf"] = .number(JSONNumber(0))  // absent before: must stay absent
            claims["extra"] = .string("allowed")
            claims["existing"] = .string("changed")
        }
        let observed = Mutex<JSONObject?>(nil)
        let witness = TestPlugin(name: "witness", dependencies: ["attacker"]) { claims in
            observed.withLock { $0 = claims }
        }
        let chain = try PluginChain([attacker, witness])
        let enriched = try await chain.enrichClaims(original, for: Self.context)

        for name in ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid", "roles", "aal"] {
            #expect(enriched[name] == original[name], "protected claim \(name)")
            // A later plugin never sees the overridden values either.
            #expect(observed.withLock { $0?[name] } == original[name], "protected claim \(name) seen by witness")
        }
        #expect(enriched["nbf"] == nil)
        #expect(enriched["extra"] == .string("allowed"))
        #expect(enriched["existing"] == .string("changed"))
    }

    @Test func enrichmentFailureMapsToLoginVetoed() async throws {
        let recorder = Recorder()
        let chain = try PluginChain([
            TestPlugin(name: "broken", recorder: recorder) { _ in throw Refusal() },
            TestPlugin(name: "never", recorder: recorder),
        ])
        let error = await #expect(throws: AuthError.self) {
            _ = try await chain.enrichClaims(JSONObject(), for: Self.context)
        }
        #expect(error?.code == .loginVetoed)
        #expect(error?.message == "broken: account locked")
        #expect(recorder.all == ["enrich broken"])
    }

    // MARK: Observing

    @Test func observeReachesEveryPluginInRunOrder() throws {
        let recorder = Recorder()
        let chain = try PluginChain([
            TestPlugin(name: "z", dependencies: ["y"], recorder: recorder),
            TestPlugin(name: "x", recorder: recorder),
            BarePlugin(name: "bare"),
            TestPlugin(name: "y", recorder: recorder),
        ])
        chain.observe(AuthEvent(kind: .sessionCreated, time: Date(timeIntervalSince1970: 0)))
        chain.observe(AuthEvent(kind: .sessionRevoked, time: Date(timeIntervalSince1970: 0)))
        #expect(recorder.all == [
            "observe x sessionCreated", "observe y sessionCreated", "observe z sessionCreated",
            "observe x sessionRevoked", "observe y sessionRevoked", "observe z sessionRevoked",
        ])
    }
}
