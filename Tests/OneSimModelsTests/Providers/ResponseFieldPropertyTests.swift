import Foundation
import NIOCore
import PropertyBased
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// A value for a field a decoder reads: usually the right shape, often anything at all
/// (strings, huge and negative numbers, nested arrays and objects).
private func fieldValue(_ rng: inout some RandomNumberGenerator, typical: [JSONValue]) -> JSONValue {
    switch Int.random(in: 0..<5, using: &rng) {
    case 0: return randomJSON(&rng, depth: 2)
    case 1: return [.double(1e300), .double(-1), .int(-7), .int(Int.max), .double(2.5), .string("12"), .null].randomElement(using: &rng)!
    default: return typical.randomElement(using: &rng)!
    }
}

private let counts: [JSONValue] = [0, 3, 12, 4096]
private let texts: [JSONValue] = ["hi", "", .null, [["type": "text", "text": "a"]], [["type": "refusal", "refusal": "no"]]]

/// Provider responses and stream events with random values in the fields the decoders read.
private let bodies = Generator<[JSONValue], Shrink.None<[JSONValue]>> { rng in
    func f(_ typical: [JSONValue]) -> JSONValue { fieldValue(&rng, typical: typical) }
    let usage: JSONValue = [
        "prompt_tokens": f(counts), "completion_tokens": f(counts), "total_tokens": f(counts),
        "completion_tokens_details": f([.null, ["reasoning_tokens": f(counts)]]),
    ]
    let openAI: JSONValue = [
        "choices": [["index": 0, "message": ["content": f(texts), "refusal": f(["no", .null]), "reasoning_content": f(["why", .null]), "reasoning": f(["why", .null]), "tool_calls": f([.null, [["id": "c", "function": ["name": "f", "arguments": "{}"]]]])], "finish_reason": f(["stop", .null])]],
        "usage": f([usage, .null]),
    ]
    let chunk: JSONValue = [
        "choices": [["index": 0, "delta": ["content": f(texts), "reasoning_content": f(["why", .null]), "tool_calls": f([.null, [["index": f([0, 1]), "function": ["arguments": f(["{", ""])]]]])], "finish_reason": f(["stop", .null])]],
        "usage": f([.null, usage]),
    ]
    let anthropic: JSONValue = [
        "type": "message", "content": [["type": "thinking", "thinking": f(["why"]), "signature": f(["sig"])], ["type": "text", "text": f(["a", ""])], ["type": "tool_use", "id": "t", "name": f(["f"]), "input": f([[:]])]],
        "stop_reason": f(["end_turn", .null]), "usage": ["input_tokens": f(counts), "output_tokens": f(counts), "cache_read_input_tokens": f(counts)],
    ]
    let gemini: JSONValue = [
        "candidates": [["content": ["parts": [["text": f(["why"]), "thought": f([true])], ["text": f(["a"])], ["functionCall": ["name": f(["f"]), "args": f([[:]])]]]], "finishReason": f(["STOP", .null])]],
        "usageMetadata": ["promptTokenCount": f(counts), "candidatesTokenCount": f(counts), "thoughtsTokenCount": f(counts)],
    ]
    let ollama: JSONValue = [
        "message": ["role": "assistant", "content": f(["a", ""]), "thinking": f(["why", .null]), "tool_calls": f([.null, [["function": ["name": "f", "arguments": [:]]]]])],
        "done": f([true, false]), "done_reason": f(["stop"]), "prompt_eval_count": f(counts), "eval_count": f(counts),
    ]
    let embedding: JSONValue = [
        "data": [["index": f([0]), "embedding": f([[0.5, 1], "AAAAAA==", [1]])]], "usage": f([usage]),
    ]
    return [openAI, chunk, anthropic, gemini, ollama, embedding]
}

/// Runs `decode` and checks it either succeeds or throws a `.decoding` error that names a field.
private func expectDecodesOrNamesAField(_ what: String, _ decode: () throws -> Void) {
    do { try decode() } catch let error as ModelError {
        #expect(error.kind == .decoding, "\(what): \(error)")
    } catch {
        Issue.record("\(what) threw \(error)")
    }
}

@Suite("Response fields: properties")
struct ResponseFieldPropertyTests {
    @Test func everyDecoderAcceptsOrRejectsAnyFieldValueWithoutTrapping() async {
        await propertyCheck(count: 600, input: bodies) { values throws in
            let bytes = values.map { String(decoding: JSONCodec.encode($0), as: UTF8.self) }
            expectDecodesOrNamesAField("OpenAI reader") {
                _ = try OpenAIChatResponseReader.decode(HTTPResult(status: 200, body: ByteBuffer(string: bytes[0])))
            }
            expectDecodesOrNamesAField("OpenAI tree") { _ = try OpenAIChatCodec.decodeResponse(values[0]) }
            var openAIStream = OpenAIStreamDecoder()
            expectDecodesOrNamesAField("OpenAI stream") { _ = try openAIStream.decode(SSEEvent(data: bytes[1])) }
            expectDecodesOrNamesAField("Anthropic") { _ = try AnthropicCodec.decodeResponse(values[2]) }
            expectDecodesOrNamesAField("Gemini") { _ = try GeminiCodec.decodeResponse(values[3]) }
            var geminiStream = GeminiStreamDecoder()
            expectDecodesOrNamesAField("Gemini stream") { _ = try geminiStream.decode(SSEEvent(data: bytes[3])) }
            expectDecodesOrNamesAField("Ollama") { _ = try OllamaCodec.decodeResponse(values[4]) }
            var ollamaStream = OllamaStreamDecoder()
            expectDecodesOrNamesAField("Ollama stream") { _ = try ollamaStream.decode(SSEEvent(data: bytes[4])) }
            expectDecodesOrNamesAField("OpenAI embedding") { _ = try OpenAIEmbeddingAdapter.decode(values[5], expected: 1) }
        }
    }

    @Test func countsInRangeAreKeptAndEverythingElseIsRejected() async {
        let doubles = Generator<Double, Shrink.None<Double>> { rng in
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return [.infinity, -.infinity, .nan, .greatestFiniteMagnitude, -0.0, 0x1p40, 0x1p40 + 1].randomElement(using: &rng)!
            case 1: return Double(Int.random(in: -10...10_000, using: &rng))
            case 2: return Double.random(in: -1e20...1e20, using: &rng)
            default: return Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng))
            }
        }
        await propertyCheck(count: 2000, input: doubles) { d throws in
            let count = try? ResponseFields.count(.double(d), "n")
            let valid = d >= 0 && d <= 0x1p40 && d.rounded() == d
            #expect((count != nil) == valid, "\(d)")
            if let count { #expect(Double(count) == d) }
        }
    }
}
