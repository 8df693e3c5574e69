import ArgumentParser
import Foundation
import OneSimModels
import OneSimModelsSimulator

/// `onesim-models demo`: the original README's examples, in order, against the built-in simulator.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Run the README examples against the built-in simulator.")

    func run() async throws {
        let simulator = Simulator(configuration: .init(embeddingDimensions: 8))
        let port = try await simulator.start()
        let manager = ModelManager()
        do {
            try await Demo(manager: manager, simulator: simulator, baseURL: "http://127.0.0.1:\(port)/v1").run()
        } catch {
            await manager.shutdown()
            await simulator.stop()
            printError("demo failed: \(error)")
            throw ExitCode.failure
        }
        await manager.shutdown()
        await simulator.stop()
    }
}

/// The demo's steps.
struct Demo {
    let manager: ModelManager
    let simulator: Simulator
    let baseURL: String

    func section(_ title: String) {
        print("\n== \(title)")
    }

    func run() async throws {
        print("OneSimModels demo: simulator at \(baseURL)")
        // Two deployments of one chat model, plus an embedding model, all on the simulator.
        try manager.loadModelConfigs(json: """
            [
              {"config_name": "sim-a", "model_type": "openai_chat", "model_name": "sim-chat",
               "api_key": "sk-demo", "client_args": {"base_url": "\(baseURL)"}},
              {"config_name": "sim-b", "model_type": "openai_chat", "model_name": "sim-chat",
               "api_key": "sk-demo", "client_args": {"base_url": "\(baseURL)"}},
              {"config_name": "sim-embed", "model_type": "openai_embedding", "model_name": "sim-embedding",
               "api_key": "sk-demo", "client_args": {"base_url": "\(baseURL)"}}
            ]
            """)
        print("loaded configs: \(manager.modelConfigs.keys.sorted().joined(separator: ", "))")

        section("Basic example (async)")
        let model = try manager.getModel(configName: "sim-a")
        let prompt = model.format(
            SystemMessage("You are a helpful assistant."), UserMessage("Tell me about language models."))
        let response = try await model.acall(prompt)
        print("reply: \(response.text ?? "")")
        print("usage: \(response.usage.promptTokens) prompt + \(response.usage.completionTokens) completion tokens")

        section("Streaming")
        print("reply: ", terminator: "")
        var streamed = ResponseAccumulator()
        for try await delta in try await model.stream(model.format(UserMessage("Agents stream their thoughts word by word."))) {
            print(delta.text, terminator: "")
            fflush(nil)
            streamed.add(delta)
        }
        print("\n(\(streamed.deltaCount) deltas, usage \(streamed.response.usage.totalTokens) tokens)")

        section("Synchronous call")
        let syncReply = try await runOffTheConcurrencyPool {
            let syncPrompt = model.format(
                SystemMessage("You are a helpful assistant."),
                UserMessage("Briefly explain the difference between synchronous and asynchronous programming."))
            return try model(syncPrompt).text ?? ""
        }
        print("reply: \(syncReply)")

        section("Embeddings")
        let embedder = try manager.getEmbeddingModel(configName: "sim-embed")
        let embedded = try await embedder.acall(texts: ["This is a text", "And another one"])
        for (text, vector) in zip(["This is a text", "And another one"], embedded.embeddings) {
            let head = vector.prefix(3).map { String(format: "%.3f", $0) }.joined(separator: ", ")
            print("\(text): \(vector.count) dimensions [\(head), ...]")
        }

        section("Structured response (JSONDictParser)")
        let parser = JSONDictParser(requiredKeys: ["name", "description"])
        let ask = UserMessage("Generate JSON data for one simulated agent. \(parser.formatInstruction)")
        // The simulator echoes by default; script the kind of reply a real model gives.
        simulator.enqueue(.reply(
            "Here you go:\n```json\n{\"name\": \"Ada\", \"description\": \"A curious villager who trades apples.\",}\n```"))
        let parsed = try parser.parse(try await model.acall(model.format(ask)))
        print("instruction sent:\n\(parser.formatInstruction)")
        print("parsed: name = \(parsed.parsed?["name"]?.stringValue ?? "?"), description = \(parsed.parsed?["description"]?.stringValue ?? "?")")

        section("Load balancing (round robin)")
        try manager.configureLoadBalancer(
            modelConfigs: ["sim-a", "sim-b"], strategy: "round_robin", configName: "load_balancer")
        let balancer = try manager.getModel(configName: "load_balancer")
        let messages = balancer.format([
            SystemMessage("You are a helpful assistant."), UserMessage("Hello, please introduce yourself."),
        ])
        for i in 1...2 {
            let r = try await balancer.acall(messages)
            print("call \(i): served by \(r.modelInfo.member ?? "?") (model \(r.modelInfo.modelName)): \(r.text ?? "")")
        }

        if let lb = balancer as? LoadBalancer {
            section("Balancer statistics")
            print(lb.stats())
        }

        section("Token usage")
        let stats = manager.tokenTracker.stats()
        print("requests: \(stats.requestCount), tokens: \(stats.totalTokens) (\(stats.totalPromptTokens) prompt, \(stats.totalCompletionTokens) completion)")
        for (config, bucket) in stats.configUsage.sorted(by: { $0.key < $1.key }) {
            print("  \(config): \(bucket.requestCount) requests, \(bucket.totalTokens) tokens")
        }
        print("\ndemo finished: \(simulator.requestCount) requests served by the simulator")
    }
}

/// Runs blocking synchronous work on a plain thread, so the sync API is shown the way
/// synchronous code uses it, without blocking a Swift concurrency thread.
func runOffTheConcurrencyPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try work() })
        }
        thread.start()
    }
}
