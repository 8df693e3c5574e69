import OneSimModels

// The Swift samples of the README's Providers section, verbatim inside functions so they compile with the
// suite; `ProviderDocTests` runs them against the simulator.

enum ProviderDocSnippets {
    static func anthropicChat() async throws -> ModelResponse {
        let claude = try getModel("claude")
        let reply = try await claude.acall(claude.format(
            SystemMessage("You are a village elder in a simulated town."),
            UserMessage("What should we plant this spring?")))
        print(reply.text ?? "", reply.usage.totalTokens)
        return reply
    }

    static func tools() async throws -> ModelResponse? {
        let claude = try getModel("claude")
        let weather = ToolDefinition(
            name: "get_weather", description: "Current weather in a city",
            parameters: ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]])
        let first = try await claude.acall("Is it raining in Oslo?", options: CallOptions(tools: [weather]))
        if let call = first.toolCalls.first {
            let answer = try await claude.acall([
                UserMessage("Is it raining in Oslo?"),
                AssistantMessage(first.text ?? "", toolCalls: first.toolCalls),
                ToolMessage(#"{"raining": true}"#, toolCallID: call.id),
            ], options: CallOptions(tools: [weather]))
            print(answer.text ?? "")
            return answer
        }
        return nil
    }

    static func unsupported() async throws -> String? {
        let claude = try getModel("claude")
        do {
            _ = try await claude.acall("Hi", options: CallOptions(extraBody: ["n": 3]))
        } catch let error as ModelError where error.kind == .unsupported {
            print(error.message)  // Anthropic does not support 'n': ...
            return error.message
        }
        return nil
    }

    static func geminiStream() async throws -> String {
        var text = ""
        let gemini = try getModel("gemini-flash")
        for try await delta in try await gemini.stream("Describe the market square.") {
            print(delta.text, terminator: "")
            text += delta.text
        }
        return text
    }

    static func reasoning() async throws -> ModelResponse {
        let r1 = try getModel("r1")
        let reply = try await r1.acall("9.11 and 9.8, which is greater?")
        print(reply.reasoning ?? "(no reasoning reported)")
        print(reply.text ?? "", reply.usage.reasoningTokens)
        return reply
    }
}
