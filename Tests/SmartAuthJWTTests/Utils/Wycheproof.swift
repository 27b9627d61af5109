import Foundation
import Testing

/// Loads Project Wycheproof vector files in place from `SMARTAUTH_VECTORS` (default `../shared/vectors`
/// beside the checkout). Absent vectors skip the suite locally, but fail it under `CI=true`.
enum Wycheproof {
    /// The vectors folder, if present.
    static let directory: URL? = {
        let environment = ProcessInfo.processInfo.environment
        let candidates: [URL] = [
            environment["SMARTAUTH_VECTORS"].map { URL(fileURLWithPath: $0) },
            URL(fileURLWithPath: #filePath)  // Tests/SmartAuthJWTTests/Utils/Wycheproof.swift
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/vectors"),
        ].compactMap { $0 }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("wycheproof").path) }
    }()

    static var isAvailable: Bool { directory != nil }

    /// Whether missing vectors are an error (in CI they must be there).
    static var required: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// One test: its id, comment, upstream verdict and every other field as JSON.
    struct TestCase: CustomStringConvertible {
        let id: Int
        let comment: String
        let result: String
        let fields: [String: Any]
        let group: [String: Any]
        var description: String { "tcId \(id) (\(comment))" }

        func string(_ name: String) -> String? { fields[name] as? String }
    }

    /// Every test of a file, with its group.
    static func load(_ file: String) throws -> [TestCase] {
        guard let directory else { throw MissingVectors() }
        let url = directory.appendingPathComponent("wycheproof").appendingPathComponent(file)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let groups = try #require(root["testGroups"] as? [[String: Any]])
        var cases: [TestCase] = []
        for group in groups {
            for test in group["tests"] as? [[String: Any]] ?? [] {
                let id = (test["tcId"] as? Int) ?? Int(test["tcId"] as? String ?? "") ?? -1
                cases.append(
                    TestCase(
                        id: id, comment: test["comment"] as? String ?? "", result: test["result"] as? String ?? "",
                        fields: test, group: group))
            }
        }
        return cases
    }

    /// The project's documented deviations from upstream verdicts (`wycheproof-overrides.json`).
    static func overrides(for file: String) throws -> [Int: [String: Any]] {
        guard let directory else { throw MissingVectors() }
        let url = directory.appendingPathComponent("wycheproof-overrides.json")
        guard let data = try? Data(contentsOf: url),
            let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let all = root["overrides"] as? [String: Any], let forFile = all[file] as? [String: [String: Any]]
        else { return [:] }
        var result: [Int: [String: Any]] = [:]
        for (id, value) in forFile { if let id = Int(id) { result[id] = value } }
        return result
    }

    /// JSON text of a member that is itself JSON (a JWK or JWK Set).
    static func jsonText(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    struct MissingVectors: Error, CustomStringConvertible {
        var description: String { "Wycheproof vectors not found: set SMARTAUTH_VECTORS or place shared/vectors beside the checkout" }
    }
}

/// A trait-free guard: returns false (and records an issue under CI) when vectors are missing.
func wycheproofAvailable() -> Bool {
    if Wycheproof.isAvailable { return true }
    if Wycheproof.required {
        Issue.record("Wycheproof vectors are missing in CI: \(Wycheproof.MissingVectors())")
    } else {
        print("note: Wycheproof vectors not found; skipping (set SMARTAUTH_VECTORS)")
    }
    return false
}
