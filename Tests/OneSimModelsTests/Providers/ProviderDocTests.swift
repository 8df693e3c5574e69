import Foundation
import OneSimModels
import OneSimModelsSimulator
import Testing

/// The Providers article (`Providers.md` in the DocC catalog) stays honest: its Swift samples are in a test file (and run here against
/// the simulator), and every JSON config in it loads.
@Suite("Providers documentation", .timeLimit(.minutes(3)))
struct ProviderDocTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()  // Providers/
        .deletingLastPathComponent()  // OneSimModelsTests/
        .deletingLastPathComponent()  // Tests/
        .deletingLastPathComponent()  // package root

    static func blocks(_ language: String) throws -> [String] {
        // The Providers article, whole.
        let text = try String(
            contentsOf: root.appendingPathComponent("Sources/OneSimModels/OneSimModels.docc/Providers.md"), encoding: .utf8)
        var blocks: [String] = []
        var current: [String]?
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("```") {
                if let lines = current {
                    blocks.append(lines.joined(separator: "\n"))
                    current = nil
                } else if line == "```\(language)" {
                    current = []
                }
                continue
            }
            current?.append(line)
        }
        return blocks
    }

    @Test func everySwiftSampleLineIsInATestFile() throws {
        let sampleLines = try Self.blocks("swift").flatMap { $0.components(separatedBy: "\n") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0 != "}" }
        #expect(sampleLines.count > 20)
        var testLines = Set<String>()
        let files = FileManager.default.enumerator(at: Self.root.appendingPathComponent("Tests"), includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            for line in try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n") {
                testLines.insert(line.trimmingCharacters(in: .whitespaces))
            }
        }
        let missing = sampleLines.filter { !testLines.contains($0) }
        #expect(missing.isEmpty, "Providers.md lines not found in any test file:\n\(missing.joined(separator: "\n"))")
    }

    @Test func everyJSONConfigLoads() throws {
        let blocks = try Self.blocks("json")
        #expect(blocks.count >= 7)
        let manager = ModelManager(environment: [
            "OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k", "GEMINI_API_KEY": "k", "AZURE_OPENAI_API_KEY": "k", "DEEPSEEK_API_KEY": "k",
            "GROQ_API_KEY": "k", "OPENROUTER_API_KEY": "k", "TOGETHER_API_KEY": "k",
        ])
        for block in blocks { try manager.loadModelConfigs(json: block) }
        for name in ["gpt-4o", "claude", "gemini-flash", "gemini-embed", "llama", "minilm", "azure-gpt4o", "qwen", "deepseek", "lmstudio"] {
            #expect(throws: Never.self) { _ = try manager.getModel(configName: name) }
        }
        let agents = try manager.getModel(configName: "agents")
        #expect(agents.modelType == "load_balancer")
    }

    @Test func theSwiftSamplesRunAgainstTheSimulator() async throws {
        let sim = Simulator()
        try await sim.start()
        try getModelManager().loadModelConfigs(json: """
            [{"config_name": "claude", "model_type": "anthropic_chat", "model_name": "claude-sonnet-4-5", "api_key": "k",
              "client_args": {"base_url": "\(sim.rootURL)"}},
             {"config_name": "gemini-flash", "model_type": "gemini_chat", "model_name": "gemini-2.5-flash", "api_key": "k",
              "client_args": {"base_url": "\(sim.rootURL)"}},
             {"config_name": "r1", "model_type": "vllm_chat", "model_name": "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B",
              "client_args": {"base_url": "\(sim.baseURL)"}}]
            """)
        let chat = try await ProviderDocSnippets.anthropicChat()
        #expect(chat.text == "What should we plant this spring?")
        #expect(chat.usage.totalTokens == 21)  // 9 + 6 prompt words, 6 reply words

        sim.enqueue(.callTools([SimulatorToolCall(name: "get_weather", arguments: #"{"city":"Oslo"}"#)]))
        let answer = try await ProviderDocSnippets.tools()
        #expect(answer?.text == #"{"raining": true}"#)

        #expect(try await ProviderDocSnippets.unsupported()?.hasPrefix("Anthropic does not support 'n'") == true)
        #expect(try await ProviderDocSnippets.geminiStream() == "Describe the market square.")

        sim.enqueue(.fail(.raw(body: #"""
            {"choices": [{"index": 0, "message": {"role": "assistant", "reasoning_content": "9.80 > 9.11", "content": "9.8"},
              "finish_reason": "stop"}],
             "usage": {"prompt_tokens": 9, "completion_tokens": 12, "total_tokens": 21, "completion_tokens_details": {"reasoning_tokens": 10}}}
            """#)))
        let reasoned = try await ProviderDocSnippets.reasoning()
        #expect(reasoned.reasoning == "9.80 > 9.11")
        #expect(reasoned.text == "9.8")
        #expect(reasoned.usage.reasoningTokens == 10)
        await sim.stop()
    }
}
