import Foundation
import SmartAuthJWT

/// A plugin that writes one JSON line per ``AuthEvent``: an audit trail of logins, refreshes, revocations,
/// token reuse and client changes.
///
/// Each line is a compact JSON object, for example
/// `{"time":"2030-01-01T00:00:00.000Z","event":"sessionCreated","user":"u1","session":"s1","ip":"192.0.2.1"}`.
/// Its members, in this order, are `time` (UTC, to the nearest millisecond), `event` (the ``AuthEvent/Kind`` name),
/// `user`, `session`, `ip`, `user_agent`, `device` (the device name the user gave), `reason`, `generation`,
/// `previous_ip` and `previous_user_agent`; members whose value is unknown are left out. Strings are
/// JSON-escaped, so a user agent cannot forge a line or a member.
///
/// Events carry no tokens, passwords or keys, so neither does the log.
///
/// Use ``init(name:write:)`` to send lines anywhere (a logger, a test), or
/// ``appendingToFile(atPath:queueCapacity:)`` to append them to a file from a background thread.
public struct AuditLogPlugin: AuthPlugin {
    /// The plugin's name, `"audit-log"` unless given.
    public let name: String
    private let write: @Sendable (String) -> Void
    /// The file writer, for the file variant.
    let file: AuditLogFile?

    /// A plugin that passes each event's line to `write`.
    ///
    /// - Parameters:
    ///   - name: The plugin's name. Default `"audit-log"`.
    ///   - write: Called with one JSON line per event, without a trailing newline, on the thread that
    ///     publishes the event.
    /// - Warning: `write` runs while the request that caused the event waits: it must be quick and must not
    ///   block. Hand slow I/O to a queue, as ``appendingToFile(atPath:queueCapacity:)`` does.
    public init(name: String = "audit-log", write: @escaping @Sendable (String) -> Void) {
        self.name = name
        self.write = write
        self.file = nil
    }

    private init(name: String, file: AuditLogFile) {
        self.name = name
        self.write = { line in file.enqueue(line) }
        self.file = file
    }

    /// A plugin that appends each event's line, ending in `"\n"`, to the file at `path`.
    ///
    /// The file is opened for appending (`O_APPEND`), and created with mode `0600` (owner read and write
    /// only) if it does not exist; an existing file keeps its permissions. Each line goes to the file in one
    /// `write(2)`, so lines from several processes appending to the same file do not interleave.
    ///
    /// Writing never blocks authentication: lines go to a queue of at most `queueCapacity` lines, which a
    /// background thread drains into the file. When the queue is full, because the disk is slow or stuck,
    /// the line is dropped and counted in ``droppedLineCount``, as is a line that the file refused. Call
    /// ``flush()`` to wait until every line so far has been written. The file is closed when the last copy of
    /// the plugin is gone and its queue is empty.
    ///
    /// - Parameters:
    ///   - path: The log file's path.
    ///   - queueCapacity: The most lines waiting to be written. Default 4096; values below 1 are treated as 1.
    /// - Returns: The plugin, named `"audit-log"`.
    /// - Throws: ``AuthError`` with code ``AuthError/Code/configuration`` when the file cannot be opened or
    ///   created; the message names the path and the system's reason.
    public static func appendingToFile(atPath path: String, queueCapacity: Int = 4096) throws -> AuditLogPlugin {
        AuditLogPlugin(name: "audit-log", file: try AuditLogFile(path: path, capacity: max(1, queueCapacity)))
    }

    /// Writes the event's line.
    ///
    /// - Parameter event: The event to record.
    public func observe(_ event: AuthEvent) {
        write(Self.line(for: event))
    }

    /// Waits until every line handed over so far has been written to the file (with `write(2)`; this does not
    /// `fsync`). Returns at once for a plugin made with ``init(name:write:)``.
    ///
    /// This blocks the calling thread: call it at shutdown or in tests, not while serving a request.
    public func flush() {
        file?.flush()
    }

    /// How many lines the file variant lost, because its queue was full or the file refused them. Always 0
    /// for a plugin made with ``init(name:write:)``.
    public var droppedLineCount: Int { file?.droppedLineCount ?? 0 }

    /// The JSON line for `event`, without a trailing newline.
    static func line(for event: AuthEvent) -> String {
        var object = JSONObject()
        object["time"] = .string(Self.timestamp(event.time))
        object["event"] = .string(event.kind.name)
        object["user"] = event.userID.map { .string($0.rawValue) }
        object["session"] = event.sessionID.map { .string($0.rawValue) }
        object["ip"] = event.client?.ipAddress.map { .string($0) }
        object["user_agent"] = event.client?.userAgent.map { .string($0) }
        object["device"] = event.client?.deviceName.map { .string($0) }
        object["reason"] = event.reason.map { .string($0) }
        object["generation"] = event.generation.map(Self.number)
        object["previous_ip"] = event.previousClient?.ipAddress.map { .string($0) }
        object["previous_user_agent"] = event.previousClient?.userAgent.map { .string($0) }
        return JSONWriter.string(of: .object(object))
    }

    /// A `UInt64` as an exact JSON number.
    private static func number(_ value: UInt64) -> JSONValue {
        if let small = Int64(exactly: value) { return .number(JSONNumber(small)) }
        // Above Int64.max: JSONNumber has no public UInt64 initialiser, but parsing the digits gives one that
        // keeps the exact text.
        return (try? JSONParser().parse(Array(String(value).utf8))) ?? .string(String(value))
    }

    /// `date` as RFC 3339 in UTC, rounded to the millisecond, e.g. `2030-01-01T00:00:00.000Z`.
    ///
    /// Computed by hand (Howard Hinnant's `civil_from_days`,
    /// https://howardhinnant.github.io/date_algorithms.html) rather than with a date formatter: no locale,
    /// no calendar settings, no shared formatter to synchronise.
    static func timestamp(_ date: Date) -> String {
        // Nearest, not down: `Date` keeps a Double relative to 2001, so an exact millisecond can come back as
        // a hair below it (-0.001 s reads as -0.0010000000000001 s).
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.toNearestOrAwayFromZero))
        let (days, millisecondOfDay) = floorDivision(milliseconds, 86_400_000)
        let epochDays = days + 719_468  // days since 0000-03-01
        let (era, _) = floorDivision(epochDays, 146_097)
        let dayOfEra = epochDays - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)

        let hour = millisecondOfDay / 3_600_000
        let minute = millisecondOfDay / 60_000 % 60
        let second = millisecondOfDay / 1000 % 60
        let millisecond = millisecondOfDay % 1000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
            + ".\(pad(millisecond, 3))Z"
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
