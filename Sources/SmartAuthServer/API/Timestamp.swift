import Foundation

/// RFC 3339 timestamps (`2030-01-01T00:00:00Z`) for JSON bodies and the access log, formatted with one shared,
/// immutable format style instead of a new formatter per request.
enum Timestamp {
    private static let style = Date.ISO8601FormatStyle()

    static func string(_ date: Date) -> String { style.format(date) }
}
