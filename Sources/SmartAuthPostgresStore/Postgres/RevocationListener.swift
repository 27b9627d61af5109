import Foundation
import SmartAuthCore
import SmartAuthJWT
import Synchronization

/// The store's `LISTEN` connection, on a thread of its own, fanning notifications out to every subscriber's
/// `AsyncStream`.
///
/// The thread starts with the first subscriber and ends when the last one stops iterating (or the store goes
/// away). It waits on the socket with `poll` (200 ms at a time, so that it notices a stop), reads with
/// `PQconsumeInput` and `PQnotifies`, and reconnects after ``PostgresStore/Configuration/reconnectInterval`` when
/// the connection breaks. Notifications sent while it is reconnecting are lost, which the feed's contract allows.
final class RevocationListener: Sendable {
    private struct State: Sendable {
        var subscribers: [Int: AsyncStream<RevocationNotice>.Continuation] = [:]
        var nextID = 0
        var running = false
        var stopped = false
        var listening = false
    }

    private let state = Mutex(State())
    private let settings: ConnectionSettings

    init(settings: ConnectionSettings) {
        self.settings = settings
    }

    /// Whether a `LISTEN` is in place now (tests wait for it before revoking).
    var isListening: Bool { state.withLock { $0.listening } }

    /// A new subscriber's stream.
    func subscribe() -> AsyncStream<RevocationNotice> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: RevocationNotice.self, bufferingPolicy: .bufferingNewest(4096))
        let registration = state.withLock { state -> (id: Int, start: Bool)? in
            guard !state.stopped else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = continuation
            defer { state.running = true }
            return (id, !state.running)
        }
        guard let registration else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: registration.id) }
        }
        if registration.start {
            let thread = Thread { [self] in self.run() }
            thread.name = "SmartAuthPostgresStore listener"
            thread.start()
        }
        return stream
    }

    /// Ends every stream; the thread ends within one poll interval.
    func stop() {
        let subscribers = state.withLock { state in
            state.stopped = true
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }

    private func run() {
        var connection: PostgresConnection?
        while shouldContinue() {
            guard let current = connection else {
                do throws(SessionStoreError) {
                    let now = ContinuousClock.now
                    let opened = try PostgresConnection.connect(
                        parameters: settings.connectionParameters, deadline: now.advanced(by: settings.connectTimeout))
                    _ = try opened.execute(
                        OneOffSQL("LISTEN ", settings.channel), deadline: now.advanced(by: settings.statementTimeout))
                    connection = opened
                    state.withLock { $0.listening = true }
                } catch {
                    state.withLock { $0.listening = false }
                    Thread.sleep(forTimeInterval: Double(settings.reconnectInterval.components.seconds)
                        + Double(settings.reconnectInterval.components.attoseconds) / 1e18)
                }
                continue
            }
            guard current.awaitInput(timeoutMilliseconds: 200) else {
                connection = nil
                state.withLock { $0.listening = false }
                continue
            }
            for notification in current.takeNotifications() where notification.channel == settings.channel.name {
                guard let notice = NoticePayload.decode(notification.payload) else { continue }
                let subscribers = state.withLock { Array($0.subscribers.values) }
                for subscriber in subscribers { subscriber.yield(notice) }
            }
        }
    }

    /// Whether to keep listening; when not, marks the thread as ended under the same lock, so that a new
    /// subscriber starts a new one.
    private func shouldContinue() -> Bool {
        state.withLock { state in
            if state.stopped || state.subscribers.isEmpty {
                state.running = false
                state.listening = false
                return false
            }
            return true
        }
    }
}

/// The text of a revocation notification: `{"s":["<session id>",…],"u":"<user id>"}` (`u` only when every session
/// of the user ended), under PostgreSQL's 8000-byte payload limit.
enum NoticePayload {
    /// PostgreSQL refuses payloads of 8000 bytes or more.
    static let maximumBytes = 7_900

    /// One or more payloads that together name every session in `sessionIDs`.
    static func chunks(sessionIDs: [String], userID: String?) -> [String] {
        var payloads: [String] = []
        var chunk: [String] = []
        var size = 0
        let base = encode([], userID: userID).utf8.count
        for id in sessionIDs {
            let cost = JSONWriter.bytes(of: .string(id)).count + 1
            if !chunk.isEmpty && base + size + cost > maximumBytes {
                payloads.append(encode(chunk, userID: userID))
                chunk = []
                size = 0
            }
            chunk.append(id)
            size += cost
        }
        if !chunk.isEmpty { payloads.append(encode(chunk, userID: userID)) }
        // A notice too long to send (identifiers near the store's size cap) is dropped rather than failing the
        // revocation; the feed is best-effort, bounded by the engine's cache ttl.
        return payloads.filter { $0.utf8.count < 8000 }
    }

    static func encode(_ sessionIDs: [String], userID: String?) -> String {
        var object: JSONObject = ["s": .array(sessionIDs.map { .string($0) })]
        if let userID { object["u"] = .string(userID) }
        return JSONWriter.string(of: .object(object))
    }

    static func decode(_ payload: [UInt8]) -> RevocationNotice? {
        guard let object = try? JSONParser().parse(payload).objectValue,
            let ids = object["s"]?.arrayValue
        else { return nil }
        let sessionIDs = ids.compactMap { $0.stringValue.map { SessionID($0) } }
        return RevocationNotice(sessionIDs: sessionIDs, userID: object["u"]?.stringValue.map { UserID($0) })
    }
}
