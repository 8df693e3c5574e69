import Foundation
import InMemoryTracing
import OneSimModelsSimulator
import Testing
import Tracing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsProviders

/// Prompt-cache reads as each provider reports them: `Usage.cachedPromptTokens`, and
/// `gen_ai.usage.cache_read.input_tokens` on the client span.
@Suite("Tracing: cache-read tokens", .timeLimit(.minutes(3)))
struct CachedTokensTests {
    @Test func openAICachedTokensReachTheUsageAndTheSpan() async throws {
        try await withSimulator { sim, m in
            sim.enqueue(.fail(.raw(body: """
                {"id": "chatcmpl-cached", "object": "chat.completion", "model": "sim-chat-2025",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 20, "completion_tokens": 2, "total_tokens": 22,
                           "prompt_tokens_details": {"cached_tokens": 12}}}
                """, headers: ["content-type": "application/json"])))
            try m.loadModelConfigs(json: chatConfig("cached-openai", sim))
            let model = try m.getModel(configName: "cached-openai")
            var reply: ModelResponse?
            let trace = try await TestTracing.trace { reply = try await model.acall("hi") }
            #expect(reply?.usage == Usage(promptTokens: 20, completionTokens: 2, totalTokens: 22, cachedPromptTokens: 12))
            let span = try #require(try await TestTracing.spans(in: trace, count: 1).first)
            #expect(span.int("gen_ai.usage.cache_read.input_tokens") == 12)
            #expect(span.int("gen_ai.usage.input_tokens") == 20)
            #expect(span.string("gen_ai.response.id") == "chatcmpl-cached")
            #expect(span.string("gen_ai.response.model") == "sim-chat-2025")
        }
    }

    @Test func theStreamedOpenAIUsageReadsThemToo() throws {
        let usage = try OpenAIChatCodec.decodeUsage(
            ["prompt_tokens": 9, "completion_tokens": 1, "prompt_tokens_details": ["cached_tokens": 4]])
        #expect(usage.cachedPromptTokens == 4)
        #expect(usage.promptTokens == 9)
        #expect(throws: ModelError.self) {
            try OpenAIChatCodec.decodeUsage(["prompt_tokens": 9, "prompt_tokens_details": ["cached_tokens": -1]])
        }
    }

    @Test func anthropicCacheReadsArePartOfThePrompt() throws {
        let usage = try AnthropicCodec.decodeUsage(
            ["input_tokens": 5, "cache_creation_input_tokens": 7, "cache_read_input_tokens": 30, "output_tokens": 3])
        #expect(usage.promptTokens == 42)
        #expect(usage.cachedPromptTokens == 30)
        #expect(usage.completionTokens == 3)
    }

    @Test func geminiCachedContentIsRead() throws {
        let usage = try GeminiCodec.decodeUsage(
            ["promptTokenCount": 50, "candidatesTokenCount": 5, "totalTokenCount": 55, "cachedContentTokenCount": 40])
        #expect(usage.cachedPromptTokens == 40)
        #expect(usage.promptTokens == 50)
    }

    @Test func theFieldRoundTripsAndAdds() throws {
        let usage = Usage(promptTokens: 10, completionTokens: 1, cachedPromptTokens: 6)
        let data = try JSONEncoder().encode(usage)
        #expect(try JSONDecoder().decode(Usage.self, from: data) == usage)
        #expect(usage.dictionary["cached_tokens"] == 6)
        #expect(Usage(promptTokens: 1).dictionary["cached_tokens"] == nil)
        #expect((usage + usage).cachedPromptTokens == 12)
    }
}
