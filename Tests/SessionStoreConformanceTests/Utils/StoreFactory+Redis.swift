import Foundation
import SmartAuthCore
import SmartAuthRedisStore
import Testing

extension StoreFactory {
    /// ``RedisStore`` on the test server (`SMARTAUTH_TEST_REDIS_URL`, from `scripts/services.sh start`), each store
    /// under a fresh random key prefix, with four pooled connections so that the races run across connections.
    ///
    /// Without the variable the Redis cases are cancelled with a note; under `CI=true` that is a failure.
    static let redis = StoreFactory(name: "redis") {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["SMARTAUTH_TEST_REDIS_URL"], !url.isEmpty else {
            let note = "SMARTAUTH_TEST_REDIS_URL is not set (eval \"$(scripts/services.sh start)\"): Redis not tested"
            if environment["CI"] == "true" { Issue.record(Comment(rawValue: note)) } else { print("note: \(note)") }
            try Test.cancel(Comment(rawValue: note))
        }
        let prefix = "smartauth-test:conformance:\(UUID().uuidString):"
        // A generous command timeout: the suite runs in parallel on a shared, busy machine.
        return try RedisStore(url: url, configuration: .init(keyPrefix: prefix, poolSize: 4, commandTimeout: 15))
    }
}
