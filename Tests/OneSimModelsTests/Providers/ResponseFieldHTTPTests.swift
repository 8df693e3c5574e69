import Foundation
import OneSimModelsSimulator
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

private let sse = ["content-type": "text/event-stream"]

private func chunk(_ delta: String) -> String {
    "data: " + #"{"id": "c", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": "# + delta + #", "finish_reason": null}]}"#
        + "\n\n"
}

@Suite("Response fields over HTTP", .timeLimit(.minutes(3)))
struct ResponseFieldHTTPTests {
    @Test func contentPartsFromACompatibleServerAreTheReply() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            sim.enqueue(
                .fail(
                    .raw(
                        body: #"{"id": "x", "choices": [{"index": 0, "message": {"role": "assistant", "content": [{"type": "text", "text": "hi"}, {"type": "text", "text": " there"}]}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6}}"#
                    )))
            let response = try await m.getModel(configName: "c").acall("hello")
            #expect(response.text == "hi there")
            #expect(response.usage == Usage(promptTokens: 4, completionTokens: 2, totalTokens: 6))
        }
    }

    @Test func aNumberForContentIsADecodingErrorNotAnEmptyReply() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            sim.enqueue(.fail(.raw(body: #"{"choices": [{"index": 0, "message": {"content": 42}, "finish_reason": "stop"}]}"#)))
            let error = await captureModelError { _ = try await m.getModel(configName: "c").acall("hello") }
            #expect(error?.kind == .decoding)
            #expect(error?.message.contains("choices[0].message.content") == true)
            #expect(error?.configName == "c")
            #expect(sim.requestCount == 1, "a decoding error is not retried")
        }
    }

    @Test func hugeOrNegativeUsageIsADecodingError() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            for usage in [#"{"prompt_tokens": 1e300}"#, #"{"prompt_tokens": -5}"#, #"{"prompt_tokens": "3"}"#] {
                sim.enqueue(.fail(.raw(body: #"{"choices": [{"message": {"content": "a"}}], "usage": "# + usage + "}")))
                let error = await captureModelError { _ = try await m.getModel(configName: "c").acall("hello") }
                #expect(error?.kind == .decoding)
                #expect(error?.message.contains("usage.prompt_tokens") == true)
            }
        }
    }

    @Test func aStreamChunkWithANumberForContentEndsTheStreamWithAnError() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let body = chunk(#"{"content": "one "}"#) + chunk(#"{"content": 42}"#) + chunk(#"{"content": "three"}"#) + "data: [DONE]\n\n"
            sim.enqueue(.fail(.raw(body: body, headers: sse)))
            let (deltas, error) = await drain(try await m.getModel(configName: "c").stream("hello"))
            #expect(deltas.map(\.text) == ["one "])
            #expect(error?.kind == .decoding)
            #expect(error?.message.contains("choices[0].delta.content") == true)
            #expect(error?.partialText == "one ")
        }
    }

    @Test func streamedContentPartsAreText() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let body =
                chunk(#"{"content": [{"type": "text", "text": "one "}]}"#) + chunk(#"{"content": "two"}"#)
                + "data: " + #"{"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}"# + "\n\ndata: [DONE]\n\n"
            sim.enqueue(.fail(.raw(body: body, headers: sse)))
            let response = try await m.getModel(configName: "c").stream("hello").collect()
            #expect(response.text == "one two")
            #expect(response.finishReason == "stop")
        }
    }

    @Test func anEmbeddingThatHoldsAStringIsADecodingError() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: embeddingConfig("e", sim))
            sim.enqueue(.fail(.raw(body: #"{"data": [{"index": 0, "embedding": [0.1, "0.2"]}]}"#)))
            let error = await captureModelError { _ = try await m.getModel(configName: "e").acall(texts: ["a"]) }
            #expect(error?.kind == .decoding)
            #expect(error?.message.contains("data[0].embedding[1]") == true)
        }
    }

    @Test func otherProvidersCheckTheirFieldsToo() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(
                json: "["
                    + [
                        providerConfig("an", type: "anthropic_chat", sim, model: "claude-x"),
                        providerConfig("ge", type: "gemini_chat", sim, model: "gemini-x"),
                        providerConfig("ol", type: "ollama_chat", sim, model: "llama-x", key: nil),
                    ].joined(separator: ",") + "]")
            let cases: [(String, String, String)] = [
                ("an", #"{"content": [{"type": "text", "text": "a"}], "usage": {"input_tokens": -1, "output_tokens": 1}}"#, "usage.input_tokens"),
                ("ge", #"{"candidates": [{"content": {"parts": [{"text": 42}]}}]}"#, "candidates[0].content.parts[0].text"),
                ("ol", #"{"message": {"role": "assistant", "content": 42}, "done": true}"#, "message.content"),
            ]
            for (name, body, field) in cases {
                sim.enqueue(.fail(.raw(body: body)))
                let error = await captureModelError { _ = try await m.getModel(configName: name).acall("hello") }
                #expect(error?.kind == .decoding, "\(name)")
                #expect(error?.message.contains(field) == true, "\(name): \(error?.message ?? "no error")")
            }
        }
    }
}
