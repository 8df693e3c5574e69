import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// Panic mode: a balancer does not park its last usable capacity in cooldowns.
@Suite("Balancer panic mode during outages")
struct PanicTests {
    /// The outage of issue 12: the healthy member is down (every call a connection error) and
    /// two members answer 70 % of calls (a fixed pattern: calls 0, 1, 2 of every 10 fail with a
    /// 500). Each step of 10 ms of simulated time offers `perStep` calls; a call fails over
    /// across the members (no backoff rounds); a call that would have to wait for a cooldown
    /// counts as not served in that step. Returns the successful calls and the panic requests.
    private func outage(panicThreshold: Double, seconds: Int = 20, perStep: Int = 5) -> (successes: Int, offered: Int, panicRequests: Int, panicked: Bool) {
        let settings = BalancerSettings(cooldownTime: .seconds(5), allowedFails: 3, panicThreshold: panicThreshold)
        var core = BalancerCore(
            names: ["primary", "flaky1", "flaky2"], deployments: [.default, .default, .default], settings: settings,
            now: .zero, seed: 1)
        var calls = [0, 0, 0]
        var successes = 0
        var offered = 0
        var panicked = false
        var now = Duration.zero
        for _ in 0..<(seconds * 100) {
            now += .milliseconds(10)
            panicked = panicked || core.isPanicking(at: now)
            for _ in 0..<perStep {
                offered += 1
                var tried: Set<Int> = []
                attempts: while true {
                    let (decision, _) = core.acquire(excluding: tried, tokens: 1, deadline: now + .seconds(60), now: now)
                    switch decision {
                    case .done(.granted(let grant)):
                        let n = calls[grant.member]
                        calls[grant.member] += 1
                        let fails = grant.member == 0 || n % 10 < 3
                        if fails {
                            let error = grant.member == 0 ? ModelError(.connectionFailed, "refused") : MemberFailure.status(500)
                            _ = core.release(grant, .failure(error, FailureDisposition(error)), now: now)
                            tried.insert(grant.member)
                        } else {
                            _ = core.release(grant, .success(latency: .milliseconds(10), usage: .zero), now: now)
                            successes += 1
                            break attempts
                        }
                    case .wait(let id):
                        _ = core.cancel(id, now: now)
                        break attempts
                    default:
                        break attempts
                    }
                }
            }
        }
        let panicRequests = core.memberStats(now: now).reduce(0) { $0 + $1.panicRequests }
        return (successes, offered, panicRequests, panicked)
    }

    @Test("with the healthy member down and two 70 % members, calls keep succeeding")
    func flakyMembersKeepServing() {
        let before = outage(panicThreshold: 0)
        let after = outage(panicThreshold: 0.5)
        print("panic mode, 20 simulated s: \(before.successes) successes without it, \(after.successes) with it, of \(after.offered) offered")
        // Before: every member ends up cooling, and calls wait out the cooldowns.
        #expect(before.panicRequests == 0)
        // After: the cooled flaky members keep serving; a call fails only when both fail it.
        #expect(after.panicked)
        #expect(after.panicRequests > 0)
        #expect(
            after.successes >= before.successes * 10,
            "successes per 20 simulated s: \(before.successes) without panic mode, \(after.successes) with it, of \(after.offered)")
        #expect(Double(after.successes) >= 0.85 * Double(after.offered), "\(after.successes) of \(after.offered)")
    }

    @Test("panic mode does not send to members cooled by 401/403/404 or a 429")
    func panicSkipsMisconfiguredMembers() throws {
        var core = BalancerCore(
            names: ["a", "b", "c"], deployments: [.default, .default, .default], settings: BalancerSettings(), now: .zero, seed: 1)
        for member in 0..<3 {
            let (decision, _) = core.acquire(excluding: Set(0..<member), tokens: 1, deadline: .seconds(60), now: .zero)
            guard case .done(.granted(let grant)) = decision else { Issue.record("expected a grant"); return }
            let error = member == 2 ? MemberFailure.status(429, retryAfter: .seconds(30)) : MemberFailure.status(401)
            _ = core.release(grant, .failure(error, FailureDisposition(error)), now: .zero)
        }
        #expect(core.isPanicking(at: .seconds(1)))
        let (decision, _) = core.acquire(excluding: [], tokens: 1, deadline: .seconds(60), now: .seconds(1))
        #expect(decision == .wait(id: 1), "nobody is usable: wait for a cooldown to end")
    }

    @Test("stats report panic mode and the calls it sent")
    func statsReportPanic() async throws {
        let flaky = ScriptedMember("flaky") { n in n < 4 ? .fail(MemberFailure.status(500)) : .reply() }
        let down = ScriptedMember("down", always: .fail(MemberFailure.connection))
        let lb = LoadBalancer(
            configName: "lb", kind: .chat, members: fakeMembers(down, flaky),
            settings: BalancerSettings(allowedFails: 1, retryPolicy: .none), clock: RoutingTestClock())
        // Two failures each cool both members (allowed_fails 1).
        for _ in 0..<2 { await #expect(throws: ModelError.self) { try await lb.acall("x") } }
        #expect(lb.stats().members.allSatisfy { $0.isCoolingDown })
        #expect(lb.stats().panicking)
        // The next calls are not parked: they go to the cooled members; flaky answers again.
        var served: [String] = []
        for _ in 0..<5 { if let r = try? await lb.acall("y") { served.append(servedBy(r)) } }
        #expect(served.contains("flaky"))
        let stats = lb.stats()
        #expect(stats.panicRequests > 0)
        #expect(stats.description.contains("in panic"))
    }
}
