import Foundation
import SmartAuthBenchmarks
import Testing

/// The benchmarks' helper tools start with a clean signal state even from a thread of the concurrency pool,
/// which blocks most signals (a pgbench started with SIGALRM blocked never ends its `-T` run).
@Suite struct ChildProcessTests {
    /// One `Sig…:` line of a /proc status file, as its hexadecimal mask.
    static func mask(_ name: String, in status: String) -> UInt64? {
        status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
            .flatMap { UInt64($0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces), radix: 16) }
    }

    @Test func aChildStartedFromAPoolThreadHasNoSignalBlockedOrIgnored() async throws {
        let (callerMask, child) = await Task.detached {
            let own = (try? String(contentsOfFile: "/proc/thread-self/status", encoding: .utf8)) ?? ""
            return (Self.mask("SigBlk", in: own), ChildProcess.run("/usr/bin/env", ["cat", "/proc/self/status"]))
        }.value
        // The premise: this pool thread blocks SIGALRM (14) and SIGTERM (15), which Foundation's Process passes on.
        let alarmAndTerm: UInt64 = 1 << 13 | 1 << 14
        #expect((callerMask ?? 0) & alarmAndTerm == alarmAndTerm)
        #expect(child.status == 0)
        #expect(Self.mask("SigBlk", in: child.output) == 0)
        // Signals 1–31 at their default action (glibc keeps its two internal real-time signals, 32 and 33, ignored).
        #expect(Self.mask("SigIgn", in: child.output).map { $0 & 0x7fff_ffff } == 0)
    }

    @Test func exitStatusesAndSignalsAreReported() {
        #expect(ChildProcess.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"]) == (3, "out\nerr\n"))
        #expect(ChildProcess.run("/bin/sh", ["-c", "kill -TERM $$"]).status == 128 + SIGTERM)
        let missing = ChildProcess.run("/nonexistent/tool", [])
        #expect(missing.status == -1)
        #expect(missing.output.contains("cannot start /nonexistent/tool"))
    }

    @Test func aRunningChildIsStoppedBySIGTERM() throws {
        let child = try ChildProcess(executable: "/bin/sleep", arguments: ["30"], environment: [:], output: 2)
        #expect(child.isRunning)
        child.send(SIGTERM)
        #expect(child.waitForExit() == 128 + SIGTERM)
        #expect(!child.isRunning)
    }
}
