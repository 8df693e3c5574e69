import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Failover, retries and cooldowns")
struct BalancerFailoverTests {
    @Test("a retryable error moves the call at once to another member")
    func failoverOnRetryable() async throws {
        let clock = RoutingTestClock()
        let a = ScriptedMember("a", always: .fail(MemberFailure.status(500)))
        let b = ScriptedMember("b")
        let lb = LoadBalancer(configName: "lb", kind: .chat, members: fakeMembers(a, b), clock: clock)
        for _ in 0..<10 {
            let response = try await lb.acall("hi")
            #expect(servedBy(response) == "b")
            #expect(response.modelInfo.balancer == "lb")
        }
        // a fails 4 times (allowed_fails 3 within a minute, the 4th cools it) and is skipped after.
        #expect(a.calls == 4)
        #expect(b.calls == 10)
        let stats = lb.stats()[member: "a"]!
        #expect(stats.failuresByKind == [.serverError: 4])
        #expect(stats.cooldowns == 1)
        #expect(stats.cooldownRemaining == .seconds(5))
        #expect(clock.elapsed == .zero, "moving to another member does not wait")
    }

    @Test("connection errors and timeouts fail over too", arguments: [MemberFailure.connection, ModelError(.timeout, "read timeout"), MemberFailure.status(429), MemberFailure.status(408), MemberFailure.status(409)])
    func otherRetryables(error: ModelError) async throws {
        let a = ScriptedMember("a", always: .fail(error)), b = ScriptedMember("b")
        let lb = LoadBalancer(configName: "lb", kind: .chat, members: fakeMembers(a, b), clock: RoutingTestClock())
        #expect(servedBy(try await lb.acall("hi")) == "b")
        #expect(a.calls == 1)
    }

    @Test("400, 422 and context-length errors are returned at once", arguments: [MemberFailure.status(400), MemberFailure.status(422), MemberFailure.contextLength])
    func badRequestReturnedAtOnce(error: ModelError) async throws {
        let a = ScriptedMember("a", always: .fail(error)), b = ScriptedMember("b")
        let lb = LoadBalancer(configName: "lb", kind: .chat, members: fakeMembers(a, b), clock: RoutingTestClock())
        do {
            _ = try await lb.acall("hi")
            Issue.record("expected the member's error")
        } catch let thrown as ModelError {
            #expect(thrown == error)
        }
        #expect(a.calls == 1)
        #expect(b.calls == 0)
        #expect(lb.stats()[member: "a"]!.isCoolingDown == false)
    }

    @Test("401, 403 and 404 cool that member and move on", arguments: [401, 403, 404])
    func authCoolsAndMovesOn(status: Int) async throws {
        let clock = RoutingTestClock()
        let a = ScriptedMember("a", always: .fail(MemberFailure.status(status))), b = ScriptedMember("b")
        let lb = LoadBalancer(
            configName: "lb", kind: .chat, members: fakeMembers(a, b), settings: BalancerSettings(strategy: .roundRobin), clock: clock)
        #expect(servedBy(try await lb.acall("hi")) == "b")
        #expect(lb.stats()[member: "a"]!.cooldownRemaining == .seconds(5))
        for _ in 0..<5 { #expect(servedBy(try await lb.acall("hi")) == "b") }
        #expect(a.calls == 1, "a cooling member is skipped")
        clock.advance(by: .seconds(5))
        a.setAlways(.reply())
        var servers: Set<String> = []
        for _ in 0..<2 { servers.insert(servedBy(try await lb.acall("hi"))) }
        #expect(servers == ["a", "b"], "after its cooldown the member is used again")
    }

    @Test("a member's own cooldown_time overrides the balancer's")
    func memberCooldownOverride() async throws {
        let a = ScriptedMember("a", always: .fail(MemberFailure.status(401))), b = ScriptedMember("b")
        let lb = LoadBalancer(
            configName: "lb", kind: .chat,
            members: [
                BalancerMember(adapter: a, deployment: DeploymentSettings(cooldownTime: .seconds(30))),
                BalancerMember(adapter: b),
            ], clock: RoutingTestClock())
        _ = try await lb.acall("hi")
        #expect(lb.stats()[member: "a"]!.cooldownRemaining == .seconds(30))
    }

    @Test("a 429 with Retry-After cools exactly that long")
    func retryAfterCooldown() async throws {
        let clock = RoutingTestClock()
        let a = ScriptedMember("a", script: [.fail(MemberFailure.status(429, retryAfter: .seconds(7)))])
        let b = ScriptedMember("b")
        let lb = LoadBalancer(configName: "lb", kind: .chat, members: fakeMembers(a, b), clock: clock)
        #expect(servedBy(try await lb.acall("hi")) == "b")
        #expect(lb.stats()[member: "a"]!.cooldownRemaining == .seconds(7))
        clock.advance(by: .milliseconds(6_999))
        #expect(lb.stats()[member: "a"]!.cooldownRemaining == .milliseconds(1))
        for _ in 0..<3 { #expect(servedBy(try await lb.acall("hi")) == "b") }
        #expect(a.calls == 1)
        clock.advance(by: .milliseconds(1))
        #expect(lb.stats()[member: "a"]!.isCoolingDown == false)
        var servers: Set<String> = []
        for _ in 0..<2 { servers.insert(servedBy(try await lb.acall("hi"))) }
        #expect(servers.contains("a"))
    }

    @Test("when every member is cooling down the call waits for the first to recover")
    func allCooledThenOneRecovers() async throws {
        let clock = RoutingTestClock()
        let a = ScriptedMember("a", always: .fail(MemberFailure.status(401)))
        let b = ScriptedMember("b", always: .fail(MemberFailure.status(401)))
        let lb = LoadBalancer(
            configName: "lb", kind: .chat,
            members: [
                BalancerMember(adapter: a, deployment: DeploymentSettings(cooldownTime: .seconds(3))),
                BalancerMember(adapter: b, deployment: DeploymentSettings(cooldownTime: .seconds(10))),
            ], clock: clock)
        do {
            _ = try await lb.acall("first")
            Issue.record("both members fail")
        } catch let error as ModelError {
            #expect(error.kind == .allAttemptsFailed)
            #expect(error.status == 401)
            #expect(error.attempts.map(\.member) == ["a", "b"])
        }
        a.setAlways(.reply())
        b.setAlways(.reply())
        let waiting = Task { try await lb.acall("second") }
        #expect(await settles { lb.stats().queued == 1 })
        clock.advance(by: .milliseconds(2_999))
        #expect(lb.stats().queued == 1, "still waiting: nobody has recovered")
        #expect(a.calls == 1 && b.calls == 1)
        clock.advance(by: .milliseconds(1))
        let response = try await waiting.value
        #expect(servedBy(response) == "a")
        #expect(lb.stats().queued == 0)
    }

    @Test("waiting for a cooled balancer ends with a queue timeout")
    func allCooledQueueTimeout() async throws {
        let clock = RoutingTestClock()
        let a = ScriptedMember("a", always: .fail(MemberFailure.status(403)))
        let lb = LoadBalancer(
            configName: "lb", kind: .chat, members: fakeMembers(a),
            settings: BalancerSettings(cooldownTime: .seconds(120), queueTimeout: .seconds(10)), clock: clock)
        await #expect(throws: ModelError.self) { try await lb.acall("first") }
        let waiting = Task { try await lb.acall("second") }
        #expect(await settles { lb.stats().queued == 1 })
        clock.advance(by: .seconds(10))
        do {
            _ = try await waiting.value
            Issue.record("expected a queue timeout")
        } catch let error as ModelError {
            #expect(error.kind == .queueTimeout)
            #expect(error.configName == "lb")
        }
        #expect(a.calls == 1)
        #expect(lb.stats().queueTimeouts == 1)
    }

    @Test("a one-member balancer is not cooled into an outage by transient errors")
    func singleMemberNotCooled() async throws {
        let a = ScriptedMember("a", always: .fail(MemberFailure.status(503)))
        let lb = LoadBalancer(
            configName: "lb", kind: .chat, members: fakeMembers(a), settings: BalancerSettings(retryPolicy: .none), clock: RoutingTestClock())
        for _ in 0..<10 { await #expect(throws: ModelError.self) { try await lb.acall("hi") } }
        #expect(a.calls == 10)
        #expect(lb.stats()[member: "a"]!.cooldowns == 0)
        a.setAlways(.reply())
        #expect(servedBy(try await lb.acall("hi")) == "a")
    }

    @Test("with every member tried, the call backs off and retries for max_retries rounds")
    func backoffRounds() async throws {
        let clock = RoutingTestClock()
        let a = ScriptedMember("a", script: [.fail(MemberFailure.status(500)), .fail(MemberFailure.status(502))])
        let lb = LoadBalancer(configName: "lb", kind: .chat, members: fakeMembers(a), clock: clock)
        let call = Task { try await lb.acall("hi") }
        #expect(await settles { a.calls == 1 && clock.sleeperCount == 1 })
        clock.advance(by: .milliseconds(500))  // first backoff: 0.5 s × jitter ≤ 1
        #expect(await settles { a.calls == 2 && clock.sleeperCount == 1 })
        clock.advance(by: .seconds(1))  // second backoff: 1 s × jitter ≤ 1
        #expect(servedBy(try await call.value) == "a")
        #expect(a.calls == 3)
    }

    @Test("Retry-After decides the wait before the next round")
    func retryAfterWait() async throws {
        let clock = RoutingTestClock()
        let a = ScriptedMember("a", script: [.fail(MemberFailure.status(429, retryAfter: .seconds(3)))])
        let lb = LoadBalancer(configName: "lb", kind: .chat, members: fakeMembers(a), clock: clock)
        let call = Task { try await lb.acall("hi") }
        #expect(await settles { a.calls == 1 && clock.sleeperCount == 1 })
        clock.advance(by: .milliseconds(2_999))
        await Task.yield()
        #expect(a.calls == 1)
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .milliseconds(1))
        _ = try await call.value
        #expect(a.calls == 2)
    }

    @Test("after the rounds, one typed error keeps the original error and lists every attempt")
    func allAttemptsFailed() async throws {
        let a = ScriptedMember("a", always: .fail(ModelError(.serverError, "boom", status: 500, requestID: "req-1")))
        let b = ScriptedMember("b", always: .fail(ModelError(.serverError, "bust", status: 503, providerCode: "overloaded", requestID: "req-2")))
        let lb = LoadBalancer(
            configName: "lb", kind: .chat, members: fakeMembers(a, b),
            settings: BalancerSettings(allowedFails: 100, retryPolicy: RetryPolicy(maxRetries: 1, initialDelay: .zero)),
            clock: RoutingTestClock())
        do {
            _ = try await lb.acall("hi")
            Issue.record("expected a failure")
        } catch let error as ModelError {
            #expect(error.kind == .allAttemptsFailed)
            #expect(error.status == 503)
            #expect(error.providerCode == "overloaded")
            #expect(error.requestID == "req-2")
            #expect(error.configName == "lb")
            #expect(error.attempts.map(\.member) == ["a", "b", "a", "b"])
            #expect(error.attempts.map(\.status) == [500, 503, 500, 503])
            #expect(error.message.contains("bust"))
        }
    }

    @Test("a call's maxRetries overrides the balancer's rounds")
    func perCallMaxRetries() async throws {
        let a = ScriptedMember("a", always: .fail(MemberFailure.status(500)))
        let lb = LoadBalancer(
            configName: "lb", kind: .chat, members: fakeMembers(a),
            settings: BalancerSettings(retryPolicy: RetryPolicy(maxRetries: 5, initialDelay: .zero)), clock: RoutingTestClock())
        await #expect(throws: ModelError.self) { try await lb.acall("hi", options: CallOptions(maxRetries: 1)) }
        #expect(a.calls == 2)
    }

    @Test("fallbacks are tried in order after the members failed")
    func fallbacks() async throws {
        let a = ScriptedMember("a", always: .fail(MemberFailure.status(500)))
        let f1 = ScriptedMember("f1", always: .fail(MemberFailure.connection))
        let f2 = ScriptedMember("f2")
        let lb = LoadBalancer(
            configName: "lb", kind: .chat, members: fakeMembers(a), settings: BalancerSettings(retryPolicy: .none),
            fallbacks: [f1, f2], clock: RoutingTestClock())
        let response = try await lb.acall("hi")
        #expect(servedBy(response) == "f2")
        #expect(response.modelInfo.balancer == "lb")
        #expect(a.calls == 1 && f1.calls == 1 && f2.calls == 1)

        f2.setAlways(.fail(MemberFailure.status(502)))
        do {
            _ = try await lb.acall("hi")
            Issue.record("expected a failure")
        } catch let error as ModelError {
            #expect(error.kind == .allAttemptsFailed)
            #expect(error.attempts.map(\.member) == ["a", "f1", "f2"])
            #expect(error.status == 502)
        }
    }

    @Test("a nested balancer's failure lists its members' attempts, and its member names the reply")
    func nestedBalancers() async throws {
        let x = ScriptedMember("x", always: .fail(MemberFailure.status(500))), y = ScriptedMember("y")
        let inner = LoadBalancer(
            configName: "inner", kind: .chat, members: fakeMembers(x), settings: BalancerSettings(retryPolicy: .none), clock: RoutingTestClock())
        let outer = LoadBalancer(
            configName: "outer", kind: .chat,
            members: [BalancerMember(adapter: inner), BalancerMember(adapter: y)], clock: RoutingTestClock())
        let response = try await outer.acall("hi")
        #expect(response.modelInfo.balancer == "outer")
        #expect(response.modelInfo.member == "y")

        x.setAlways(.reply())
        let viaInner = try await outer.acall("hi")
        #expect(viaInner.modelInfo.balancer == "outer")
        #expect(viaInner.modelInfo.member == "x", "the innermost member is kept")

        y.setAlways(.fail(MemberFailure.status(500)))
        x.setAlways(.fail(MemberFailure.status(500)))
        let strict = LoadBalancer(
            configName: "strict", kind: .chat, members: [BalancerMember(adapter: inner), BalancerMember(adapter: y)],
            settings: BalancerSettings(retryPolicy: .none), clock: RoutingTestClock())
        do {
            _ = try await strict.acall("hi")
            Issue.record("expected a failure")
        } catch let error as ModelError {
            #expect(error.kind == .allAttemptsFailed)
            #expect(error.attempts.map(\.member) == ["inner", "y"])
        }
    }

    @Test("a custom adapter's own error type fails over like a server error")
    func foreignErrors() async throws {
        struct Oops: Error {}
        final class Throwing: ModelAdapter {
            let configName = "odd"
            func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse { throw Oops() }
        }
        let b = ScriptedMember("b")
        let lb = LoadBalancer(
            configName: "lb", kind: .chat, members: [BalancerMember(adapter: Throwing()), BalancerMember(adapter: b)],
            clock: RoutingTestClock())
        #expect(servedBy(try await lb.acall("hi")) == "b")
        #expect(lb.stats()[member: "odd"]!.failuresByKind == [.serverError: 1])
    }

    @Test("an empty balancer is a configuration error")
    func emptyBalancer() async throws {
        let lb = LoadBalancer(configName: "lb", kind: .chat, members: [], clock: RoutingTestClock())
        do {
            _ = try await lb.acall("hi")
            Issue.record("expected an error")
        } catch let error as ModelError {
            #expect(error.kind == .configuration)
        }
    }

    @Test("calls of the other kind are unsupported and touch no member")
    func wrongKind() async throws {
        let a = ScriptedMember("a")
        let lb = LoadBalancer(configName: "lb", kind: .chat, members: fakeMembers(a), clock: RoutingTestClock())
        do {
            _ = try await lb.acall(texts: ["x"])
            Issue.record("expected an error")
        } catch let error as ModelError {
            #expect(error.kind == .unsupported)
        }
        #expect(a.calls == 0)
    }
}
