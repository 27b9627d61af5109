import Foundation
@testable import SmartAuthCommandLine
import Testing

/// `smart-auth bench store`, run briefly: the JSON lines it promises, with the CPU per operation on both sides.
@Suite struct StoreBenchCommandTests {
    /// The JSON objects of a `--json` run, by their `bench` name.
    static func objects(_ output: String) throws -> [String: [String: Any]] {
        var byName: [String: [String: Any]] = [:]
        for line in output.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            byName[try #require(object["bench"] as? String)] = object
        }
        return byName
    }

    @Test func anEmbeddedStoreReportsItsFiguresAndCPUPerOperationWithoutALimit() throws {
        let run = ToolRun(["bench", "store", "--store", "memory:", "--seconds", "0.2", "--rounds", "1", "--concurrency", "4", "--json"])
        #expect(run.status == 0, "\(run.error)")
        let objects = try Self.objects(run.output)
        #expect(Set(objects.keys) == ["authenticate-stateful", "authenticate-cached", "refresh"])
        for (name, object) in objects {
            #expect((object["ops_per_sec"] as? Double ?? 0) > 0, "\(name)")
            #expect((object["cpu_us_per_op"] as? Double ?? 0) > 0, "\(name)")
            #expect(object["limit_ops_per_sec"] == nil, "\(name): an embedded store has no server limit")
        }
    }

    @Test func aPostgreSQLStoreIsMeasuredBesidePgbenchWithTheToolsCPUPerOperation() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["SMARTAUTH_TEST_POSTGRES_URL"] else {
            if environment["CI"] == "true" { Issue.record("SMARTAUTH_TEST_POSTGRES_URL is not set") }
            return
        }
        let run = ToolRun(["bench", "store", "--store", url, "--seconds", "0.5", "--rounds", "1", "--concurrency", "4", "--json"])
        #expect(run.status == 0, "\(run.error)")
        let objects = try Self.objects(run.output)
        for name in ["authenticate-stateful", "refresh"] {
            let object = try #require(objects[name], "\(name) missing from \(run.output)")
            #expect((object["limit_ops_per_sec"] as? Double ?? 0) > 0, "\(name)")
            #expect((object["limit_tool_cpu_us_per_op"] as? Double ?? 0) > 0, "\(name)")
            #expect((object["cpu_us_per_op"] as? Double ?? 0) > 0, "\(name)")
        }
        let ratio = try #require(objects["refresh-ratio"])
        #expect((ratio["ratio_median"] as? Double ?? 0) > 0)
        let propagation = try #require(objects["revocation-propagation"])
        #expect((propagation["p99_ms"] as? Double ?? -1) >= 0)
    }
}

@Suite struct StoreBenchLoopbackTests {
    @Test func aServerOnThisMachineIsRecognised() {
        for url in ["postgres://u@127.0.0.1:5432/db", "redis://localhost:6379/0", "postgres://u@[::1]/db", "postgres:///db",
                    "postgresql://u@%2Fvar%2Frun%2Fpostgresql/db"] {
            #expect(BenchStoreCommands.isLoopback(url), "\(url)")
        }
        for url in ["postgres://u@db.example.com/db", "redis://10.0.0.5:6379/0"] {
            #expect(!BenchStoreCommands.isLoopback(url), "\(url)")
        }
    }
}
