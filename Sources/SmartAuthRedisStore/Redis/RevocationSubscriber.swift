import Foundation
import SmartAuthCore
import SmartAuthJWT
import Synchronization

/// The subscriber behind ``RedisStore/revocationNotices()``: one thread with its own connection, subscribed to the
/// store's channel, fanning notices out to every open stream.
///
/// The thread waits for data with `poll` in slices of 250 ms so that it notices ``stop()`` promptly; it sends a
/// `PING` after 15 s of silence, so a connection that died without closing is found out; after any failure it
/// reconnects with a growing pause (50 ms up to 2 s).
final class RevocationSubscriber: Sendable {
    private struct State {
        var continuations: [Int: AsyncStream<RevocationNotice>.Continuation] = [:]
        var nextID = 0
        var started = false
    }

    private let settings: ConnectionSettings
    private let channel: [UInt8]
    private let state = Mutex(State())
    private let stopped = Atomic<Bool>(false)
    private let subscribed = Atomic<Bool>(false)

    init(settings: ConnectionSettings, channel: [UInt8]) {
        self.settings = settings
        self.channel = channel
    }

    /// Whether the subscription is currently established.
    var isSubscribed: Bool { subscribed.load(ordering: .acquiring) }

    func makeStream() -> AsyncStream<RevocationNotice> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: RevocationNotice.self, bufferingPolicy: .bufferingNewest(1024))
        let (id, start) = state.withLock { state -> (Int, Bool) in
            let id = state.nextID
            state.nextID += 1
            state.continuations[id] = continuation
            defer { state.started = true }
            return (id, !state.started)
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.continuations.removeValue(forKey: id) }
        }
        if stopped.load(ordering: .acquiring) {
            continuation.finish()
        } else if start {
            let thread = Thread { [self] in run() }
            thread.name = "smartauth.redis.subscriber"
            thread.start()
        }
        return stream
    }

    /// Ends the thread (within about 250 ms) and every stream.
    func stop() {
        stopped.store(true, ordering: .releasing)
        let continuations = state.withLock { state in
            defer { state.continuations = [:] }
            return Array(state.continuations.values)
        }
        for continuation in continuations { continuation.finish() }
    }

    // MARK: - The thread

    private func run() {
        var pause = 50
        while !stopped.load(ordering: .acquiring) {
            do throws(SessionStoreError) {
                let connection = try subscribe()
                pause = 50
                try listen(on: connection)
            } catch {
                // Fall through to the pause and reconnect.
            }
            subscribed.store(false, ordering: .releasing)
            var waited = 0
            while waited < pause, !stopped.load(ordering: .acquiring) {
                Thread.sleep(forTimeInterval: 0.05)
                waited += 50
            }
            pause = min(pause * 2, 2000)
        }
        subscribed.store(false, ordering: .releasing)
    }

    private func subscribe() throws(SessionStoreError) -> RedisConnection {
        let connection = try RedisConnection.connect(
            to: settings.endpoint, connectTimeout: settings.connectTimeout, commandTimeout: settings.commandTimeout)
        let reply = try connection.command(RedisCommand("SUBSCRIBE", [channel]))
        guard let parts = reply.elements, parts.first?.text == "subscribe" else {
            throw SessionStoreError(.unavailable, "Redis refused the subscription")
        }
        subscribed.store(true, ordering: .releasing)
        return connection
    }

    private func listen(on connection: RedisConnection) throws(SessionStoreError) {
        var silentSlices = 0
        while !stopped.load(ordering: .acquiring) {
            guard let push = try connection.nextPush(timeoutMilliseconds: 250) else {
                silentSlices += 1
                if silentSlices == 60 { try connection.send(RedisCommand("PING")) }
                if silentSlices > 80 { throw SessionStoreError(.unavailable, "the subscription went silent") }
                continue
            }
            silentSlices = 0
            guard let parts = push.elements, parts.first?.text == "message", parts.count == 3,
                let payload = parts[2].bytes, let notice = Self.notice(from: payload)
            else { continue }
            deliver(notice)
        }
    }

    private func deliver(_ notice: RevocationNotice) {
        let continuations = state.withLock { Array($0.continuations.values) }
        for continuation in continuations { continuation.yield(notice) }
    }

    /// A notice from the scripts' JSON: `{"s": [session ids], "u": user id (optional)}`.
    static func notice(from payload: [UInt8]) -> RevocationNotice? {
        guard let object = try? JSONParser().parse(payload).objectValue, let ids = object["s"]?.arrayValue else {
            return nil
        }
        let sessionIDs = ids.compactMap { $0.stringValue.map { SessionID($0) } }
        return RevocationNotice(sessionIDs: sessionIDs, userID: object["u"]?.stringValue.map { UserID($0) })
    }
}
