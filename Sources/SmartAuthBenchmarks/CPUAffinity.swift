internal import CSmartAuthProcess
import Foundation
import Glibc

/// Pins this whole process (every thread, and so the tools it starts afterwards) to some CPUs, so that a bench's
/// client side and the server it measures do not share cores: then the server's limit is its own, not what is
/// left of the machine after the client (`smart-auth bench store --cpus`, like `bench http`'s `taskset`).
package enum CPUAffinity {
    /// Parses a CPU list: `0`, `0-2`, `0,2-3`.
    package static func parse(_ text: String) -> [Int]? {
        var cpus: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            guard (1...2).contains(bounds.count), let low = bounds.first ?? nil, let high = bounds.last ?? nil,
                low >= 0, low <= high, high < 1024
            else { return nil }
            cpus += Array(low...high)
        }
        return cpus.isEmpty ? nil : Array(Set(cpus)).sorted()
    }

    /// Restricts every thread of this process to `cpus`. Threads started later by a pinned thread inherit the
    /// restriction, so the listing of threads is repeated until it finds no thread left unpinned.
    package static func pinProcess(to cpus: [Int]) throws(BenchmarkError) {
        var pinned = Set<Int32>()
        while true {
            let threads = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []).compactMap { Int32($0) }
            let fresh = threads.filter { !pinned.contains($0) }
            if fresh.isEmpty { return }
            for thread in fresh {
                let error = pin(thread, cpus)
                // A thread that ended meanwhile is no matter.
                guard error == 0 || error == ESRCH else {
                    throw BenchmarkError("cannot pin this process to CPUs \(cpus): \(String(cString: strerror(error)))")
                }
                pinned.insert(thread)
            }
        }
    }

    private static func pin(_ thread: Int32, _ cpus: [Int]) -> Int32 {
        let list = cpus.map { Int32($0) }
        return list.withUnsafeBufferPointer { smartauth_pin_thread(thread, $0.baseAddress!, Int32($0.count)) }
    }
}
