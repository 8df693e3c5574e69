import Foundation
import Testing

@testable import OneSimModelsCore

/// `Usage.reasoningTokens` is a part of the completion, and reasoning travels apart from the text
/// through deltas, the accumulator and `collect()`.
@Suite("Reasoning values")
struct ReasoningValueTests {
    @Test func usageKeepsReasoningTokensInsideCompletion() throws {
        let a = Usage(promptTokens: 10, completionTokens: 50, reasoningTokens: 30)
        #expect(a.totalTokens == 60, "reasoning is not added to the total again")
        let sum = a + Usage(promptTokens: 1, completionTokens: 2, reasoningTokens: 1)
        #expect(sum == Usage(promptTokens: 11, completionTokens: 52, totalTokens: 63, reasoningTokens: 31))
        #expect(a.dictionary == ["prompt_tokens": 10, "completion_tokens": 50, "total_tokens": 60, "reasoning_tokens": 30])
        #expect(Usage(promptTokens: 1).dictionary.keys.sorted() == ["completion_tokens", "prompt_tokens", "total_tokens"])
        #expect(!Usage(reasoningTokens: 1).isEmpty)
        #expect(Usage.zero.isEmpty)
        let saturated = Usage(reasoningTokens: Int.max) + Usage(reasoningTokens: 1)
        #expect(saturated.reasoningTokens == Int.max)

        let encoded = try JSONEncoder().encode(a)
        #expect(try JSONDecoder().decode(Usage.self, from: encoded) == a)
        let old = Data(#"{"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}"#.utf8)
        #expect(try JSONDecoder().decode(Usage.self, from: old) == Usage(promptTokens: 1, completionTokens: 2))
        let plain = String(decoding: try JSONEncoder().encode(Usage(promptTokens: 1)), as: UTF8.self)
        #expect(!plain.contains("reasoning_tokens"))
    }

    @Test func theAccumulatorJoinsReasoningApartAndAWholeResponseStreamsIt() throws {
        var accumulator = ResponseAccumulator()
        accumulator.add(ModelDelta(reasoning: "a"))
        accumulator.add(ModelDelta(text: "x"))
        accumulator.add(ModelDelta(text: "y", reasoning: "b"))
        #expect(accumulator.response.reasoning == "ab")
        #expect(accumulator.response.text == "xy")
        #expect(ResponseAccumulator().response.reasoning == nil)
        let delta = ModelDelta(response: ModelResponse(text: "t", reasoning: "r"))
        #expect(delta.reasoning == "r")
        #expect(delta.text == "t")
    }
}
