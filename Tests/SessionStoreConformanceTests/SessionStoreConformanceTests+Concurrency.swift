import Foundation
import SmartAuthCore
import SmartAuthTesting
import Testing

/// Races with real concurrency: each claim of atomicity is checked by many tasks at once.
extension SessionStoreConformanceTests {
    @Test(arguments: StoreFactory.all)
    func concurrentRefreshesOfOneTokenHaveExactlyOneWinnerAndGraceForTheRest(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let session = SessionFixtures.session(createdAt: clock.now())
        try await store.create(session)
        clock.advance(by: 1)
        let request = refresh(session, at: clock.now(), graceWindow: 30)

        let outcomes = try await race(1_000) { _ in try await store.rotate(request) }
        let winners = outcomes.compactMap(\.rotatedSession)
        #expect(winners.count == 1)
        let successor = try #require(winners.first)
        #expect(successor.generation == 1)
        #expect(outcomes.filter { $0 == .grace(successor) }.count == 999)
        #expect(try await store.session(session.id, at: clock.now()) == successor)
    }

    @Test(arguments: StoreFactory.all)
    func concurrentRefreshesWithoutGraceHaveOneWinnerAndOneReplay(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let session = SessionFixtures.session(user: "ada", createdAt: clock.now())
        try await store.create(session)
        clock.advance(by: 1)
        let request = refresh(session, at: clock.now(), graceWindow: 0)

        // The first loser presents the generation before the current one with no window: a replay, which deletes
        // the session; every later caller finds nothing.
        let outcomes = try await race(1_000) { _ in try await store.rotate(request) }
        let counts = Dictionary(grouping: outcomes, by: \.kind).mapValues(\.count)
        #expect(counts["rotated"] == 1)
        #expect(counts["reused"] == 1)
        #expect(counts["invalid"] == 998)
        #expect(counts["grace"] == nil)
        #expect(try await store.session(session.id, at: clock.now()) == nil)
        #expect(try await store.sessions(of: "ada", at: clock.now()).isEmpty)
    }

    @Test(arguments: StoreFactory.all)
    func concurrentCreatesRevokesAndRevokeAllsLoseNothing(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let now = clock.now()
        let kept = SessionFixtures.session(user: "ada", createdAt: now)
        try await store.create(kept)
        let sessions = (0..<600).map { index in
            SessionFixtures.session(user: "ada", createdAt: now.addingTimeInterval(Double(index % 7)))
        }
        let bystander = SessionFixtures.session(user: "grace", createdAt: now)
        try await store.create(bystander)

        enum Action: Sendable { case create(Session), revoke(SessionID), revokeAll(except: SessionID?) }
        var actions: [Action] = sessions.map { .create($0) }
        actions += sessions.enumerated().filter { $0.offset % 5 == 0 }.map { .revoke($0.element.id) }
        actions += (0..<40).map { index in .revokeAll(except: index % 2 == 0 ? kept.id : nil) }
        actions.shuffle()
        let shuffled = actions

        // Every task reports the sessions it ended.
        let ended = try await race(shuffled.count) { index -> [Session] in
            switch shuffled[index] {
            case .create(let session):
                try await store.create(session)
                return []
            case .revoke(let id):
                return try await store.revoke(id, at: now).map { [$0] } ?? []
            case .revokeAll(let keeping):
                return try await store.revokeAll(of: "ada", except: keeping, at: now)
            }
        }.flatMap { $0 }

        // Each session was ended at most once, and what was not ended is still listed, and only that.
        let endedIDs = ended.map(\.id)
        #expect(Set(endedIDs).count == endedIDs.count)
        let remaining = try await store.sessions(of: "ada", at: now)
        let remainingIDs = Set(remaining.map(\.id))
        #expect(remainingIDs.isDisjoint(with: endedIDs))
        #expect(remainingIDs.union(endedIDs) == Set((sessions + [kept]).map(\.id)))
        for session in sessions + [kept] {
            let stored = try await store.session(session.id, at: now)
            #expect((stored != nil) == remainingIDs.contains(session.id))
        }
        #expect(try await store.session(bystander.id, at: now) == bystander)
        // The index agrees with the sessions: one more revokeAll ends exactly what was listed.
        let last = try await store.revokeAll(of: "ada", except: nil, at: now)
        #expect(Set(last.map(\.id)) == remainingIDs)
        #expect(try await store.sessions(of: "ada", at: now).isEmpty)
    }

    @Test(arguments: StoreFactory.all)
    func concurrentRotationsOfManySessionsEachEndAtTheRightGeneration(_ factory: StoreFactory) async throws {
        let store = try await factory.make()
        let clock = ManualClock()
        let start = clock.now()
        let sessions = (0..<200).map { index in
            SessionFixtures.session(user: UserID("user-\(index % 20)"), createdAt: start)
        }
        for session in sessions { try await store.create(session) }
        let rotations = 10

        // One task per session rotates it `rotations` times; another touches it meanwhile, on the same shards.
        let finals = try await race(sessions.count * 2) { index -> Session? in
            var session = sessions[index / 2]
            if index % 2 == 1 {
                for step in 1...rotations {
                    _ = try await store.touch(session.id, at: start.addingTimeInterval(Double(step)), client: nil)
                }
                return nil
            }
            for step in 1...rotations {
                let outcome = try await store.rotate(refresh(session, at: start.addingTimeInterval(Double(step))))
                guard let rotated = outcome.rotatedSession, rotated.generation == UInt64(step) else {
                    Issue.record("rotation \(step) of \(session.id): \(outcome)")
                    return nil
                }
                session = rotated
            }
            return session
        }.compactMap { $0 }

        #expect(finals.count == sessions.count)
        let end = start.addingTimeInterval(Double(rotations))
        for final in finals {
            let stored = try #require(try await store.session(final.id, at: end))
            #expect(stored.generation == UInt64(rotations))
            #expect(stored.rotatedAt == final.rotatedAt)
        }
        let listed = try await store.sessions(of: "user-3", at: end)
        #expect(listed.count == 10)
        #expect(listed.allSatisfy { $0.generation == UInt64(rotations) })
    }
}

/// Runs `count` tasks at once, each calling `body` with its index, and returns their results in index order.
func race<Result: Sendable>(
    _ count: Int, _ body: @escaping @Sendable (Int) async throws -> Result
) async throws -> [Result] {
    try await withThrowingTaskGroup(of: (Int, Result).self) { group in
        for index in 0..<count {
            group.addTask { (index, try await body(index)) }
        }
        var results: [Result?] = Array(repeating: nil, count: count)
        for try await (index, result) in group { results[index] = result }
        return results.map { $0! }
    }
}
