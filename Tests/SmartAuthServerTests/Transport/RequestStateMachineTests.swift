import SmartAuthHTTP
import Testing

@testable import SmartAuthServer

/// Every transition of the per-request state machine, without libmicrohttpd.
@Suite struct RequestStateMachineTests {
    private let head = HTTPRequest(method: "POST", path: "/p", remoteAddress: "192.0.2.1")

    private func received(_ bytes: [UInt8], _ machine: inout RequestStateMachine, limit: Int = 8)
        -> RequestStateMachine.BodyAction
    {
        bytes.withUnsafeBytes { machine.receivedBody($0, limit: limit) }
    }

    private func isState(_ machine: RequestStateMachine, _ check: (RequestStateMachine.State) -> Bool) -> Bool {
        check(machine.state)
    }

    @Test func handlerThatAwaitsIsAnsweredOnTheCallAfterTheResume() throws {
        var machine = RequestStateMachine()
        #expect(machine.receivedHead(.accept(head, contentLength: 5)) == .continueReading)
        #expect(received([1, 2, 3], &machine) == .consumed)
        #expect(received([4, 5], &machine) == .consumed)
        guard case .run(let request) = machine.receivedFullRequest(acceptingWork: true) else {
            Issue.record("expected run")
            return
        }
        #expect(request.body == [1, 2, 3, 4, 5])
        #expect(request.path == "/p")
        // The handler awaited: the worker thread suspends the connection.
        guard case .suspend = machine.handlerLeftThread(acceptingWork: true) else {
            Issue.record("expected suspend")
            return
        }
        #expect(machine.handlerFinished(HTTPResponse(status: 201)) == .resume)
        // Only one resume per suspension, whoever asks.
        #expect(machine.abandon() == .none)
        #expect(machine.handlerFinished(HTTPResponse(status: 202)) == .none)
        guard case .queue(let response) = machine.receivedFullRequest(acceptingWork: true) else {
            Issue.record("expected queue")
            return
        }
        #expect(response.status == 201)
        #expect(machine.receivedFullRequest(acceptingWork: true).isClose)
        machine.completed()
        #expect(isState(machine) { if case .closed = $0 { true } else { false } })
    }

    @Test func handlerThatFinishesOnTheWorkerThreadIsAnsweredWithoutSuspending() {
        var machine = RequestStateMachine()
        _ = machine.receivedHead(.accept(head, contentLength: nil))
        guard case .run = machine.receivedFullRequest(acceptingWork: true) else {
            Issue.record("expected run")
            return
        }
        // Finishing while still on the worker thread needs no resume: nothing is suspended.
        #expect(machine.handlerFinished(HTTPResponse(status: 200)) == .none)
        guard case .queue(let response) = machine.handlerLeftThread(acceptingWork: true) else {
            Issue.record("expected queue")
            return
        }
        #expect(response.status == 200)
        #expect(machine.abandon() == .none)
        #expect(machine.receivedFullRequest(acceptingWork: true).isClose)
    }

    @Test func handlerLeavingTheThreadAfterShutdownStoppedWaitingIsAnswered503() {
        var machine = RequestStateMachine()
        _ = machine.receivedHead(.accept(head, contentLength: nil))
        _ = machine.receivedFullRequest(acceptingWork: true)
        guard case .queueError(let status) = machine.handlerLeftThread(acceptingWork: false) else {
            Issue.record("expected 503")
            return
        }
        #expect(status == 503)
        // The handler's late answer is dropped.
        #expect(machine.handlerFinished(HTTPResponse(status: 200)) == .none)
    }

    @Test func abandonWhileTheHandlerIsOnTheWorkerThreadAnswers503WithoutAResume() {
        var machine = RequestStateMachine()
        _ = machine.receivedHead(.accept(head, contentLength: nil))
        _ = machine.receivedFullRequest(acceptingWork: true)
        #expect(machine.abandon() == .none)
        guard case .queueError(let status) = machine.handlerLeftThread(acceptingWork: true) else {
            Issue.record("expected 503")
            return
        }
        #expect(status == 503)
    }

    @Test func rejectedHeadQueuesTheErrorOnTheFirstCall() {
        var machine = RequestStateMachine()
        #expect(machine.receivedHead(.reject(status: 400)) == .queueError(status: 400))
        #expect(received([1], &machine) == .close)
        #expect(machine.receivedFullRequest(acceptingWork: true).isClose)
        #expect(machine.receivedHead(.accept(head, contentLength: nil)) == .close)
    }

    @Test func bodyOverTheLimitIsDroppedThenAnswered413() {
        var machine = RequestStateMachine()
        _ = machine.receivedHead(.accept(head, contentLength: nil))
        #expect(received(Array(repeating: 1, count: 6), &machine) == .consumed)
        #expect(received(Array(repeating: 1, count: 6), &machine) == .consumed)
        #expect(isState(machine) { if case .discarding = $0 { true } else { false } })
        guard case .queueError(let status) = machine.receivedFullRequest(acceptingWork: true) else {
            Issue.record("expected 413")
            return
        }
        #expect(status == 413)
    }

    @Test func endlessBodyPastTheLimitClosesTheConnection() {
        var machine = RequestStateMachine()
        _ = machine.receivedHead(.accept(head, contentLength: nil))
        let chunk = [UInt8](repeating: 0, count: 32 * 1024)
        var actions: [RequestStateMachine.BodyAction] = []
        for _ in 0..<10 { actions.append(received(chunk, &machine, limit: 1024)) }
        #expect(actions.prefix(4).allSatisfy { $0 == .consumed })
        #expect(actions.contains(.close))
    }

    @Test func clientGoneWhileHandlingDropsTheLateResponse() {
        var machine = RequestStateMachine()
        _ = machine.receivedHead(.accept(head, contentLength: nil))
        _ = machine.receivedFullRequest(acceptingWork: true)
        _ = machine.handlerLeftThread(acceptingWork: true)
        machine.completed()
        #expect(machine.handlerFinished(HTTPResponse(status: 200)) == .none)
        #expect(machine.abandon() == .none)
    }

    @Test func abandonedRequestIsAnswered503() {
        var machine = RequestStateMachine()
        _ = machine.receivedHead(.accept(head, contentLength: nil))
        _ = machine.receivedFullRequest(acceptingWork: true)
        _ = machine.handlerLeftThread(acceptingWork: true)
        #expect(machine.abandon() == .resume)
        #expect(machine.handlerFinished(HTTPResponse(status: 200)) == .none)
        guard case .queueError(let status) = machine.receivedFullRequest(acceptingWork: true) else {
            Issue.record("expected 503")
            return
        }
        #expect(status == 503)
    }

    @Test func requestCompletingAfterAbandonIsAnswered503WithoutSuspending() {
        var machine = RequestStateMachine()
        _ = machine.receivedHead(.accept(head, contentLength: nil))
        #expect(machine.abandon() == .none)
        guard case .queueError(let status) = machine.receivedFullRequest(acceptingWork: false) else {
            Issue.record("expected 503")
            return
        }
        #expect(status == 503)
    }
}

extension RequestStateMachine.FullRequestAction {
    fileprivate var isClose: Bool { if case .close = self { true } else { false } }
}
