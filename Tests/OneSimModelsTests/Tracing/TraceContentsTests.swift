import InMemoryTracing
import OneSimModelsSimulator
import Testing
import Tracing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsProviders

/// Message contents are recorded only when the user opts in. Serialized: the switch is global.
@Suite("Tracing: message contents", .serialized, .timeLimit(.minutes(3)))
struct TraceContentsTests {
    @Test func contentsAreAbsentByDefault() async throws {
        #expect(OneSimTracing.recordsContents == false)
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("contents-off", sim))
            let model = try m.getModel(configName: "contents-off")
            let trace = try await TestTracing.trace { _ = try await model.acall("a private prompt") }
            let span = try #require(try await TestTracing.spans(in: trace, count: 1).first)
            #expect(span.string("gen_ai.input.messages") == nil)
            #expect(span.string("gen_ai.output.messages") == nil)
            #expect(!span.renderedAttributes.contains("a private prompt"))
        }
    }

    @Test func contentsArePresentWhenOptedIn() async throws {
        OneSimTracing.recordsContents = true
        defer { OneSimTracing.recordsContents = false }
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("contents-on", sim))
            let model = try m.getModel(configName: "contents-on")
            var reply: ModelResponse?
            let prompt: Prompt = [SystemMessage("be brief"), UserMessage("a \"quoted\" prompt")]
            let trace = try await TestTracing.trace { reply = try await model.acall(prompt) }
            let span = try #require(try await TestTracing.spans(in: trace, count: 1).first)
            let input = try JSONCodec.parse(try #require(span.string("gen_ai.input.messages")))
            #expect(input[0]?["role"]?.stringValue == "system")
            #expect(input[0]?["parts"]?[0]?["content"]?.stringValue == "be brief")
            #expect(input[1]?["role"]?.stringValue == "user")
            #expect(input[1]?["parts"]?[0]?["type"]?.stringValue == "text")
            #expect(input[1]?["parts"]?[0]?["content"]?.stringValue == "a \"quoted\" prompt")
            let output = try JSONCodec.parse(try #require(span.string("gen_ai.output.messages")))
            #expect(output[0]?["role"]?.stringValue == "assistant")
            #expect(output[0]?["parts"]?[0]?["content"]?.stringValue == reply?.text)
            #expect(!span.renderedAttributes.contains("sk-test-secret-key-123"))
        }
    }

    @Test func streamedContentsAreTheWholeReplyWhenOptedIn() async throws {
        OneSimTracing.recordsContents = true
        defer { OneSimTracing.recordsContents = false }
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("contents-stream", sim))
            let model = try m.getModel(configName: "contents-stream")
            var reply: ModelResponse?
            let trace = try await TestTracing.trace { reply = try await model.stream("stream this back", options: .none).collect() }
            let span = try #require(try await TestTracing.spans(in: trace, count: 1).first)
            let output = try JSONCodec.parse(try #require(span.string("gen_ai.output.messages")))
            #expect(output[0]?["parts"]?[0]?["content"]?.stringValue == reply?.text)
        }
    }
}
