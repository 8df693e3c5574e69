import Foundation
import Synchronization
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsRouting
@testable import OneSimModelsSimulator

/// The fleet dispatch from config files, and `metrics_url` scraped over real HTTP.
@Suite("Fleet dispatch: configs and server load reports")
struct FleetConfigAndScrapeTests {
    @Test("a balancer that names no strategy uses the fleet dispatch; named strategies stay exact")
    func defaultStrategy() throws {
        let m = ModelManager(environment: [:])
        try m.loadModelConfigs(
            json: """
                [\(memberConfig("a", baseURL: "http://127.0.0.1:9/v1")), \(memberConfig("b", baseURL: "http://127.0.0.1:9/v1")),
                 {"config_name": "lb", "model_type": "load_balancer", "models": ["a", "b"]},
                 {"config_name": "rr", "model_type": "load_balancer", "models": ["a", "b"], "strategy": "round_robin"},
                 {"config_name": "aff", "model_type": "load_balancer", "models": ["a", "b"], "strategy": "affinity", "affinity_load_factor": 1.5}]
                """)
        #expect((try m.getModel(configName: "lb") as? LoadBalancer)?.strategyName == "fleet")
        #expect((try m.getModel(configName: "rr") as? LoadBalancer)?.strategyName == "round_robin")
        #expect((try m.getModel(configName: "aff") as? LoadBalancer)?.settings.fleet.affinityLoadFactor == 1.5)
        #expect((try m.getModel() as? LoadBalancer)?.strategyName == "fleet")
    }

    @Test(
        "fleet keys and metrics keys are checked with precise messages",
        arguments: [
            (#""metrics_url": "ftp://x/metrics""#, "metrics_url"), (#""metrics_url": 7"#, "metrics_url"),
            (#""metrics_interval": 0.01"#, "metrics_interval"), (#""metrics_interval": 1e309"#, "metrics_interval"),
            (#""metrics_interval": "1""#, "metrics_interval"),
        ])
    func badMemberKeys(extra: String, key: String) throws {
        let m = ModelManager(environment: [:])
        do {
            try m.loadModelConfigs(json: "[\(memberConfig("a", baseURL: "http://127.0.0.1:9/v1", extra: ", " + extra))]")
            Issue.record("accepted \(extra)")
        } catch {
            #expect(error.kind == .configuration)
            #expect(error.message.contains(key), "\(error.message)")
        }
    }

    @Test(
        "balancer fleet knobs are range-checked",
        arguments: [
            #""lookahead": 0"#, #""lookahead": 5000"#, #""max_skips": -1"#, #""balance_abs_threshold": -2"#,
            #""balance_rel_threshold": 0.5"#, #""prefix_index_blocks": 1"#, #""affinity_load_factor": 0.9"#,
            #""affinity_load_factor": 1e309"#, #""strategy": "fleetwise""#,
        ])
    func badBalancerKeys(extra: String) throws {
        let m = ModelManager(environment: [:])
        do {
            try m.loadModelConfigs(
                json: """
                    [\(memberConfig("a", baseURL: "http://127.0.0.1:9/v1")),
                     {"config_name": "lb", "model_type": "load_balancer", "models": ["a"], \(extra)}]
                    """)
            _ = try m.getModel(configName: "lb")
            Issue.record("accepted \(extra)")
        } catch {
            #expect(error.kind == .configuration, "\(error)")
        }
    }

    @Test(
        "settings made in code are checked against the same ranges as config keys",
        arguments: [
            (FleetSettings(lookahead: 0), "lookahead"), (FleetSettings(maxSkips: -1), "max_skips"),
            (FleetSettings(balanceRelThreshold: .nan), "balance_rel_threshold"),
            (FleetSettings(prefixIndexBlocks: 1 << 30), "prefix_index_blocks"),
            (FleetSettings(affinityLoadFactor: .infinity), "affinity_load_factor"),
        ])
    func settingsInCode(fleet: FleetSettings, key: String) {
        #expect(throws: ModelError.self) { try BalancerSettings(fleet: fleet).validate(balancer: "lb") }
        do {
            try BalancerSettings(fleet: fleet).validate(balancer: "lb")
        } catch {
            #expect(error.param == key)
        }
        #expect(throws: Never.self) { try BalancerSettings().validate(balancer: "lb") }
    }

    @Test("a member's metrics_url is scraped in the background: the balancer learns the server's slots, stats show the load")
    func scrapesAFleetServer() async throws {
        let server = FleetServerConfig(name: "gpu0", maxNumSeqs: 2, decodeSecondsPerToken: 0.002)
        try await withSimulators(1, Simulator.Configuration(fleetServer: server)) { sims, m in
            let base = sims[0].baseURL
            let metrics = base.replacingOccurrences(of: "/v1", with: "") + "/metrics"
            try m.loadModelConfigs(
                json: "[\(memberConfig("a", baseURL: base, extra: #", "metrics_url": "\#(metrics)", "metrics_interval": 0.05"#))]")
            let lb = try #require(try m.getModel() as? LoadBalancer)
            try await waitUntil("a first report") { lb.stats().members[0].serverLoad != nil }
            #expect(lb.stats().members[0].learnedFrom == "server")
            // Keep eight calls in flight on a two-slot server until a report shows its queue (an
            // event, however slow the machine), then let them finish.
            let sawQueue = StopFlag()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var i = 0
                        while !sawQueue.isSet {
                            _ = try await lb.acall(Prompt(stringLiteral: "call \(worker).\(i)"), options: CallOptions(maxTokens: 40))
                            i += 1
                        }
                    }
                }
                try await waitUntil("the server reports its queue") { (lb.stats().members[0].serverLoad?.waiting ?? 0) > 0 }
                sawQueue.set()
                try await group.waitForAll()
            }
            // The slots (2), less what the last report took for other clients' requests: a server's
            // gauges lag its replies a little, so a request just answered may still count there.
            let learned = try #require(lb.stats().members[0].learnedConcurrency)
            #expect((1...2).contains(learned), "learned \(learned)")
            #expect(lb.stats().successes >= 8)
        }
    }

    @Test("a failing metrics_url never fails a call, and its report goes stale")
    func failingScrape() async throws {
        try await withSimulators(1) { sims, m in
            try m.loadModelConfigs(
                json: "[\(memberConfig("a", sims[0], extra: #", "metrics_url": "http://127.0.0.1:9/metrics", "metrics_interval": 0.05"#))]")
            let lb = try #require(try m.getModel() as? LoadBalancer)
            for i in 0..<3 { _ = try await lb.acall(Prompt(stringLiteral: "hi \(i)")) }
            #expect(lb.stats().successes == 3)
            #expect(lb.stats().members[0].serverLoad == nil)
        }
        // Stale: a report older than two intervals, on a manual clock.
        let clock = RoutingTestClock()
        let lb = LoadBalancer(
            configName: "lb", kind: .chat,
            members: [
                BalancerMember(
                    adapter: ScriptedMember("a"), deployment: DeploymentSettings(metricsURL: "http://x/metrics", metricsInterval: .seconds(1)))
            ], clock: clock)
        lb.reportServerLoad(ServerLoad(running: 3, waiting: 1), member: 0)
        #expect(lb.stats().members[0].serverLoad?.isStale == false)
        clock.advance(by: .milliseconds(2_001))
        #expect(lb.stats().members[0].serverLoad?.isStale == true)
        #expect(lb.stats().description.contains("(stale)"))
    }
}

/// A flag one task sets and others read.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
