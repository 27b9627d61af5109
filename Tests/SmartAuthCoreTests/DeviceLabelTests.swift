import SmartAuthCore
import Testing

@Suite struct DeviceLabelTests {
    @Test(arguments: [
        ("Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0", "Firefox 126 on Linux"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36", "Chrome 125 on Windows"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.2535.67", "Edge 125 on Windows"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari on macOS"),
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36", "Chrome 125 on Android"),
        ("curl/8.5.0", "curl"),
        ("", "Unknown device"),
    ])
    func labelsCommonUserAgents(userAgent: String, label: String) {
        #expect(ClientInfo(userAgent: userAgent).deviceLabel == label)
    }

    @Test func aDeviceNameWins() {
        #expect(ClientInfo(userAgent: "curl/8.5.0", deviceName: "Work laptop").deviceLabel == "Work laptop")
    }
}
