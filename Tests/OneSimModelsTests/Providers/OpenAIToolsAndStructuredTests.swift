import Foundation
import OneSimModelsSimulator
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Tools and structured outputs over HTTP", .timeLimit(.minutes(3)))
struct OpenAIToolsAndStructuredTests {
    static let weather = ToolDefinition(
        name: "get_weather", description: "Current weather of a city",
        parameters: [
            "type": "object", "properties": ["city": ["type": "string"], "days": ["type": "integer"]],
            "required": ["city"],
        ])

    @Test func toolsAreSentAndToolCallsDecoded() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let model = try m.getModel(configName: "c")
            let response = try await model.acall(
                "Weather in Paris?", options: CallOptions(tools: [Self.weather], toolChoice: .function("get_weather")))
            #expect(response.finishReason == "tool_calls")
            #expect(response.text == nil)
            let call = try #require(response.toolCalls.first)
            #expect(call.name == "get_weather")
            #expect(try JSONCodec.parse(call.arguments) == ["city": "Weather in Paris?", "days": 1])
            let body = try #require(sim.requests.last?.json)
            let tools = try #require(body["tools"] as? [[String: Any]])
            #expect(tools.first?["type"] as? String == "function")
            #expect((tools.first?["function"] as? [String: Any])?["name"] as? String == "get_weather")
            #expect(((body["tool_choice"] as? [String: Any])?["function"] as? [String: Any])?["name"] as? String == "get_weather")

            // Answer the call and continue the conversation.
            let followUp = try await model.acall([
                UserMessage("Weather in Paris?"),
                AssistantMessage("", toolCalls: response.toolCalls),
                ToolMessage(#"{"temp": 21}"#, toolCallID: call.id),
            ])
            #expect(followUp.text == "Weather in Paris?")
            let messages = try #require(sim.requests.last?.json?["messages"] as? [[String: Any]])
            #expect(messages[1]["content"] is NSNull)
            #expect((messages[1]["tool_calls"] as? [[String: Any]])?.first?["id"] as? String == call.id)
            #expect(messages[2]["role"] as? String == "tool")
            #expect(messages[2]["tool_call_id"] as? String == call.id)
        }
    }

    struct Villager: Codable, Sendable, Equatable {
        var name: String
        var age: Int
        var happy: Bool
    }

    static let villagerSchema: JSONValue = [
        "type": "object",
        "properties": ["name": ["type": "string"], "age": ["type": "integer"], "happy": ["type": "boolean"]],
        "required": ["name", "age", "happy"], "additionalProperties": false,
    ]

    @Test func jsonSchemaRepliesDecodeIntoTypes() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let result = try await m.getModel(configName: "c").acall(
                "Ada", returning: Villager.self, schema: Self.villagerSchema, name: "villager")
            #expect(result.value == Villager(name: "Ada", age: 1, happy: true))
            let format = try #require(sim.requests.last?.json?["response_format"] as? [String: Any])
            #expect(format["type"] as? String == "json_schema")
            #expect((format["json_schema"] as? [String: Any])?["name"] as? String == "villager")
            #expect((format["json_schema"] as? [String: Any])?["strict"] as? Bool == true)
        }
    }

    @Test func refusalsAndTruncationAreTypedErrors() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let model = try m.getModel(configName: "c")
            sim.enqueue(.refuse("I can't help with that."))
            let refused = await captureModelError {
                _ = try await model.acall("x", returning: Villager.self, schema: Self.villagerSchema)
            }
            #expect(refused?.kind == .refusal)
            #expect(refused?.message.contains("I can't help with that.") == true)

            sim.enqueue(.reply(#"{"name": "Ada", "age": 3, "happy": true}"#))
            let truncated = await captureModelError {
                _ = try await model.acall(
                    "x", returning: Villager.self, schema: Self.villagerSchema, options: CallOptions(maxTokens: 2))
            }
            #expect(truncated?.kind == .truncated)

            sim.enqueue(.reply(#"{"name": "Ada"}"#))
            let invalid = await captureModelError {
                _ = try await model.acall("x", returning: Villager.self, schema: Self.villagerSchema)
            }
            #expect(invalid?.kind == .decoding)
            #expect(invalid?.partialText == #"{"name": "Ada"}"#)
        }
    }

    @Test func jsonObjectFormat() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let response = try await m.getModel(configName: "c").acall(
                "hi", options: CallOptions(responseFormat: .jsonObject))
            #expect(try JSONCodec.parse(response.text ?? "") == ["reply": "hi"])
            #expect((sim.requests.last?.json?["response_format"] as? [String: Any])?["type"] as? String == "json_object")
        }
    }

    @Test func streamedRefusal() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            sim.enqueue(.refuse("No."))
            let response = try await m.getModel(configName: "c").stream("x").collect()
            #expect(response.refusal == "No.")
            #expect(response.text == nil)
        }
    }
}
