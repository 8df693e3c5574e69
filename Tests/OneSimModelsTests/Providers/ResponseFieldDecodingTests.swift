import Foundation
import NIOCore
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// Decodes `body` with both OpenAI paths (bytes reader and tree) and checks they agree.
private func decodeChat(_ body: String) throws -> ModelResponse {
    let tree = Result { try OpenAIChatCodec.decodeResponse(try JSONCodec.parse(body)) }
    let fast = Result { try OpenAIChatResponseReader.decode(HTTPResult(status: 200, body: ByteBuffer(string: body))) }
    switch (tree, fast) {
    case (.success(let t), .success(let f)):
        #expect(f.text == t.text)
        #expect(f.refusal == t.refusal)
        #expect(f.usage == t.usage)
        #expect(f.finishReason == t.finishReason)
        #expect(f.toolCalls == t.toolCalls)
        return f
    case (.failure(let t), .failure(let f)):
        #expect((t as? ModelError)?.message == (f as? ModelError)?.message)
        throw f
    default:
        Issue.record("tree \(tree) but fast \(fast)")
        return try fast.get()
    }
}

/// The `.decoding` error `body` throws, or nil.
private func decodingError(_ body: () throws -> Any) -> ModelError? {
    do {
        _ = try body()
        return nil
    } catch let error as ModelError {
        return error
    } catch {
        return ModelError(.configuration, "unexpected \(error)")
    }
}

private func chatBody(message: String, usage: String = #"{"prompt_tokens": 3, "completion_tokens": 2}"#, finish: String = #""stop""#)
    -> String
{
    #"{"id": "c", "choices": [{"index": 0, "message": "# + message + #", "finish_reason": "# + finish + #"}], "usage": "#
        + usage + "}"
}

@Suite("Response fields: strict decoding")
struct ResponseFieldDecodingTests {
    // MARK: OpenAI chat (reader and tree)

    @Test func contentPartsAreText() throws {
        let response = try decodeChat(
            chatBody(message: #"{"role": "assistant", "content": [{"type": "text", "text": "hi"}, {"type": "text", "text": " there"}]}"#))
        #expect(response.text == "hi there")
        #expect(response.usage == Usage(promptTokens: 3, completionTokens: 2))
    }

    @Test func refusalPartsBecomeTheRefusalAndOtherPartsStayInRaw() throws {
        let refused = try decodeChat(chatBody(message: #"{"content": [{"type": "refusal", "refusal": "I can't help with that."}]}"#))
        #expect(refused.text == nil)
        #expect(refused.refusal == "I can't help with that.")
        let mixed = try decodeChat(
            chatBody(message: #"{"content": [{"type": "image_url", "image_url": {"url": "x"}}, {"type": "text", "text": "a cat"}]}"#))
        #expect(mixed.text == "a cat")
    }

    @Test(arguments: [
        (#"{"content": 42}"#, "choices[0].message.content"),
        (#"{"content": {"text": "hi"}}"#, "choices[0].message.content"),
        (#"{"content": [{"type": "image_url", "image_url": {"url": "x"}}]}"#, "choices[0].message.content"),
        (#"{"content": ["hi"]}"#, "choices[0].message.content[0]"),
        (#"{"content": [{"type": "text", "text": 7}]}"#, "choices[0].message.content[0].text"),
        (#"{"content": "a", "refusal": 1}"#, "choices[0].message.refusal"),
        (#"{"content": "a", "tool_calls": {"id": 1}}"#, "choices[0].message.tool_calls"),
        (#"{"content": null, "tool_calls": [{"id": "c", "function": {"arguments": "{}"}}]}"#, "choices[0].message.tool_calls[0]"),
        (#"{"content": null, "tool_calls": [{"id": 5, "function": {"name": "f"}}]}"#, "choices[0].message.tool_calls[0].id"),
        (#""hi""#, "choices[0].message"),
    ])
    func wrongTypesInTheMessageAreErrorsNamingTheField(message: String, field: String) {
        let error = decodingError { try decodeChat(chatBody(message: message)) }
        #expect(error?.kind == .decoding)
        #expect(error?.message.contains(field) == true, "\(error?.message ?? "no error")")
    }

    @Test(arguments: [
        (#"{"prompt_tokens": -1, "completion_tokens": 2}"#, "usage.prompt_tokens"),
        (#"{"prompt_tokens": "12", "completion_tokens": 2}"#, "usage.prompt_tokens"),
        (#"{"prompt_tokens": 1e300, "completion_tokens": 2}"#, "usage.prompt_tokens"),
        (#"{"prompt_tokens": 1, "completion_tokens": 2.5}"#, "usage.completion_tokens"),
        (#"{"prompt_tokens": 1, "completion_tokens": 99999999999999999999}"#, "usage.completion_tokens"),
        (#"{"prompt_tokens": 1, "total_tokens": true}"#, "usage.total_tokens"),
        (#"7"#, "usage"),
    ])
    func usageCountsAreRangeChecked(usage: String, field: String) {
        let error = decodingError { try decodeChat(chatBody(message: #"{"content": "a"}"#, usage: usage)) }
        #expect(error?.kind == .decoding)
        #expect(error?.message.contains(field) == true, "\(error?.message ?? "no error")")
    }

    @Test func wholeNumberDoublesAndNullsAreAccepted() throws {
        let response = try decodeChat(
            chatBody(message: #"{"content": "a", "refusal": null}"#, usage: #"{"prompt_tokens": 3.0, "completion_tokens": null}"#, finish: "null"))
        #expect(response.usage == Usage(promptTokens: 3, completionTokens: 0, totalTokens: nil))
        #expect(response.finishReason == nil)
        let error = decodingError { try decodeChat(chatBody(message: #"{"content": "a"}"#, finish: "7")) }
        #expect(error?.message.contains("choices[0].finish_reason") == true)
    }

    // MARK: OpenAI stream

    @Test func streamChunkWithANumberForContentIsAnError() {
        var decoder = OpenAIStreamDecoder()
        let error = decodingError { try decoder.decode(SSEEvent(data: #"{"choices": [{"index": 0, "delta": {"content": 42}}]}"#)) }
        #expect(error?.kind == .decoding)
        #expect(error?.message.contains("choices[0].delta.content") == true)
    }

    @Test func streamChunkWithContentPartsIsText() throws {
        var decoder = OpenAIStreamDecoder()
        let deltas = try decoder.decode(SSEEvent(data: #"{"choices": [{"index": 0, "delta": {"content": [{"type": "text", "text": "hi"}]}}]}"#))
        #expect(deltas.map(\.text) == ["hi"])
    }

    @Test(arguments: [
        (#"{"choices": [], "usage": {"prompt_tokens": -3}}"#, "usage.prompt_tokens"),
        (#"{"choices": [{"delta": {"refusal": 1}}]}"#, "choices[0].delta.refusal"),
        (#"{"choices": [{"delta": {}, "finish_reason": 1}]}"#, "choices[0].finish_reason"),
        (#"{"choices": [{"delta": {"tool_calls": [{"index": 1e12, "function": {"arguments": "{"}}]}}]}"#, "choices[0].delta.tool_calls[0].index"),
        (#"{"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": 5}}]}}]}"#, "choices[0].delta.tool_calls[0].function.arguments"),
        (#"{"choices": "x"}"#, "choices"),
    ])
    func streamFieldsAreChecked(data: String, field: String) {
        var decoder = OpenAIStreamDecoder()
        let error = decodingError { try decoder.decode(SSEEvent(data: data)) }
        #expect(error?.kind == .decoding)
        #expect(error?.message.contains(field) == true, "\(error?.message ?? "no error")")
    }

    // MARK: Embeddings

    @Test(arguments: [
        (#"{"data": [{"index": 0, "embedding": [0.5, "x"]}]}"#, "data[0].embedding[1]"),
        (#"{"data": [{"index": 0, "embedding": [1e300]}]}"#, "data[0].embedding[0]"),
        (#"{"data": [{"index": 0, "embedding": "not base64!"}]}"#, "data[0].embedding"),
        (#"{"data": [{"index": 0, "embedding": "AAAA"}]}"#, "data[0].embedding"),
        (#"{"data": [{"index": 0, "embedding": "AADAfw=="}]}"#, "data[0].embedding"),
        (#"{"data": [{"index": 0, "embedding": 3}]}"#, "data[0].embedding"),
        (#"{"data": [{"index": "0", "embedding": [1]}]}"#, "data[0].index"),
        (#"{"data": [{"index": 0, "embedding": [1]}], "usage": {"prompt_tokens": -2}}"#, "usage.prompt_tokens"),
    ])
    func openAIEmbeddingFieldsAreChecked(body: String, field: String) throws {
        let error = decodingError { try OpenAIEmbeddingAdapter.decode(try JSONCodec.parse(body), expected: 1) }
        #expect(error?.kind == .decoding)
        #expect(error?.message.contains(field) == true, "\(error?.message ?? "no error")")
    }

    @Test func base64EmbeddingsOfWholeFloatsDecode() throws {
        let floats: [Float] = [0.25, -1.5]
        let base64 = floats.withUnsafeBytes { Data($0).base64EncodedString() }
        let response = try OpenAIEmbeddingAdapter.decode(
            try JSONCodec.parse(#"{"data": [{"index": 0, "embedding": ""# + base64 + #""}]}"#), expected: 1)
        #expect(response.embeddings == [floats])
    }

    @Test func geminiEmbeddingValuesAreChecked() {
        let error = decodingError {
            try GeminiEmbeddingAdapter.decode(try JSONCodec.parse(#"{"embedding": {"values": [1, "x"]}}"#), expected: 1)
        }
        #expect(error?.message.contains("embedding.values[1]") == true)
    }

    // MARK: Anthropic

    @Test(arguments: [
        (#"{"content": [{"type": "text", "text": 42}]}"#, "content[0].text"),
        (#"{"content": ["hi"]}"#, "content[0]"),
        (#"{"content": [{"type": "tool_use", "id": "t", "input": {}}]}"#, "content[0]"),
        (#"{"content": [{"type": "tool_use", "id": "t", "name": "f", "input": "{}"}]}"#, "content[0].input"),
        (#"{"content": [{"type": "text", "text": "a"}], "usage": {"input_tokens": -1, "output_tokens": 2}}"#, "usage.input_tokens"),
        (#"{"content": [{"type": "text", "text": "a"}], "usage": {"input_tokens": 1, "output_tokens": "2"}}"#, "usage.output_tokens"),
        (#"{"content": [{"type": "text", "text": "a"}], "stop_reason": 3}"#, "stop_reason"),
    ])
    func anthropicFieldsAreChecked(body: String, field: String) {
        let error = decodingError { try AnthropicCodec.decodeResponse(try JSONCodec.parse(body)) }
        #expect(error?.kind == .decoding)
        #expect(error?.message.contains(field) == true, "\(error?.message ?? "no error")")
    }

    @Test(arguments: [
        (#"{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": 42}}"#, "delta.text"),
        (#"{"type": "content_block_delta", "index": -1, "delta": {"type": "text_delta", "text": "a"}}"#, "index"),
        (#"{"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 1e300}}"#, "usage.output_tokens"),
        (#"{"type": "message_start", "message": {"usage": {"input_tokens": "5"}}}"#, "message.usage.input_tokens"),
        (#"{"type": "message_delta", "delta": "end_turn", "usage": {"output_tokens": 1}}"#, "delta"),
    ])
    func anthropicStreamFieldsAreChecked(data: String, field: String) {
        var decoder = AnthropicStreamDecoder()
        let error = decodingError { try decoder.decode(SSEEvent(data: data)) }
        #expect(error?.kind == .decoding)
        #expect(error?.message.contains(field) == true, "\(error?.message ?? "no error")")
    }

    // MARK: Gemini

    @Test(arguments: [
        (#"{"candidates": [{"content": {"parts": [{"text": 42}]}}]}"#, "candidates[0].content.parts[0].text"),
        (#"{"candidates": [{"content": {"parts": [{"functionCall": {"args": {}}}]}}]}"#, "candidates[0].content.parts[0].functionCall"),
        (#"{"candidates": [{"content": {"parts": [{"text": "a"}]}}], "usageMetadata": {"promptTokenCount": "x"}}"#, "usageMetadata.promptTokenCount"),
        (#"{"candidates": [{"content": {"parts": "a"}}]}"#, "candidates[0].content.parts"),
    ])
    func geminiFieldsAreChecked(body: String, field: String) {
        let error = decodingError { try GeminiCodec.decodeResponse(try JSONCodec.parse(body)) }
        #expect(error?.kind == .decoding)
        #expect(error?.message.contains(field) == true, "\(error?.message ?? "no error")")
        var decoder = GeminiStreamDecoder()
        let streamError = decodingError { try decoder.decode(SSEEvent(data: body)) }
        #expect(streamError?.message.contains(field) == true, "\(streamError?.message ?? "no error")")
    }

    // MARK: Ollama

    @Test func anOllamaErrorLineThatIsAnObjectIsStillAnError() {
        var decoder = OllamaStreamDecoder()
        let error = decodingError { try decoder.decode(SSEEvent(data: #"{"error": {"message": "model crashed"}}"#)) }
        #expect(error?.kind == .serverError)
        #expect(error?.message == "model crashed")
    }

    @Test(arguments: [
        (#"{"message": {"role": "assistant", "content": 42}, "done": true}"#, "message.content"),
        (#"{"message": {"role": "assistant", "content": "a"}, "done": true, "eval_count": 1e300}"#, "eval_count"),
        (#"{"message": {"role": "assistant", "content": "a"}, "done": true, "prompt_eval_count": -4}"#, "prompt_eval_count"),
        (#"{"message": {"content": "", "tool_calls": [{"function": {"arguments": {}}}]}, "done": true}"#, "message.tool_calls[0]"),
    ])
    func ollamaFieldsAreChecked(body: String, field: String) {
        let error = decodingError { try OllamaCodec.decodeResponse(try JSONCodec.parse(body)) }
        #expect(error?.kind == .decoding)
        #expect(error?.message.contains(field) == true, "\(error?.message ?? "no error")")
        var decoder = OllamaStreamDecoder()
        let streamError = decodingError { try decoder.decode(SSEEvent(data: body)) }
        #expect(streamError?.message.contains(field) == true, "\(streamError?.message ?? "no error")")
    }
}
