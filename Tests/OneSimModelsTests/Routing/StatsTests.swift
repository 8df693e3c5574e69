import CoreMetrics
import Synchronization
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// Counts every metric update by label and dimensions.
final class RecordingMetricsFactory: MetricsFactory {
    final class Handler: CounterHandler, MeterHandler, RecorderHandler, TimerHandler {
        let values = Mutex<[Double]>([])
        func increment(by amount: Int64) { values.withLock { $0.append(Double(amount)) } }
        func increment(by amount: Double) { values.withLock { $0.append(amount) } }
        func decrement(by amount: Double) { values.withLock { $0.append(-amount) } }
        func set(_ value: Int64) { values.withLock { $0.append(Double(value)) } }
        func set(_ value: Double) { values.withLock { $0.append(value) } }
        func record(_ value: Int64) { values.withLock { $0.append(Double(value)) } }
        func record(_ value: Double) { values.withLock { $0.append(value) } }
        func recordNanoseconds(_ duration: Int64) { values.withLock { $0.append(Double(duration)) } }
        func reset() { values.withLock { $0 = [] } }
    }

    private let handlers = Mutex<[String: Handler]>([:])

    private func handler(_ label: String, _ dimensions: [(String, String)]) -> Handler {
        let key = label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        return handlers.withLock { h in
            if let existing = h[key] { return existing }
            let new = Handler()
            h[key] = new
            return new
        }
    }

    /// The sum of updates of `label` with `dimensions` (in this order).
    func total(_ label: String, _ dimensions: [(String, String)]) -> Double {
        handler(label, dimensions).values.withLock { $0.reduce(0, +) }
    }

    /// How many updates `label` with `dimensions` got.
    func count(_ label: String, _ dimensions: [(String, String)]) -> Int {
        handler(label, dimensions).values.withLock { $0.count }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler { handler(label, dimensions) }
    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler { handler(label, dimensions) }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        handler(label, dimensions)
    }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { handler(label, dimensions) }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyMeter(_ handler: any MeterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}

@Suite("Statistics and metrics")
struct BalancerStatsTests {
    @Test("the snapshot counts requests, outcomes, cooldowns, latency and tokens per member")
    func snapshot() async throws {
        let clock = RoutingTestClock()
        let a = ScriptedMember("a", script: [.fail(MemberFailure.status(500)), .fail(MemberFailure.status(401))])
        let b = ScriptedMember("b", script: [.hang], behavior: { _ in .reply(Usage(promptTokens: 7, completionTokens: 3)) })
        let lb = LoadBalancer(
            configName: "lb", kind: .chat,
            members: [BalancerMember(adapter: a), BalancerMember(adapter: b, deployment: DeploymentSettings(maxConcurrency: 4))],
            settings: BalancerSettings(strategy: .roundRobin), clock: clock)
        let slow = Task { try await lb.acall("slow") }  // a fails (500), b hangs
        #expect(await settles { b.hungCount == 1 })
        #expect(lb.stats()[member: "b"]!.inFlight == 1)
        clock.advance(by: .seconds(2))
        b.releaseHung()
        _ = try await slow.value
        _ = try await lb.acall("next")  // a fails (401, cooled), b replies
        let stats = lb.stats()
        #expect(stats.balancer == "lb")
        #expect(stats.strategy == "round_robin")
        let sa = stats[member: "a"]!, sb = stats[member: "b"]!
        #expect(sa.requests == 2 && sa.successes == 0 && sa.failures == 2)
        #expect(sa.failuresByKind == [.serverError: 1, .authentication: 1])
        #expect(sa.cooldowns == 1 && sa.isCoolingDown)
        #expect(sb.requests == 2 && sb.successes == 2 && sb.failures == 0)
        #expect(sb.averageLatency == .seconds(1), "2 s and 0 s")
        #expect(sb.usage == Usage(promptTokens: 17, completionTokens: 8))
        #expect(sb.maxConcurrency == 4 && sb.peakInFlight == 1 && sb.inFlight == 0)
        #expect(stats.requests == 4 && stats.successes == 2 && stats.failures == 2)
        #expect(stats.description.contains("a: 2 req, 0 ok, 2 failed"))
    }

    @Test("swift-metrics counters and timers are dimensioned by balancer and member")
    func metrics() async throws {
        let recording = RecordingMetricsFactory()
        let a = ScriptedMember("a", script: [.fail(MemberFailure.status(503))]), b = ScriptedMember("b")
        let lb = LoadBalancer(
            configName: "lb", kind: .chat, members: fakeMembers(a, b), settings: BalancerSettings(strategy: .roundRobin),
            clock: RoutingTestClock(), metricsFactory: recording)
        for _ in 0..<3 { _ = try await lb.acall("hi") }
        let da = [("balancer", "lb"), ("member", "a")], db = [("balancer", "lb"), ("member", "b")]
        #expect(recording.total("onesim_balancer_requests_total", da) == 2)
        #expect(recording.total("onesim_balancer_requests_total", db) == 2)
        #expect(recording.total("onesim_balancer_successes_total", da) == 1)
        #expect(recording.total("onesim_balancer_successes_total", db) == 2)
        #expect(recording.total("onesim_balancer_failures_total", da + [("kind", "server_error")]) == 1)
        #expect(recording.count("onesim_balancer_latency", db) == 2)
        #expect(recording.total("onesim_balancer_in_flight", da) == 0)
        #expect(recording.total("onesim_balancer_tokens_total", db + [("type", "prompt")]) == 20)
    }

    @Test("modelInfo names the balancer and the member; modelType is load_balancer")
    func modelInfo() async throws {
        let lb = LoadBalancer(configName: "gpt-4_load_balancer", kind: .chat, members: fakeMembers(ScriptedMember("a")), modelName: "gpt-4")
        let response = try await lb.acall("hi")
        #expect(response.modelInfo.balancer == "gpt-4_load_balancer")
        #expect(response.modelInfo.member == "a")
        #expect(response.modelInfo.configName == "gpt-4_load_balancer")
        #expect(response.modelInfo.modelName == "fake-a")
        #expect(response.modelInfo.dictionary["selected_model"] == "a")
        #expect(lb.modelType == "load_balancer")
        #expect(lb.modelName == "gpt-4")
        #expect(lb.memberNames == ["a"])
    }

    @Test("settings validation names the bad key")
    func validation() {
        #expect(throws: ModelError.self) { try DeploymentSettings(rpm: 0).validate(member: "a") }
        #expect(throws: ModelError.self) { try DeploymentSettings(weight: -1).validate(member: "a") }
        #expect(throws: ModelError.self) { try BalancerSettings(retryPolicy: RetryPolicy(maxRetries: -1)).validate(balancer: "lb") }
        do {
            try DeploymentSettings(maxConcurrency: 0).validate(member: "a")
        } catch {
            #expect(error.param == "max_concurrency")
            #expect(error.kind == .configuration)
        }
        #expect(throws: Never.self) { try DeploymentSettings(weight: 2, rpm: 10, tpm: 1_000, maxConcurrency: 4).validate(member: "a") }
    }
}
