import Foundation
import NIOCore
import OneSimModelsSimulator
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsProviders

// Reasoning that servers report apart from the reply, in the shapes of each provider's
// documentation (trimmed): it lands in `reasoning` (and `Usage.reasoningTokens`), never in `text`.
//
// Sources: vLLM "Reasoning Outputs" (docs.vllm.ai/en/stable/features/reasoning_outputs/:
// `reasoning_content`, renamed `reasoning`); DeepSeek "Reasoning Model (deepseek-reasoner)"
// (api-docs.deepseek.com/guides/reasoning_model: `reasoning_content` beside `content`, in
// `message` and stream `delta`); Anthropic "Building with extended thinking"
// (docs.anthropic.com/en/docs/build-with-claude/extended-thinking: `thinking` and
// `redacted_thinking` blocks, `thinking_delta` and `signature_delta` events); Gemini "Gemini
// thinking" (ai.google.dev/gemini-api/docs/thinking: parts with `"thought": true` are thought
// summaries, `usageMetadata.thoughtsTokenCount`); Ollama "Thinking"
// (docs.ollama.com/capabilities/thinking and /capabilities/streaming: `message.thinking`).

/// The OpenAI-compatible decoders: the fast reader and the tree path, which must agree.
private func decodeOpenAI(_ body: String) throws -> ModelResponse {
    let fast = try OpenAIChatResponseReader.decode(HTTPResult(status: 200, body: ByteBuffer(string: body)))
    let tree = try OpenAIChatCodec.decodeResponse(try JSONCodec.parse(body))
    #expect(fast.text == tree.text)
    #expect(fast.reasoning == tree.reasoning)
    #expect(fast.usage == tree.usage)
    return fast
}

/// Feeds `events` to `decoder` and assembles the deltas as `collect()` does.
private func collect(_ decoder: inout some StreamEventDecoder, _ events: [SSEEvent]) throws -> (
    ModelResponse, [ModelDelta]
) {
    var accumulator = ResponseAccumulator()
    var deltas: [ModelDelta] = []
    for event in events {
        for delta in try decoder.decode(event) {
            deltas.append(delta)
            accumulator.add(delta)
        }
    }
    return (accumulator.response, deltas)
}

private func sseEvents(_ data: [String]) -> [SSEEvent] { data.map { SSEEvent(data: $0) } }

private let vLLMReply = #"""
    {"id": "chatcmpl-9f2", "object": "chat.completion", "created": 1740000000,
     "model": "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B",
     "choices": [{"index": 0, "message": {"role": "assistant",
        "reasoning_content": "9.8 is 9.80; 9.80 > 9.11.", "content": "9.8 is greater than 9.11.", "tool_calls": []},
      "logprobs": null, "finish_reason": "stop", "stop_reason": null}],
     "usage": {"prompt_tokens": 17, "total_tokens": 67, "completion_tokens": 50, "prompt_tokens_details": null}}
    """#

private func chunk(_ delta: String, finish: String = "null") -> String {
    #"{"id": "chatcmpl-9f2", "object": "chat.completion.chunk", "model": "deepseek-reasoner", "choices": [{"index": 0, "delta": "#
        + delta + #", "logprobs": null, "finish_reason": "# + finish + "}]}"
}

/// DeepSeek's stream: reasoning pieces first (`content` null), then content (`reasoning_content` null).
private let deepSeekStream = [
    chunk(#"{"role": "assistant", "content": null, "reasoning_content": ""}"#),
    chunk(#"{"content": null, "reasoning_content": "Compare "}"#),
    chunk(#"{"content": null, "reasoning_content": "9.11 and 9.80."}"#),
    chunk(#"{"content": "9.8 is ", "reasoning_content": null}"#),
    chunk(#"{"content": "greater.", "reasoning_content": null}"#),
    chunk(#"{"content": "", "reasoning_content": null}"#, finish: #""stop""#),
    #"{"id": "chatcmpl-9f2", "object": "chat.completion.chunk", "choices": [], "usage": {"prompt_tokens": 13, "completion_tokens": 240, "total_tokens": 253, "completion_tokens_details": {"reasoning_tokens": 226}}}"#,
    "[DONE]",
]

@Suite("Reasoning models")
struct ReasoningTests {
    // MARK: OpenAI-compatible (vLLM, SGLang, DeepSeek)

    @Test func vLLMReasoningContentIsReasoningNotText() throws {
        let response = try decodeOpenAI(vLLMReply)
        #expect(response.text == "9.8 is greater than 9.11.")
        #expect(response.reasoning == "9.8 is 9.80; 9.80 > 9.11.")
        #expect(response.usage == Usage(promptTokens: 17, completionTokens: 50, totalTokens: 67))
    }

    @Test func vLLMsNewerReasoningFieldAndBothNamesAreReadOnce() throws {
        let renamed = vLLMReply.replacingOccurrences(of: #""reasoning_content""#, with: #""reasoning""#)
        #expect(try decodeOpenAI(renamed).reasoning == "9.8 is 9.80; 9.80 > 9.11.")
        let both = vLLMReply.replacingOccurrences(
            of: #""reasoning_content": "9.8 is 9.80; 9.80 > 9.11.","#,
            with: #""reasoning": "9.8 is 9.80; 9.80 > 9.11.", "reasoning_content": "9.8 is 9.80; 9.80 > 9.11.","#)
        #expect(both != vLLMReply)
        #expect(try decodeOpenAI(both).reasoning == "9.8 is 9.80; 9.80 > 9.11.")
    }

    @Test func aReplyWithoutReasoningHasNone() throws {
        let plain = vLLMReply.replacingOccurrences(of: #""reasoning_content": "9.8 is 9.80; 9.80 > 9.11.","#, with: "")
        #expect(plain != vLLMReply)
        let response = try decodeOpenAI(plain)
        #expect(response.reasoning == nil)
        #expect(response.text == "9.8 is greater than 9.11.")
        let empty = vLLMReply.replacingOccurrences(of: "9.8 is 9.80; 9.80 > 9.11.", with: "")
        #expect(try decodeOpenAI(empty).reasoning == nil)
    }

    @Test func deepSeekReasoningTokensArePartOfCompletion() throws {
        let body = #"""
            {"id": "d1", "object": "chat.completion", "model": "deepseek-reasoner",
             "choices": [{"index": 0, "message": {"role": "assistant", "content": "9.8 is greater.",
                "reasoning_content": "Compare 9.11 and 9.80."}, "logprobs": null, "finish_reason": "stop"}],
             "usage": {"prompt_tokens": 13, "completion_tokens": 240, "total_tokens": 253,
                "prompt_tokens_details": {"cached_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 226},
                "prompt_cache_hit_tokens": 0, "prompt_cache_miss_tokens": 13}}
            """#
        let response = try decodeOpenAI(body)
        #expect(response.reasoning == "Compare 9.11 and 9.80.")
        #expect(response.text == "9.8 is greater.")
        #expect(response.usage == Usage(promptTokens: 13, completionTokens: 240, totalTokens: 253, reasoningTokens: 226))
        #expect(response.usage.dictionary["reasoning_tokens"] == 226)
    }

    @Test(arguments: [
        (#""reasoning_content": 5"#, "choices[0].message.reasoning_content"),
        (#""reasoning": ["a"]"#, "choices[0].message.reasoning"),
    ])
    func aWronglyTypedReasoningIsADecodingErrorNamingIt(member: String, field: String) throws {
        let body = #"{"choices": [{"message": {"content": "x", "# + member + "}}]}"
        for decode in [
            { () throws -> Void in _ = try OpenAIChatResponseReader.decode(HTTPResult(status: 200, body: ByteBuffer(string: body))) },
            { () throws -> Void in _ = try OpenAIChatCodec.decodeResponse(try JSONCodec.parse(body)) },
        ] {
            let error = #expect(throws: ModelError.self) { try decode() }
            #expect(error?.kind == .decoding)
            #expect(error?.message.contains(field) == true, "\(error?.message ?? "")")
        }
    }

    @Test(arguments: [
        (#"{"reasoning_tokens": -1}"#, "usage.completion_tokens_details.reasoning_tokens"),
        (#"{"reasoning_tokens": 1e300}"#, "usage.completion_tokens_details.reasoning_tokens"),
        (#"{"reasoning_tokens": "7"}"#, "usage.completion_tokens_details.reasoning_tokens"),
        ("7", "usage.completion_tokens_details"),
    ])
    func aBadReasoningCountIsADecodingErrorNamingIt(details: String, field: String) throws {
        let body = #"{"choices": [{"message": {"content": "x"}}], "usage": {"completion_tokens": 3, "completion_tokens_details": "#
            + details + "}}"
        let fast = #expect(throws: ModelError.self) {
            try OpenAIChatResponseReader.decode(HTTPResult(status: 200, body: ByteBuffer(string: body)))
        }
        #expect(fast?.kind == .decoding)
        #expect(fast?.message.contains(field) == true, "\(fast?.message ?? "")")
        var stream = OpenAIStreamDecoder()
        let streamed = #expect(throws: ModelError.self) { try stream.decode(SSEEvent(data: body)) }
        #expect(streamed?.message.contains(field) == true)
    }

    @Test func deepSeekStreamAssemblesReasoningApartFromText() throws {
        var decoder = OpenAIStreamDecoder()
        let (response, deltas) = try collect(&decoder, sseEvents(deepSeekStream))
        #expect(deltas.compactMap(\.reasoning) == ["Compare ", "9.11 and 9.80."])
        #expect(!deltas.contains { $0.reasoning != nil && !$0.text.isEmpty })
        #expect(response.reasoning == "Compare 9.11 and 9.80.")
        #expect(response.text == "9.8 is greater.")
        #expect(response.finishReason == "stop")
        #expect(response.usage == Usage(promptTokens: 13, completionTokens: 240, totalTokens: 253, reasoningTokens: 226))
        #expect(decoder.isFinished)
    }

    @Test func aStreamWithoutReasoningCollectsNone() throws {
        var decoder = OpenAIStreamDecoder()
        let (response, _) = try collect(&decoder, sseEvents([chunk(#"{"content": "hi"}"#), "[DONE]"]))
        #expect(response.reasoning == nil)
        #expect(response.text == "hi")
    }

    @Test func vLLMsRenamedStreamFieldIsReasoning() throws {
        var decoder = OpenAIStreamDecoder()
        let (response, _) = try collect(
            &decoder, sseEvents([chunk(#"{"reasoning": "think"}"#), chunk(#"{"content": "done"}"#), "[DONE]"]))
        #expect(response.reasoning == "think")
        #expect(response.text == "done")
    }

    // MARK: Anthropic

    @Test func anthropicThinkingBlocksAreReasoningAndRedactedThinkingAddsNothing() throws {
        let raw = try JSONCodec.parse(#"""
            {"id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
             "content": [
                {"type": "thinking", "thinking": "Let me analyze this step by step...",
                 "signature": "WaUjzkypQ2mUEVM36O2TxuC06KN8xyfbJwyem2dw3URve/op91XWHOEBLLqIOMfFG/UvLEczmEsUjavL"},
                {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"},
                {"type": "text", "text": "Based on my analysis..."}],
             "stop_reason": "end_turn", "usage": {"input_tokens": 2095, "output_tokens": 503}}
            """#)
        let response = try AnthropicCodec.decodeResponse(raw)
        #expect(response.text == "Based on my analysis...")
        #expect(response.reasoning == "Let me analyze this step by step...")
        #expect(response.usage == Usage(promptTokens: 2095, completionTokens: 503))
        #expect(response.usage.reasoningTokens == 0, "Anthropic does not report thinking tokens apart")

        let redactedOnly = try JSONCodec.parse(#"""
            {"content": [{"type": "redacted_thinking", "data": "EmwK"}, {"type": "text", "text": "Hi"}], "stop_reason": "end_turn"}
            """#)
        let plain = try AnthropicCodec.decodeResponse(redactedOnly)
        #expect(plain.reasoning == nil)
        #expect(plain.text == "Hi")

        let wrong = try JSONCodec.parse(#"{"content": [{"type": "thinking", "thinking": 3}]}"#)
        let error = #expect(throws: ModelError.self) { try AnthropicCodec.decodeResponse(wrong) }
        #expect(error?.message.contains("content[0].thinking") == true)
    }

    @Test func anthropicThinkingDeltasStreamAsReasoning() throws {
        let events: [(String, String)] = [
            ("message_start", #"{"type": "message_start", "message": {"id": "msg_01", "type": "message", "role": "assistant", "content": [], "model": "claude-sonnet-4-5", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 34, "output_tokens": 1}}}"#),
            ("content_block_start", #"{"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}}"#),
            ("content_block_delta", #"{"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "I need to find the GCD of 1071 and 462.\n\n1071 = 2 × 462 + 147"}}"#),
            ("content_block_delta", #"{"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "\n462 = 3 × 147 + 21\n147 = 7 × 21 + 0"}}"#),
            ("content_block_delta", #"{"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"}}"#),
            ("content_block_stop", #"{"type": "content_block_stop", "index": 0}"#),
            ("content_block_start", #"{"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}}"#),
            ("content_block_delta", #"{"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "The greatest common divisor of 1071 and 462 is **21**."}}"#),
            ("content_block_stop", #"{"type": "content_block_stop", "index": 1}"#),
            ("message_delta", #"{"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": 120}}"#),
            ("message_stop", #"{"type": "message_stop"}"#),
        ]
        var decoder = AnthropicStreamDecoder()
        let (response, deltas) = try collect(&decoder, events.map { SSEEvent(event: $0.0, data: $0.1) })
        #expect(deltas.compactMap(\.reasoning).count == 2)
        #expect(response.reasoning == "I need to find the GCD of 1071 and 462.\n\n1071 = 2 × 462 + 147\n462 = 3 × 147 + 21\n147 = 7 × 21 + 0")
        #expect(response.text == "The greatest common divisor of 1071 and 462 is **21**.")
        #expect(response.usage == Usage(promptTokens: 34, completionTokens: 120))
        #expect(decoder.isFinished)

        var bad = AnthropicStreamDecoder()
        let error = #expect(throws: ModelError.self) {
            try bad.decode(SSEEvent(data: #"{"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": false}}"#))
        }
        #expect(error?.message.contains("delta.thinking") == true)
    }

    // MARK: Gemini

    @Test func geminiThoughtPartsAreReasoningNotText() throws {
        let raw = try JSONCodec.parse(#"""
            {"candidates": [{"content": {"role": "model", "parts": [
                {"text": "**Defining Occam's Razor**\n\nI'm looking at the simplest explanation first.", "thought": true},
                {"text": "Occam's Razor says the simplest explanation is usually the best."}]},
              "finishReason": "STOP", "index": 0}],
             "usageMetadata": {"promptTokenCount": 14, "candidatesTokenCount": 120, "totalTokenCount": 1097, "thoughtsTokenCount": 963},
             "modelVersion": "gemini-2.5-flash", "responseId": "r-1"}
            """#)
        let response = try GeminiCodec.decodeResponse(raw)
        #expect(response.text == "Occam's Razor says the simplest explanation is usually the best.")
        #expect(response.reasoning == "**Defining Occam's Razor**\n\nI'm looking at the simplest explanation first.")
        #expect(response.usage == Usage(promptTokens: 14, completionTokens: 1083, totalTokens: 1097, reasoningTokens: 963))

        let wrong = try JSONCodec.parse(#"{"candidates": [{"content": {"parts": [{"text": 1, "thought": true}]}}]}"#)
        let error = #expect(throws: ModelError.self) { try GeminiCodec.decodeResponse(wrong) }
        #expect(error?.message.contains("candidates[0].content.parts[0].text") == true)
    }

    @Test func geminiStreamedThoughtsAreReasoning() throws {
        let chunks = [
            #"{"candidates": [{"content": {"parts": [{"text": "**Counting letters**\n\nI spell it out.", "thought": true}], "role": "model"}, "index": 0}], "usageMetadata": {"promptTokenCount": 9, "totalTokenCount": 40, "thoughtsTokenCount": 31}}"#,
            #"{"candidates": [{"content": {"parts": [{"text": "There are three "}], "role": "model"}, "index": 0}]}"#,
            #"{"candidates": [{"content": {"parts": [{"text": "r's."}], "role": "model"}, "finishReason": "STOP", "index": 0}], "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 5, "totalTokenCount": 45, "thoughtsTokenCount": 31}}"#,
        ]
        var decoder = GeminiStreamDecoder()
        let (response, deltas) = try collect(&decoder, sseEvents(chunks))
        #expect(deltas.first?.text == "")
        #expect(response.reasoning == "**Counting letters**\n\nI spell it out.")
        #expect(response.text == "There are three r's.")
        #expect(response.usage == Usage(promptTokens: 9, completionTokens: 36, totalTokens: 45, reasoningTokens: 31))
    }

    // MARK: Ollama

    @Test func ollamaMessageThinkingIsReasoning() throws {
        let raw = try JSONCodec.parse(#"""
            {"model": "qwen3", "created_at": "2025-05-29T09:35:56.836222Z",
             "message": {"role": "assistant", "content": "There are three r's in strawberry.",
                         "thinking": "Let me count the letters: s-t-r-a-w-b-e-r-r-y."},
             "done": true, "done_reason": "stop", "prompt_eval_count": 16, "eval_count": 212}
            """#)
        let response = try OllamaCodec.decodeResponse(raw)
        #expect(response.text == "There are three r's in strawberry.")
        #expect(response.reasoning == "Let me count the letters: s-t-r-a-w-b-e-r-r-y.")
        #expect(response.usage == Usage(promptTokens: 16, completionTokens: 212))

        let wrong = try JSONCodec.parse(#"{"message": {"content": "a", "thinking": {"x": 1}}}"#)
        let error = #expect(throws: ModelError.self) { try OllamaCodec.decodeResponse(wrong) }
        #expect(error?.message.contains("message.thinking") == true)
    }

    @Test func ollamaStreamedThinkingIsReasoning() throws {
        let lines = [
            #"{"model": "qwen3", "created_at": "2025-05-29T09:35:56Z", "message": {"role": "assistant", "content": "", "thinking": "Let me "}, "done": false}"#,
            #"{"model": "qwen3", "created_at": "2025-05-29T09:35:56Z", "message": {"role": "assistant", "content": "", "thinking": "count."}, "done": false}"#,
            #"{"model": "qwen3", "created_at": "2025-05-29T09:35:57Z", "message": {"role": "assistant", "content": "Three."}, "done": false}"#,
            #"{"model": "qwen3", "created_at": "2025-05-29T09:35:57Z", "message": {"role": "assistant", "content": ""}, "done": true, "done_reason": "stop", "prompt_eval_count": 16, "eval_count": 40}"#,
        ]
        var decoder = OllamaStreamDecoder()
        let (response, deltas) = try collect(&decoder, sseEvents(lines))
        #expect(deltas.compactMap(\.reasoning) == ["Let me ", "count."])
        #expect(response.reasoning == "Let me count.")
        #expect(response.text == "Three.")
        #expect(response.usage == Usage(promptTokens: 16, completionTokens: 40))
    }

    // MARK: Over HTTP

    @Test func anOpenAICompatibleReplyOverHTTPCarriesReasoningApart() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: """
                {"config_name": "r1", "model_type": "vllm_chat", "model_name": "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B",
                 "client_args": {"base_url": "\(sim.baseURL)"}}
                """)
            sim.enqueue(.fail(.raw(body: vLLMReply)))
            let response = try await m.getModel(configName: "r1").acall("9.11 and 9.8, which is greater?")
            #expect(response.text == "9.8 is greater than 9.11.")
            #expect(response.reasoning == "9.8 is 9.80; 9.80 > 9.11.")

            let body = deepSeekStream.map { "data: \($0)\n\n" }.joined()
            sim.enqueue(.fail(.raw(body: body, headers: ["content-type": "text/event-stream"])))
            let streamed = try await m.getModel(configName: "r1").stream("9.11 and 9.8, which is greater?").collect()
            #expect(streamed.text == "9.8 is greater.")
            #expect(streamed.reasoning == "Compare 9.11 and 9.80.")
            #expect(streamed.usage.reasoningTokens == 226)
        }
    }

    @Test func anAnthropicStreamOverHTTPCarriesThinkingApart() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: providerConfig("claude", type: "anthropic_chat", sim, model: "claude-sonnet-4-5"))
            let events = [
                ("message_start", #"{"type": "message_start", "message": {"id": "m", "type": "message", "role": "assistant", "content": [], "usage": {"input_tokens": 5, "output_tokens": 1}}}"#),
                ("content_block_start", #"{"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}}"#),
                ("content_block_delta", #"{"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "Plan first."}}"#),
                ("content_block_stop", #"{"type": "content_block_stop", "index": 0}"#),
                ("content_block_start", #"{"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}}"#),
                ("content_block_delta", #"{"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "Plant beans."}}"#),
                ("message_delta", #"{"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 9}}"#),
                ("message_stop", #"{"type": "message_stop"}"#),
            ]
            let body = events.map { "event: \($0.0)\ndata: \($0.1)\n\n" }.joined()
            sim.enqueue(.fail(.raw(body: body, headers: ["content-type": "text/event-stream"])))
            let response = try await m.getModel(configName: "claude").stream("What should we plant?").collect()
            #expect(response.text == "Plant beans.")
            #expect(response.reasoning == "Plan first.")
        }
    }
}
