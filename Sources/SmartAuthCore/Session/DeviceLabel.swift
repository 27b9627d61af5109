import Foundation

/// A short human label for a `User-Agent` string: browser (with major version where it helps) and platform.
///
/// This is a label for a "your sessions" page, not browser detection for feature decisions: it knows the
/// common browsers and platforms and says "Unknown" for the rest.
struct DeviceLabel: CustomStringConvertible {
    let browser: String?
    let platform: String?

    init(userAgent: String) {
        let ua = userAgent
        func version(after token: String) -> String? {
            guard let range = ua.range(of: token) else { return nil }
            let digits = ua[range.upperBound...].prefix { $0.isNumber }
            return digits.isEmpty ? nil : String(digits)
        }
        // Order matters: Edge and Opera also say Chrome; Chrome also says Safari.
        if let v = version(after: "Edg/") {
            browser = "Edge \(v)"
        } else if let v = version(after: "OPR/") {
            browser = "Opera \(v)"
        } else if let v = version(after: "Firefox/") {
            browser = "Firefox \(v)"
        } else if let v = version(after: "FxiOS/") {
            browser = "Firefox \(v)"
        } else if let v = version(after: "CriOS/") {
            browser = "Chrome \(v)"
        } else if let v = version(after: "Chrome/") {
            browser = "Chrome \(v)"
        } else if ua.contains("Safari/"), ua.contains("Version/") {
            browser = "Safari"
        } else if ua.hasPrefix("curl/") {
            browser = "curl"
        } else {
            browser = nil
        }
        if ua.contains("iPhone") {
            platform = "iPhone"
        } else if ua.contains("iPad") {
            platform = "iPad"
        } else if ua.contains("Android") {
            platform = "Android"
        } else if ua.contains("Windows") {
            platform = "Windows"
        } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
            platform = "macOS"
        } else if ua.contains("CrOS") {
            platform = "ChromeOS"
        } else if ua.contains("Linux") {
            platform = "Linux"
        } else {
            platform = nil
        }
    }

    var description: String {
        switch (browser, platform) {
        case let (browser?, platform?): "\(browser) on \(platform)"
        case let (browser?, nil): browser
        case let (nil, platform?): "Unknown browser on \(platform)"
        case (nil, nil): "Unknown device"
        }
    }
}
