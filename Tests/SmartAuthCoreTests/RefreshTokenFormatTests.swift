import Foundation
import SmartAuthCore
import SmartAuthJWT
import Testing

@Suite struct RefreshTokenFormatTests {
    /// The refresh token is opaque base64url of a fixed layout; its 256-bit tag is the secret part.
    @Test func refreshTokensAreOpaqueFixedLengthAndUnique() async throws {
        let fixture = try EngineFixture()
        var tokens: Set<String> = []
        for index in 0..<50 {
            let pair = try await fixture.login(UserID("user-\(index)"))
            #expect(pair.refreshToken.utf8.count == 76)
            #expect(Base64URL.decode(pair.refreshToken)?.count == 57)
            tokens.insert(pair.refreshToken)
        }
        #expect(tokens.count == 50)
    }
}
