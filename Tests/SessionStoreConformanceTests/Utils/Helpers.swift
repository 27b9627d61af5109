import Foundation
import SmartAuthCore
import SmartAuthTesting
import Testing

/// A refresh of `session` presenting `generation`, with the suite's default windows.
func refresh(
    _ session: Session, generation: UInt64? = nil, at now: Date, graceWindow: TimeInterval = 10,
    idleTimeout: TimeInterval = 30 * 60, client: ClientInfo = SessionFixtures.iPhone
) -> RotationRequest {
    RotationRequest(
        sessionID: session.id, presentedGeneration: generation ?? session.generation, now: now,
        graceWindow: graceWindow, idleTimeout: idleTimeout, client: client
    )
}

extension RotationOutcome {
    /// The session a ``rotated(_:previousClient:)`` outcome carries.
    var rotatedSession: Session? {
        if case .rotated(let session, _) = self { return session }
        return nil
    }

    /// A short name of the case, for counting outcomes.
    var kind: String {
        switch self {
        case .rotated: "rotated"
        case .grace: "grace"
        case .reused: "reused"
        case .invalid: "invalid"
        }
    }
}

extension Session {
    /// This session as a successful rotation at `now` makes it.
    func rotated(at now: Date, idleTimeout: TimeInterval = 30 * 60, client: ClientInfo = SessionFixtures.iPhone)
        -> Session
    {
        var next = self
        next.generation += 1
        next.rotatedAt = now
        next.lastSeenAt = now
        next.idleExpiresAt = Swift.min(now.addingTimeInterval(idleTimeout), absoluteExpiresAt)
        next.client = client
        return next
    }
}

/// Rotates with `request` and returns the successor, recording an issue at the caller if it did not rotate.
func mustRotate(
    _ store: any SessionStore, _ request: RotationRequest, sourceLocation: SourceLocation = #_sourceLocation
) async throws -> Session {
    let outcome = try await store.rotate(request)
    return try #require(outcome.rotatedSession, "expected a rotation, got \(outcome)", sourceLocation: sourceLocation)
}
