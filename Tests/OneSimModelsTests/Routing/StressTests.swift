import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Balancer under load")
struct BalancerStressTests {
    @Test(
        "10,000 calls over three members, one failing 30% and one down: every call succeeds",
        arguments: [StrategyName.roundRobin, .random, .weighted, .leastBusy, .latency, .usage])
    func flakyAndDown(strategy: StrategyName) async throws {
        let down = ScriptedMember("down", always: .fail(MemberFailure.connection))
        // Deterministic 30%: calls 0, 1, 2 of every 10 fail.
        let flaky = ScriptedMember("flaky") { n in n % 10 < 3 ? .fail(MemberFailure.status(500)) : .reply() }
        let good = ScriptedMember("good")
        let lb = LoadBalancer(
            configName: "lb", kind: .chat,
            members: [
                BalancerMember(adapter: down),
                BalancerMember(adapter: flaky, deployment: DeploymentSettings(rpm: 100_000, tpm: 100_000_000)),
                BalancerMember(adapter: good, deployment: DeploymentSettings(maxConcurrency: 50)),
            ],
            settings: BalancerSettings(strategy: .builtIn(strategy)))
        let succeeded = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<100 {
                group.addTask {
                    var ok = 0
                    for i in 0..<100 {
                        let response = try await lb.acall(Prompt(stringLiteral: "w\(worker) c\(i)"))
                        if response.modelInfo.balancer == "lb" && response.modelInfo.member != "down" { ok += 1 }
                    }
                    return ok
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(succeeded == 10_000)
        let stats = lb.stats()
        #expect(stats.successes == 10_000)
        #expect(stats[member: "down"]!.successes == 0)
        #expect(stats[member: "down"]!.failures == down.calls)
        #expect(stats[member: "flaky"]!.successes + stats[member: "good"]!.successes == 10_000)
        #expect(stats[member: "good"]!.peakInFlight <= 50)
        #expect(stats.members.allSatisfy { $0.inFlight == 0 })
        #expect(stats.queued == 0)
        if down.calls > 3 { #expect(stats[member: "down"]!.cooldowns >= 1) }
    }
}
