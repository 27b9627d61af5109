/// What SmartAuth knows of the client behind a request: its address, its user agent and, optionally, a
/// device name the user chose ("Work laptop").
public struct ClientInfo: Hashable, Sendable, Codable {
    /// The client's IP address as text (IPv4 or IPv6), after trusted-proxy resolution by the caller.
    public var ipAddress: String?
    /// The `User-Agent` header.
    public var userAgent: String?
    /// A name for the device, given by the user or the application.
    public var deviceName: String?

    /// A client description; every part is optional.
    public init(ipAddress: String? = nil, userAgent: String? = nil, deviceName: String? = nil) {
        self.ipAddress = ipAddress
        self.userAgent = userAgent
        self.deviceName = deviceName
    }

    /// A readable label for the device: the device name if one was given, else what the user agent says
    /// ("Firefox 126 on Linux", "Safari on iPhone"), else "Unknown device".
    public var deviceLabel: String {
        if let deviceName, !deviceName.isEmpty { return deviceName }
        return DeviceLabel(userAgent: userAgent ?? "").description
    }
}
