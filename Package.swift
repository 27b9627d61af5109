// swift-tools-version:6.0
// SmartAuth: a session-aware JWT authentication engine. See README.md for the architecture.
import PackageDescription

/// One set of Swift settings for every target: Swift 6 language mode (complete concurrency checking) and the
/// upcoming features that keep public surfaces explicit.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "SmartAuth",
    products: [
        .library(name: "SmartAuthCrypto", targets: ["SmartAuthCrypto"]),
        .library(name: "SmartAuthJWT", targets: ["SmartAuthJWT"]),
        .library(name: "SmartAuthCore", targets: ["SmartAuthCore"]),
        .library(name: "SmartAuthTesting", targets: ["SmartAuthTesting"]),
        .library(name: "SmartAuthSQLiteStore", targets: ["SmartAuthSQLiteStore"]),
        .library(name: "SmartAuthRedisStore", targets: ["SmartAuthRedisStore"]),
        .library(name: "SmartAuthPostgresStore", targets: ["SmartAuthPostgresStore"]),
        .library(name: "SmartAuthHTTP", targets: ["SmartAuthHTTP"]),
        .library(name: "SmartAuthServer", targets: ["SmartAuthServer"]),
        .executable(name: "smart-auth", targets: ["SmartAuthCLI"]),
    ],
    targets: [
        // C modules: one per C library, each imported by exactly one Swift module.
        .target(
            name: "CSmartAuthOpenSSL",
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        .target(name: "CSmartAuthArgon2", linkerSettings: [.linkedLibrary("argon2")]),
        .target(name: "CSmartAuthSQLite", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(name: "CSmartAuthHTTP", linkerSettings: [.linkedLibrary("microhttpd")]),
        .target(name: "CSmartAuthRedis", linkerSettings: [.linkedLibrary("hiredis")]),
        .target(name: "CSmartAuthPostgres", linkerSettings: [.linkedLibrary("pq")]),
        // Process control for the benchmarks: posix_spawn with a clean signal state, CPU affinity.
        .target(name: "CSmartAuthProcess"),
        // Raw OpenSSL loops used only as the benchmark's reference figures.
        .target(
            name: "CSmartAuthBenchReference",
            linkerSettings: [.linkedLibrary("crypto")]
        ),

        // Swift modules.
        .target(
            name: "SmartAuthCrypto",
            dependencies: ["CSmartAuthOpenSSL", "CSmartAuthArgon2"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SmartAuthJWT",
            dependencies: ["SmartAuthCrypto"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SmartAuthCore",
            dependencies: ["SmartAuthJWT", "SmartAuthCrypto"],
            swiftSettings: swiftSettings
        ),
        // Stores: one library each, so an application links only the one it uses.
        .target(
            name: "SmartAuthSQLiteStore",
            dependencies: ["SmartAuthCore", "CSmartAuthSQLite"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SmartAuthRedisStore",
            dependencies: ["SmartAuthCore", "CSmartAuthRedis"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SmartAuthPostgresStore",
            dependencies: ["SmartAuthCore", "CSmartAuthPostgres"],
            swiftSettings: swiftSettings
        ),
        // Framework-agnostic HTTP values and middleware (no C): what Vapor or Hummingbird adapters use.
        .target(
            name: "SmartAuthHTTP",
            dependencies: ["SmartAuthCore", "SmartAuthJWT"],
            swiftSettings: swiftSettings
        ),
        // The standalone auth server: libmicrohttpd transport and the REST API.
        .target(
            name: "SmartAuthServer",
            dependencies: [
                "SmartAuthHTTP", "SmartAuthCore", "SmartAuthJWT", "SmartAuthCrypto", "CSmartAuthHTTP",
                "SmartAuthSQLiteStore", "SmartAuthRedisStore", "SmartAuthPostgresStore",
            ],
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: swiftSettings
        ),
        // Test support shared by test targets and by third-party stores: ManualClock, fixtures.
        .target(
            name: "SmartAuthTesting",
            dependencies: ["SmartAuthCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SmartAuthBenchmarks",
            dependencies: [
                "SmartAuthCore", "SmartAuthJWT", "SmartAuthCrypto", "CSmartAuthBenchReference", "CSmartAuthArgon2", "CSmartAuthProcess",
            ],
            swiftSettings: swiftSettings
        ),
        // The `smart-auth` commands, as a library so that tests run them in-process.
        .target(
            name: "SmartAuthCommandLine",
            dependencies: ["SmartAuthServer", "SmartAuthCore", "SmartAuthJWT", "SmartAuthCrypto", "SmartAuthBenchmarks"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SmartAuthCLI",
            dependencies: ["SmartAuthCommandLine"],
            swiftSettings: swiftSettings
        ),

        // Tests: one target per module.
        .testTarget(
            name: "SmartAuthCryptoTests",
            dependencies: ["SmartAuthCrypto"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SmartAuthJWTTests",
            dependencies: ["SmartAuthJWT", "SmartAuthCrypto"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SmartAuthCoreTests",
            dependencies: ["SmartAuthCore", "SmartAuthTesting", "SmartAuthJWT"],
            swiftSettings: swiftSettings
        ),
        // The one suite every SessionStore must pass, parameterised over the stores.
        .testTarget(
            name: "SessionStoreConformanceTests",
            dependencies: [
                "SmartAuthCore", "SmartAuthTesting", "SmartAuthJWT", "SmartAuthSQLiteStore", "SmartAuthRedisStore",
                "SmartAuthPostgresStore",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SmartAuthSQLiteStoreTests",
            dependencies: ["SmartAuthSQLiteStore", "SmartAuthCore", "SmartAuthTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SmartAuthRedisStoreTests",
            dependencies: ["SmartAuthRedisStore", "SmartAuthCore", "SmartAuthTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SmartAuthPostgresStoreTests",
            dependencies: ["SmartAuthPostgresStore", "SmartAuthCore", "SmartAuthTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SmartAuthHTTPTests",
            dependencies: ["SmartAuthHTTP", "SmartAuthCore", "SmartAuthTesting", "SmartAuthJWT"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SmartAuthServerTests",
            dependencies: ["SmartAuthServer", "CSmartAuthHTTP", "SmartAuthHTTP", "SmartAuthCore", "SmartAuthTesting", "SmartAuthJWT"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SmartAuthCommandLineTests",
            dependencies: ["SmartAuthCommandLine", "SmartAuthBenchmarks", "SmartAuthJWT", "SmartAuthCrypto"],
            swiftSettings: swiftSettings
        ),
    ]
)
