import OneSimModels

// The README's streaming, tools and structured-output samples, verbatim so they compile;
// `OpenAIStreamingTests` and `OpenAIToolsAndStructuredTests` check the behaviour.

enum StreamingSnippets {
    static func streaming() async throws {
        let model = try getModel("gpt-4")
        for try await delta in try await model.stream(model.format(UserMessage("Tell me a story."))) {
            print(delta.text, terminator: "")
        }

        let whole = try await model.stream("Summarise the plan.").collect()
        print(whole.text ?? "", whole.usage.totalTokens)
    }

    struct Villager: Codable, Sendable {
        var name: String
        var age: Int
    }

    static func tools(model: any ModelAdapter) async throws {
        let weather = ToolDefinition(
            name: "get_weather", description: "Current weather of a city",
            parameters: ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]])
        let asked = try await model.acall(
            "Weather in Paris?", options: CallOptions(tools: [weather], toolChoice: .auto))
        for call in asked.toolCalls {
            print(call.name, call.arguments)  // get_weather {"city": "Paris"}
        }
        // Answer the call and continue:
        let answer = try await model.acall([
            UserMessage("Weather in Paris?"),
            AssistantMessage("", toolCalls: asked.toolCalls),
            ToolMessage(#"{"temp": 21}"#, toolCallID: asked.toolCalls[0].id),
        ])
        print(answer.text ?? "")

        // A reply that must follow a JSON Schema, decoded into your type:
        let villager = try await model.acall(
            "Invent a villager.", returning: Villager.self,
            schema: ["type": "object", "properties": ["name": ["type": "string"], "age": ["type": "integer"]],
                     "required": ["name", "age"], "additionalProperties": false])
        print(villager.value.name)
    }
}
