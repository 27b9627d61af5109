import Glibc

/// CPU time (user + system) from `getrusage`, to tell what each side of a store bench spends per operation: on a
/// machine where the client and the server share the cores, a client that costs more CPU per operation leaves the
/// server less, whatever the server's own speed.
enum CPUTime {
    /// Seconds of CPU this process (every thread) has used so far.
    static var process: Double { seconds(RUSAGE_SELF.rawValue) }

    /// Seconds of CPU used so far by this process's children that have ended and been waited for (the reference
    /// tools, which `StoreReference.runTool` waits for).
    static var endedChildren: Double { seconds(RUSAGE_CHILDREN.rawValue) }

    private static func seconds(_ who: __rusage_who_t) -> Double {
        var usage = rusage()
        guard getrusage(who, &usage) == 0 else { return 0 }
        func value(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return value(usage.ru_utime) + value(usage.ru_stime)
    }

    /// Microseconds per operation, or nil without operations.
    static func microsecondsPerOperation(_ seconds: Double, operations: Double) -> Double? {
        operations > 0 ? seconds * 1e6 / operations : nil
    }
}
