import Foundation
import SmartAuthHTTP

/// The OpenAPI 3.1 description of the REST API, kept in the repository as
/// `Sources/SmartAuthServer/Resources/openapi.json` and served at `/openapi.json`.
enum OpenAPIDocument {
    static let bytes: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { return Array(#"{"error":"openapi.json missing from the build"}"#.utf8) }
        return Array(data)
    }()

    static func response() -> HTTPResponse {
        HTTPResponse(status: 200, headers: ["Content-Type": "application/json", "Cache-Control": "public, max-age=3600"], body: bytes)
    }
}
