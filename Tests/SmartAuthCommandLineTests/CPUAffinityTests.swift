import Foundation
import SmartAuthBenchmarks
import Testing

/// `bench store --cpus`: the CPU list and the pinning of every thread of the process.
@Suite struct CPUAffinityTests {
    @Test func cpuListsParseLikeTaskset() {
        #expect(CPUAffinity.parse("0") == [0])
        #expect(CPUAffinity.parse("0-0") == [0])
        #expect(CPUAffinity.parse("0,2-3") == [0, 2, 3])
        #expect(CPUAffinity.parse("3,1,1-2") == [1, 2, 3])
        for bad in ["", "a", "1-", "-1", "2-1", "0,,1", "0-1-2", "5000"] {
            #expect(CPUAffinity.parse(bad) == nil, "\(bad)")
        }
    }

    /// The CPUs each thread of this process may run on, from /proc.
    static func allowedByThread() -> [String] {
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return threads.compactMap { thread in
            (try? String(contentsOfFile: "/proc/self/task/\(thread)/status", encoding: .utf8))?
                .split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }
                .map { $0.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces) }
        }
    }

    @Test func pinningReachesEveryThreadAndTheChildrenStartedAfterwards() throws {
        // Put back what the process had (the whole machine, or a container's share of it).
        let original = try #require(Self.allowedByThread().first.flatMap(CPUAffinity.parse))
        defer { try? CPUAffinity.pinProcess(to: original) }
        try CPUAffinity.pinProcess(to: [0])
        let threads = Self.allowedByThread()
        #expect(threads.count > 1)
        #expect(threads.allSatisfy { $0 == "0" }, "\(threads)")
        let child = ChildProcess.run("/usr/bin/env", ["grep", "Cpus_allowed_list", "/proc/self/status"])
        #expect(child.output.hasSuffix("\t0\n"), "\(child.output)")
    }
}
