import Foundation
import OneSimModelsSimulator
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Provider request rules", .timeLimit(.minutes(3)))
struct ProviderRequestRuleTests {
    // MARK: OpenAI token limit field

    @Test(arguments: [
        ("o1", true), ("o1-mini", true), ("o3-mini-2025-01-31", true), ("o4-mini", true), ("gpt-5", true),
        ("gpt-5-nano", true), ("gpt-5.1", true), ("openai/o3", true), ("ft:o4-mini-2025-04-16:org::x", true),
        ("gpt-4o", false), ("gpt-4.1-mini", false), ("o10-model", false), ("gpt-50", false), ("llama-o1", false),
        ("sim-chat", false),
    ])
    func reasoningModelsTakeMaxCompletionTokens(model: String, reasoning: Bool) {
        #expect(OpenAITokenLimitField.accepted(byModel: model) == (reasoning ? .maxCompletionTokens : .maxTokens))
    }

    @Test(arguments: ["o1", "o3-mini", "o4-mini", "gpt-5"])
    func aReasoningModelGetsMaxCompletionTokensAndTheCallSucceeds(model: String) async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("r", sim, model: model))
            let response = try await m.getModel(configName: "r").acall("one two three", options: CallOptions(maxTokens: 50))
            #expect(response.text == "one two three")
            #expect(lastBody(sim)?["max_completion_tokens"] == 50)
            #expect(lastBody(sim)?["max_tokens"] == nil)
            let streamed = try await m.getModel(configName: "r").stream("four five", options: CallOptions(maxTokens: 7)).collect()
            #expect(streamed.text == "four five")
            #expect(lastBody(sim)?["max_completion_tokens"] == 7)
            #expect(lastBody(sim)?["max_tokens"] == nil)
        }
    }

    @Test func generateArgsMaxTokensMovesTooAndTheCallOptionWins() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("r", sim, model: "o3-mini", extra: #", "generate_args": {"max_tokens": 100}"#))
            _ = try await m.getModel(configName: "r").acall("hi")
            #expect(lastBody(sim)?["max_completion_tokens"] == 100)
            #expect(lastBody(sim)?["max_tokens"] == nil)
            _ = try await m.getModel(configName: "r").acall("hi", options: CallOptions(maxTokens: 9))
            #expect(lastBody(sim)?["max_completion_tokens"] == 9)
            #expect(lastBody(sim)?["max_tokens"] == nil)
        }
    }

    @Test func otherModelsKeepMaxTokens() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("g", sim, model: "gpt-4o"))
            _ = try await m.getModel(configName: "g").acall("hi", options: CallOptions(maxTokens: 12))
            #expect(lastBody(sim)?["max_tokens"] == 12)
            #expect(lastBody(sim)?["max_completion_tokens"] == nil)
        }
    }

    @Test func aConfigForcesEitherField() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(
                json: "["
                    + chatConfig("deployment", sim, model: "prod-reasoner", extra: #", "max_tokens_field": "max_completion_tokens""#)
                    + "," + chatConfig("legacy", sim, model: "o3-mini", extra: #", "max_tokens_field": "max_tokens""#, clientExtra: #", "max_retries": 0"#)
                    + "]")
            _ = try await m.getModel(configName: "deployment").acall("hi", options: CallOptions(maxTokens: 5))
            #expect(lastBody(sim)?["max_completion_tokens"] == 5)
            #expect(lastBody(sim)?["max_tokens"] == nil)
            // Forced to max_tokens, a reasoning model answers as OpenAI does: 400, param max_tokens.
            let error = await captureModelError {
                _ = try await m.getModel(configName: "legacy").acall("hi", options: CallOptions(maxTokens: 5))
            }
            #expect(lastBody(sim)?["max_tokens"] == 5)
            #expect(error?.kind == .badRequest)
            #expect(error?.param == "max_tokens")
            #expect(error?.providerCode == "unsupported_parameter")
        }
    }

    @Test func anUnknownFieldNameIsAConfigurationError() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("bad", sim, model: "o1", extra: #", "max_tokens_field": "max_output_tokens""#))
            let error = await captureModelError { _ = try m.getModel(configName: "bad") }
            #expect(error?.kind == .configuration)
            #expect(error?.message.contains("max_tokens_field") == true)
        }
    }

    @Test func theWriterAndTheTreeAgreeForEitherField() async throws {
        let prompt: Prompt = "hi"
        let cases: [([String: JSONValue], CallOptions)] = [
            (["max_tokens": 100, "temperature": 0.5], CallOptions()),
            (["max_tokens": 100], CallOptions(maxTokens: 7)),
            (["max_completion_tokens": 3], CallOptions(maxTokens: 7)),
            ([:], CallOptions(extraBody: ["max_tokens": 11])),
            (["max_tokens": 1], CallOptions(maxTokens: 2, extraBody: ["max_completion_tokens": 4])),
        ]
        for field in OpenAITokenLimitField.allCases {
            for (args, options) in cases {
                let adjustedArgs = field.adjusting(args)
                let adjusted = field.adjusting(options)
                var expected = adjusted.bodyFields(over: adjustedArgs)
                expected["model"] = "o1"
                expected["messages"] = try await OpenAIChatCodec.encodeMessages(prompt)
                let bytes = try await OpenAIChatRequestWriter.body(
                    model: "o1", prompt: prompt, generateArgs: adjustedArgs, options: adjusted)
                #expect(try JSONCodec.parse(bytes) == .object(expected))
                if field == .maxCompletionTokens {
                    #expect(expected["max_tokens"] == nil)
                    #expect(expected["max_completion_tokens"] != nil)
                }
            }
        }
        // The call option wins over generate_args; an explicit extra body field over both.
        #expect(OpenAITokenLimitField.maxCompletionTokens.adjusting(CallOptions(maxTokens: 7)).bodyFields(over: ["max_completion_tokens": 3])["max_completion_tokens"] == 7)
        #expect(
            OpenAITokenLimitField.maxCompletionTokens.adjusting(CallOptions(maxTokens: 2, extraBody: ["max_completion_tokens": 4]))
                .bodyFields(over: [:])["max_completion_tokens"] == 4)
    }

    // MARK: Anthropic sampling parameters under 2026-10-21

    private func anthropic(_ sim: Simulator, name: String = "a", extra: String) -> String {
        providerConfig(name, type: "anthropic_chat", sim, model: "claude-x", extra: extra, clientExtra: #", "max_retries": 0"#)
    }

    @Test(arguments: [
        (CallOptions(temperature: 0.2), [String: JSONValue](), "temperature"),
        (CallOptions(topP: 0.9), [:], "top_p"),
        (CallOptions(), ["top_k": 40], "top_k"),
        (CallOptions(extraBody: ["temperature": 1.0]), [:], "temperature"),
    ])
    func version20261021RefusesSamplingBeforeSending(options: CallOptions, args: [String: JSONValue], field: String) async throws {
        try await withSimulator { sim, m in
            let generate = String(decoding: JSONCodec.encode(.object(args)), as: UTF8.self)
            try m.loadModelConfigs(json: anthropic(sim, extra: #", "anthropic_version": "2026-10-21", "generate_args": "# + generate))
            let model = try m.getModel(configName: "a")
            let error = await captureModelError { _ = try await model.acall("hi", options: options) }
            #expect(error?.kind == .unsupported)
            #expect(error?.message.contains("'\(field)'") == true, "\(error?.message ?? "no error")")
            #expect(error?.configName == "a")
            let streamError = await captureModelError { _ = try await model.stream("hi", options: options).collect() }
            #expect(streamError?.kind == .unsupported)
            #expect(sim.requestCount == 0, "nothing is sent")
            // Without sampling parameters the same config works.
            if args.isEmpty {
                let response = try await model.acall("one two")
                #expect(response.text == "one two")
                #expect(sim.requests.last?.headers["anthropic-version"] == "2026-10-21")
            }
        }
    }

    @Test func dropSamplingParamsLeavesThemOut() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(
                json: anthropic(
                    sim, extra: #", "anthropic_version": "2026-10-21", "drop_sampling_params": true, "generate_args": {"top_k": 5}"#))
            let response = try await m.getModel(configName: "a").acall(
                "one two", options: CallOptions(temperature: 0.3, maxTokens: 20, topP: 0.5))
            #expect(response.text == "one two")
            let body = try #require(lastBody(sim))
            #expect(body["temperature"] == nil)
            #expect(body["top_p"] == nil)
            #expect(body["top_k"] == nil)
            #expect(body["max_tokens"] == 20)
        }
    }

    @Test func earlierVersionsStillSendSampling() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: anthropic(sim, extra: ""))
            _ = try await m.getModel(configName: "a").acall("hi", options: CallOptions(temperature: 0.3))
            #expect(lastBody(sim)?["temperature"] == 0.3)
            #expect(sim.requests.last?.headers["anthropic-version"] == AnthropicCodec.defaultVersion)
        }
    }

    @Test func theSimulatorRejectsSamplingUnder20261021AsTheAPIDoes() async throws {
        try await withSimulator { sim, m in
            // The header forced past the adapter's rule: the server's 400 is what callers got before.
            try m.loadModelConfigs(
                json: anthropic(sim, extra: "").replacingOccurrences(
                    of: #""max_retries": 0"#, with: #""max_retries": 0, "default_headers": {"anthropic-version": "2026-10-21"}"#))
            let error = await captureModelError {
                _ = try await m.getModel(configName: "a").acall("hi", options: CallOptions(temperature: 1.0))
            }
            #expect(error?.kind == .badRequest)
            #expect(error?.message.contains("temperature: Extra inputs are not permitted") == true)
        }
    }

    @Test func dropSamplingParamsMustBeABoolean() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: anthropic(sim, extra: #", "drop_sampling_params": "yes""#))
            let error = await captureModelError { _ = try m.getModel(configName: "a") }
            #expect(error?.kind == .configuration)
            #expect(error?.message.contains("drop_sampling_params") == true)
        }
    }
}
