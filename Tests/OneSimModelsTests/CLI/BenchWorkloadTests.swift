import Foundation
import OneSimModels
import Testing

@testable import OneSimModelsSimulator

/// `bench`'s workloads: the JSONL reader, the agent generator and the capacity bound.
@Suite("Bench workloads")
struct BenchWorkloadTests {
    func parse(_ text: String) throws(FleetConfigError) -> FleetWorkload { try FleetWorkloadReader.parse(Data(text.utf8)) }

    func error(_ text: String) -> String {
        do {
            _ = try parse(text)
            return "accepted"
        } catch {
            return error.message
        }
    }

    @Test func readsLinesAndSteps() throws {
        let w = try parse("""
            {"messages": [{"role": "system", "content": "You farm."}, {"role": "user", "content": "Plan?"}], "max_tokens": 120, "affinity_key": "agent-17"}
            {"messages": [{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}], "name": "bob"}]}

            {"messages": [{"role": "developer", "content": "Be brief."}, {"role": "assistant", "content": "ok"}], "max_tokens": null}\r

            """)
        #expect(w.steps.count == 2)
        #expect(w.steps[0].count == 2 && w.steps[1].count == 1)
        #expect(w.steps[0][0].maxTokens == 120 && w.steps[0][0].affinityKey == "agent-17")
        #expect(w.steps[0][0].messages == [.init(role: "system", content: "You farm."), .init(role: "user", content: "Plan?")])
        #expect(w.steps[0][1].messages == [.init(role: "user", content: "a\nb")])
        #expect(w.steps[0][1].maxTokens == nil && w.steps[0][1].affinityKey == nil)
        #expect(w.steps[1][0].messages[0].role == "system")
    }

    @Test func badLinesNameTheirLineNumber() {
        let ok = #"{"messages": [{"role": "user", "content": "hi"}]}"#
        #expect(error("\(ok)\n{\"messages\": [}") == "line 2: not valid JSON")
        #expect(error("\(ok)\n\n\(ok)\n[1]").hasPrefix("line 4: must be a JSON object"))
        #expect(error(#"{"messages": []}"#).hasPrefix("line 1: 'messages' must be a non-empty array"))
        #expect(error(#"{"messages": [{"role": "robot", "content": "x"}]}"#).hasPrefix("line 1: messages[0].role"))
        #expect(error(#"{"messages": [{"role": "user", "content": 5}]}"#).hasPrefix("line 1: messages[0].content"))
        #expect(error(#"{"messages": [{"role": "user", "content": "x"}], "max_tokens": 0}"#).hasPrefix("line 1: max_tokens must be an integer from 1"))
        #expect(error(#"{"messages": [{"role": "user", "content": "x"}], "max_tokens": 1e300}"#).hasPrefix("line 1: max_tokens"))
        #expect(error(#"{"messages": [{"role": "user", "content": "x"}], "max_tokens": 2.5}"#).hasPrefix("line 1: max_tokens"))
        #expect(error(#"{"messages": [{"role": "user", "content": "x"}], "affinity_key": 3}"#).hasPrefix("line 1: affinity_key"))
        #expect(error(#"{"messages": [{"role": "user", "content": "x"}], "model": "gpt"}"#).hasPrefix("line 1: unknown key 'model'"))
        #expect(error("\n\n") == "the workload has no calls")
    }

    @Test func linesAreBounded() {
        let long = "{\"messages\": [{\"role\": \"user\", \"content\": \"" + String(repeating: "a", count: FleetWorkloadReader.maximumLineBytes) + "\"}]}"
        #expect(error(#"{"messages": [{"role": "user", "content": "x"}]}"# + "\n" + long).hasPrefix("line 2: longer than"))
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(error(deep) == "line 1: not valid JSON")
    }

    @Test func generatorIsDeterministicAndAgentsGrowTheirHistory() throws {
        let g = FleetWorkloadGenerator(agents: 6, personas: 2, personaTokens: 50, maxTokens: 20...200, steps: 3, seed: 7)
        let w = try #require(g.make())
        #expect(w == g.make())
        var other = g
        other.seed = 8
        #expect(w != other.make())
        #expect(w.steps.count == 3 && w.steps.allSatisfy { $0.count == 6 })
        for (s, step) in w.steps.enumerated() {
            for (a, call) in step.enumerated() {
                #expect(call.affinityKey == "agent-\(a)")
                #expect(call.messages.count == 2 * s + 2)  // persona, s × (user, assistant), user
                #expect((20...200).contains(call.maxTokens ?? 0))
                // Agents with the same persona share the system prompt; the others do not.
                #expect(call.messages[0] == step[a % 2].messages[0])
                #expect(call.messages[0] != step[(a + 1) % 6].messages[0])
                if s > 0 {
                    // The previous step's prompt is a prefix of this one.
                    let previous = w.steps[s - 1][a].messages
                    #expect(Array(call.messages.prefix(previous.count)) == previous)
                    let (before, _) = FleetPromptBlocks.make(previous.map { ($0.role, $0.content) }, blockTokens: 16)
                    let (now, _) = FleetPromptBlocks.make(call.messages.map { ($0.role, $0.content) }, blockTokens: 16)
                    #expect(Array(now.prefix(before.count)) == before)
                }
            }
        }
        // About `personaTokens` tokens of persona text (4 bytes a token).
        let persona = w.steps[0][0].messages[0].content.utf8.count
        #expect(persona >= 200 && persona <= 240)
        #expect(FleetWorkloadGenerator(agents: 0, personas: 1, personaTokens: 1, maxTokens: 1...1, steps: 1, seed: 0).make() == nil)
        #expect(FleetWorkloadGenerator(agents: 1, personas: 1, personaTokens: 1, maxTokens: 0...1, steps: 1, seed: 0).make() == nil)
    }

    static func server(seqs: Int, speed: Double = 1, changes: [FleetServerConfig.SpeedChange] = []) -> FleetServerConfig {
        FleetServerConfig(
            name: "s", maxNumSeqs: seqs, speed: speed, prefillSecondsPerToken: 0.001, decodeSecondsPerToken: 0.01,
            batchSlowdown: 0, cacheBlocks: 100, blockTokens: 4, speedChanges: changes)
    }

    @Test func capacityBoundOnHandComputedCases() {
        // Two agents share a persona of two blocks (8 tokens) and each adds one block of its own.
        let a1 = FleetCapacity.Call(blocks: [1, 2, 10], promptTokens: 14, outputTokens: 10, key: "a")
        let b1 = FleetCapacity.Call(blocks: [1, 2, 20], promptTokens: 13, outputTokens: 20, key: "b")
        let split = FleetCapacity.split([a1, b1], blockTokens: 4)
        #expect(split.sharedTokens == 8)
        #expect(split.chargedPromptTokens == (14 - 8) + (13 - 8))
        // W = 11 × 0.001 + 30 × 0.01 = 0.311; P = 8 × 0.001 = 0.008 per server; 2 servers of
        // 4 slots at speed 1, no slowdown: T = (W + 2P) / (2 × 4).
        let ideal = FleetCapacity.idealMakespan([a1, b1], servers: [Self.server(seqs: 4), Self.server(seqs: 4)], blockTokens: 4)
        #expect(abs(ideal - (0.311 + 2 * 0.008) / 8) < 1e-9)

        // Agent a's next, longer prompt: its previous prompt counts as cached (3 blocks).
        let a2 = FleetCapacity.Call(blocks: [1, 2, 10, 11], promptTokens: 17, outputTokens: 5, key: "a")
        let grown = FleetCapacity.split([a1, b1, a2], blockTokens: 4)
        #expect(grown.chargedPromptTokens == 11 + (17 - 12))
        #expect(grown.outputTokens == 35)
        // Ideal hits on 2 servers: 44 prompt tokens, of which 16 are paid once (11 + 5) and the
        // 8 persona tokens once per server.
        #expect(grown.promptTokens == 14 + 13 + 17)
        let expectedHitRate: Double = 1 - 32.0 / 44.0
        let hitRate = FleetCapacity.idealHitRate(grown, servers: 2) ?? -1
        #expect(abs(hitRate - expectedHitRate) < 1e-12)

        // The issue's literal bound credits only the persona: a2 pays all but its 8 persona
        // tokens again (17 - 8), and the ideal hit rate drops to the persona's hits.
        let personaOnly = FleetCapacity.split([a1, b1, a2], blockTokens: 4, historyIsCached: false)
        #expect(personaOnly.sharedTokens == 8)
        #expect(personaOnly.chargedPromptTokens == 11 + (17 - 8))
        let personaHitRate = FleetCapacity.idealHitRate(personaOnly, servers: 2) ?? -1
        #expect(abs(personaHitRate - (1 - 36.0 / 44.0)) < 1e-12)

        // Calls without keys are separate agents: the same prompt twice is shared, once per server.
        let solo = FleetCapacity.split(
            [.init(blocks: [5], promptTokens: 4, outputTokens: 0, key: nil), .init(blocks: [5], promptTokens: 4, outputTokens: 0, key: nil)],
            blockTokens: 4)
        #expect(solo.sharedTokens == 4 && solo.chargedPromptTokens == 0)

        // One server of 1 slot, speed 1 until 1 s then 0.5: W = 2 s of work (200 output tokens ×
        // 0.01) takes 1 s + 1 / 0.5 = 3 s; started at 1 s it takes 4 s.
        let slow = [Self.server(seqs: 1, changes: [.init(at: .seconds(1), speed: 0.5)])]
        let work = [FleetCapacity.Call(blocks: [], promptTokens: 0, outputTokens: 200, key: nil)]
        #expect(abs(FleetCapacity.idealMakespan(work, servers: slow, blockTokens: 4) - 3) < 1e-9)
        #expect(abs(FleetCapacity.idealMakespan(FleetCapacity.split(work, blockTokens: 4), servers: slow, from: 1) - 4) < 1e-9)

        // Unequal speeds 2:1 with 2 slots each, no shared prefix: T = W / (2 × 2 + 2 × 1).
        let uneven = [Self.server(seqs: 2, speed: 2), Self.server(seqs: 2, speed: 1)]
        let six = [FleetCapacity.Call(blocks: [], promptTokens: 0, outputTokens: 600, key: nil)]
        #expect(abs(FleetCapacity.idealMakespan(six, servers: uneven, blockTokens: 4) - 6.0 / 6) < 1e-9)
        #expect(FleetCapacity.idealMakespan([], servers: uneven, blockTokens: 4) == 0)
    }
}

/// `bench` and `serve-mock` with fleets and workloads, run as a user would (the binary).
@Suite("Bench workloads from the command line", .timeLimit(.minutes(3)))
struct BenchWorkloadCommandTests {
    static func write(_ text: String, _ name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    static let fleet = """
        {"servers": [{"name": "gpu0", "max_num_seqs": 4, "speed": 2}, {"name": "gpu1", "max_num_seqs": 4}],
         "defaults": {"prefill_seconds_per_token": 0.00001, "decode_seconds_per_token": 0.0002, "block_tokens": 4}}
        """

    @Test func benchRunsAGeneratedWorkloadOnAFleet() async throws {
        let fleet = try Self.write(Self.fleet, "fleet.json")
        let outcome = try await CommandLineHardeningTests.run([
            "bench", "--fleet", fleet, "--agents", "12", "--personas", "2", "--persona-tokens", "60",
            "--max-tokens-range", "5-20", "--steps", "2", "--at-once", "--strategy", "least_busy", "--json",
        ])
        #expect(outcome.reason == .exit && outcome.status == 0, "\(outcome.error)")
        let line = try #require(outcome.output.split(separator: "\n").last)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(json["ok"] as? Int == 24)
        #expect(json["errors"] as? Int == 0)
        #expect((json["steps"] as? [Any])?.count == 2)
        #expect((json["ideal_s"] as? Double ?? 0) > 0)
        #expect((json["makespan_over_ideal"] as? Double ?? 0) > 0)
        let perMember = try #require(json["calls_per_member"] as? [String: Int])
        #expect(perMember.values.reduce(0, +) == 24)
        #expect(Set(perMember.keys).isSubset(of: ["gpu0", "gpu1"]))
        // 12 agents over 2 personas: after the first call of each persona on each server, the
        // persona hits (counted from the servers' own /metrics).
        #expect((json["prefix_hit_rate"] as? Double ?? 0) > 0)
    }

    @Test func benchReadsAJSONLWorkload() async throws {
        let fleet = try Self.write(Self.fleet, "fleet.json")
        let workload = try Self.write("""
            {"messages": [{"role": "system", "content": "You farm."}, {"role": "user", "content": "Plan?"}], "max_tokens": 8, "affinity_key": "a"}
            {"messages": [{"role": "user", "content": "Trade?"}]}

            {"messages": [{"role": "system", "content": "You farm."}, {"role": "user", "content": "Plan?"}, {"role": "assistant", "content": "Sow."}, {"role": "user", "content": "Then?"}], "max_tokens": 8, "affinity_key": "a"}
            """, "calls.jsonl")
        let outcome = try await CommandLineHardeningTests.run(["bench", "--fleet", fleet, "--workload", workload, "--concurrency", "2", "--json"])
        #expect(outcome.reason == .exit && outcome.status == 0, "\(outcome.error)")
        #expect(outcome.output.contains("calls per member"))
        let line = try #require(outcome.output.split(separator: "\n").last)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(json["ok"] as? Int == 3)
    }

    @Test func badWorkloadsAndFleetsAreMessages() async throws {
        let fleet = try Self.write(Self.fleet, "fleet.json")
        let badFleet = try Self.write(#"{"servers": [{"name": "g", "speed": -2}]}"#, "bad.json")
        let badWorkload = try Self.write("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}\n{oops\n", "bad.jsonl")
        let cases: [([String], String)] = [
            (["bench", "--fleet", badFleet, "--agents", "2"], "speed must be a number from"),
            (["serve-mock", "--fleet", badFleet], "speed must be a number from"),
            (["bench", "--fleet", fleet, "--workload", badWorkload], "line 2: not valid JSON"),
            (["bench", "--fleet", fleet, "--agents", "0"], "--agents"),
            (["bench", "--fleet", fleet, "--agents", "2", "--max-tokens-range", "9-3"], "--max-tokens-range"),
            (["bench", "--fleet", fleet, "--agents", "2", "--strategy", "nonsense"], "nonsense"),
            (["bench", "--fleet", fleet], "--fleet needs --workload or --agents"),
        ]
        for (arguments, message) in cases {
            let outcome = try await CommandLineHardeningTests.run(arguments)
            #expect(outcome.reason == .exit, "\(arguments) died of a signal")
            #expect(outcome.status != 0, "\(arguments)")
            #expect(outcome.error.contains(message), "\(arguments): \(outcome.error)")
        }
    }
}

/// `serve-mock --fleet`: the printed models config drives real calls.
@Suite("serve-mock --fleet", .timeLimit(.minutes(3)))
struct ServeMockFleetTests {
    /// Standard output of a running child, collected on a dispatch thread.
    final class Output: @unchecked Sendable {  // guarded by `lock`
        private let lock = NSLock()
        private var data = Data()
        func append(_ more: Data) { lock.withLock { data.append(more) } }
        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    }

    @Test func printsAConfigThatWorks() async throws {
        let fleet = try BenchWorkloadCommandTests.write(BenchWorkloadCommandTests.fleet, "fleet.json")
        let process = Process()
        process.executableURL = CommandLineHardeningTests.binary
        process.arguments = ["serve-mock", "--fleet", fleet, "--port", "0", "--strategy", "least_busy"]
        process.environment = ["PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        let output = Output()
        pipe.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData) }
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
            pipe.fileHandleForReading.readabilityHandler = nil
        }
        try await waitUntil("the config is printed") { output.text.contains("\n]") }
        let text = output.text
        let start = try #require(text.firstIndex(of: "["))
        let end = try #require(text.range(of: "\n]")?.upperBound)
        let config = try #require(
            try JSONSerialization.jsonObject(with: Data(text[start..<end].utf8)) as? [[String: Any]])
        #expect(config.count == 3)
        #expect(config.compactMap { $0["config_name"] as? String } == ["gpu0", "gpu1", "fleet"])
        #expect(config[0]["metrics_url"] is String)
        #expect(config[2]["strategy"] as? String == "least_busy")
        // The registry does not know `metrics_url` yet: load the config without it.
        let members = config.map { entry in entry.filter { $0.key != "metrics_url" } }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: members), as: UTF8.self)
        let manager = ModelManager(environment: [:])
        try manager.loadModelConfigs(json: json)
        let reply = try await manager.getModel(configName: "fleet").acall("Plan the harvest.", options: CallOptions(maxTokens: 3))
        #expect(reply.usage.completionTokens == 3)
        #expect(["gpu0", "gpu1"].contains(reply.modelInfo.member ?? ""))
        await manager.shutdown()
    }
}
