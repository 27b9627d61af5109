public import SmartAuthJWT

/// The engine's plugins in run order, and the code that runs their hooks.
///
/// Plugins run in registration order, except that each plugin runs after the plugins it names in
/// ``AuthPlugin/dependencies``. The order is worked out once, when the chain is made, and checked: names are
/// unique, every dependency is registered, and there is no cycle.
public struct PluginChain: Sendable {
    /// Claims that plugins may read but never add, change or remove: the registered JWT claims and
    /// SmartAuth's own.
    static let protectedClaimNames: [String] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid", "roles", "aal"]

    /// The plugins, in the order their hooks run.
    public let plugins: [any AuthPlugin]

    /// Orders `plugins` and checks them.
    ///
    /// The order is a stable topological sort: at each step the earliest-registered plugin whose dependencies
    /// have all been placed comes next. So plugins without dependencies keep their registration order, and a
    /// plugin registered before one of its dependencies moves to just after the last plugin it needs.
    ///
    /// - Parameter plugins: The plugins, in registration order.
    /// - Throws: ``AuthError`` with code ``AuthError/Code/configuration`` whose message names the problem: an
    ///   empty or duplicate plugin name, a dependency on a plugin that is not registered, or a dependency
    ///   cycle (listed as `a -> b -> a`).
    public init(_ plugins: [any AuthPlugin]) throws(AuthError) {
        var indexByName: [String: Int] = [:]
        for (index, plugin) in plugins.enumerated() {
            guard !plugin.name.isEmpty else {
                throw AuthError(.configuration, "the plugin at position \(index) has an empty name")
            }
            guard indexByName.updateValue(index, forKey: plugin.name) == nil else {
                throw AuthError(.configuration, "more than one plugin is named \"\(plugin.name)\"")
            }
        }
        // dependencyIndices[i]: the registration indices of the plugins that plugin i needs.
        var dependencyIndices: [Set<Int>] = []
        dependencyIndices.reserveCapacity(plugins.count)
        for plugin in plugins {
            var needed = Set<Int>()
            for dependency in plugin.dependencies {
                guard let index = indexByName[dependency] else {
                    throw AuthError(
                        .configuration,
                        "plugin \"\(plugin.name)\" depends on \"\(dependency)\", which is not registered"
                    )
                }
                needed.insert(index)
            }
            dependencyIndices.append(needed)
        }

        // Kahn's algorithm, always taking the earliest-registered ready plugin. Quadratic, which is fine for
        // the handful of plugins an engine has, and it runs once.
        var placed = [Bool](repeating: false, count: plugins.count)
        var order: [any AuthPlugin] = []
        order.reserveCapacity(plugins.count)
        while order.count < plugins.count {
            let next = plugins.indices.first { index in
                !placed[index] && dependencyIndices[index].allSatisfy { placed[$0] }
            }
            guard let next else {
                let cycle = Self.describeCycle(in: plugins, dependencies: dependencyIndices, placed: placed)
                throw AuthError(.configuration, "plugin dependency cycle: \(cycle)")
            }
            placed[next] = true
            order.append(plugins[next])
        }
        self.plugins = order
    }

    /// One cycle among the unplaced plugins, as `a -> b -> a`. Every unplaced plugin has an unplaced
    /// dependency (else it would have been placed), so following dependencies from any of them must loop.
    private static func describeCycle(
        in plugins: [any AuthPlugin], dependencies: [Set<Int>], placed: [Bool]
    ) -> String {
        guard var current = placed.firstIndex(of: false) else { return "" }
        var path: [Int] = []
        var seenAt: [Int: Int] = [:]
        while seenAt[current] == nil {
            seenAt[current] = path.count
            path.append(current)
            // `min()` so that the message does not depend on set iteration order.
            guard let next = dependencies[current].filter({ !placed[$0] }).min() else { break }
            current = next
        }
        let cycle = path[(seenAt[current] ?? 0)...] + [current]
        return cycle.map { plugins[$0].name }.joined(separator: " -> ")
    }

    /// Asks every plugin, in order, whether the login may proceed.
    ///
    /// The first plugin that throws stops the chain: later plugins are not asked.
    ///
    /// - Parameter context: The login in progress.
    /// - Throws: ``AuthError`` with code ``AuthError/Code/loginVetoed``, message `"<plugin name>: <error>"`
    ///   and the plugin's error as ``AuthError/underlying``.
    /// - Important: The plugin's error description becomes part of the message, which is logged and may be
    ///   shown to a developer: plugins must not put secrets in their errors.
    public func authorizeLogin(_ context: LoginContext) async throws(AuthError) {
        for plugin in plugins {
            do {
                try await plugin.authorizeLogin(context)
            } catch {
                throw Self.veto(by: plugin, error)
            }
        }
    }

    /// Lets every plugin, in order, add claims to an access token's claims.
    ///
    /// All plugins work on one claims object, so a plugin sees what earlier plugins added. Protected claims
    /// (`iss`, `sub`, `aud`, `exp`, `nbf`, `iat`, `jti`, `sid`, `roles`, `aal`) keep the value they had before
    /// any plugin ran: a plugin's attempt to set, change or remove one is undone as soon as that plugin
    /// returns, so later plugins and the token only ever see the engine's values.
    ///
    /// - Parameters:
    ///   - claims: The claims the engine built.
    ///   - context: The login in progress.
    /// - Returns: The enriched claims.
    /// - Throws: ``AuthError`` with code ``AuthError/Code/loginVetoed`` when a plugin throws (message
    ///   `"<plugin name>: <error>"`, the plugin's error as ``AuthError/underlying``); later plugins do not run.
    public func enrichClaims(_ claims: JSONObject, for context: LoginContext) async throws(AuthError) -> JSONObject {
        guard !plugins.isEmpty else { return claims }
        let protected = Self.protectedClaimNames.map { (name: $0, value: claims[$0]) }
        var working = claims
        for plugin in plugins {
            do {
                try await plugin.enrichClaims(&working, for: context)
            } catch {
                throw Self.veto(by: plugin, error)
            }
            for claim in protected where working[claim.name] != claim.value {
                working[claim.name] = claim.value
            }
        }
        return working
    }

    /// Calls every plugin's ``AuthPlugin/observe(_:)``, in order, on the calling thread.
    ///
    /// - Parameter event: The event to show the plugins.
    public func observe(_ event: AuthEvent) {
        for plugin in plugins { plugin.observe(event) }
    }

    private static func veto(by plugin: any AuthPlugin, _ error: any Error) -> AuthError {
        AuthError(.loginVetoed, "\(plugin.name): \(error)", underlying: error)
    }
}
