import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Ollama's native API: `POST /api/chat` (NDJSON stream by default, one object with
/// `"stream": false`) and `POST /api/embed`, checked like the real server (a `model`, known
/// roles, base64 `images`, tool calls with object arguments), with its error body
/// `{"error": "message"}`.
struct OllamaProtocol: SimulatorDialect {
    let pipeline: ProtocolPipeline

    func register(on router: Router<BasicRequestContext>) {
        router.post("/api/chat") { request, context in
            try await pipeline.handle(request, context: context, dialect: self) { body, _, action in
                try chat(body, action: action)
            }
        }
        router.post("/api/embed") { request, context in
            try await pipeline.handle(request, context: context, dialect: self) { body, _, _ in
                try embed(body)
            }
        }
    }

    func errorResponse(
        _ status: Int, message: String, type: String?, code: String?, param: String?, headers: [String: String]
    ) -> Response {
        ProtocolPipeline.json(status, ["error": message], headers: headers)
    }

    func authenticate(_ request: ProtocolRequest, requiredKey: String?) -> Response? {
        guard let requiredKey, request.headers["authorization"] != "Bearer \(requiredKey)" else { return nil }
        return errorResponse(401, message: "unauthorized", type: nil, code: nil, param: nil, headers: [:])
    }

    func streamErrorEvent(message: String, code: String?) -> String {
        SimulatorSchema.json(["error": message]) + "\n"
    }

    private func fail(_ message: String, status: Int = 400) -> SimulatorRequestError {
        SimulatorRequestError(status: status, message: message)
    }

    private static let timestamp = "2025-01-01T00:00:00.000000Z"

    func chat(_ body: [String: Any], action: SimulatorAction) throws -> ProtocolAnswer {
        guard let model = body["model"] as? String, !model.isEmpty else { throw fail("model is required") }
        guard let messages = body["messages"] as? [[String: Any]] else { throw fail("messages is required") }
        var request = NeutralChatRequest(model: model)
        for (i, message) in messages.enumerated() {
            guard let role = message["role"] as? String, ["system", "user", "assistant", "tool"].contains(role) else {
                throw fail("invalid role in message \(i): \(message["role"] ?? "none")")
            }
            let text = message["content"] as? String ?? ""
            if message["content"] != nil, !(message["content"] is String) {
                throw fail("json: cannot unmarshal array into Go struct field Message.messages.content of type string")
            }
            for image in message["images"] as? [Any] ?? [] {
                guard let data = image as? String, NeutralReplies.isBase64(data) else {
                    throw fail("illegal base64 data in message \(i) images")
                }
            }
            for call in message["tool_calls"] as? [[String: Any]] ?? [] {
                guard let function = call["function"] as? [String: Any], function["name"] is String,
                    function["arguments"] is [String: Any]
                else {
                    throw fail("json: cannot unmarshal string into Go struct field ToolCallFunction.messages.tool_calls.function.arguments of type api.ToolCallFunctionArguments")
                }
            }
            request.count(text)
            if role == "user" || role == "tool" { request.lastUser = text }
        }
        for tool in body["tools"] as? [[String: Any]] ?? [] {
            guard let function = tool["function"] as? [String: Any], let name = function["name"] as? String else {
                throw fail("invalid tool definition")
            }
            request.tools.append((name, function["parameters"] as? [String: Any] ?? ["type": "object"]))
        }
        if let format = body["format"] {
            if format as? String == "json" {
                request.jsonObject = true
            } else if let schema = format as? [String: Any] {
                request.jsonSchema = schema
            } else {
                throw fail("invalid format: expected \"json\" or a JSON schema")
            }
        }
        if let options = body["options"] {
            guard let options = options as? [String: Any] else { throw fail("options must be an object") }
            request.maxTokens = options["num_predict"] as? Int
        }
        let reply = try NeutralReplies.reply(to: request, action: action, id: "ollama-sim")
        let text = reply.text ?? reply.refusal ?? ""
        let calls: [[String: Any]] = reply.toolCalls.map {
            ["function": ["name": $0.name, "arguments": NeutralReplies.argumentsObject($0)] as [String: Any]]
        }
        var final: [String: Any] = [
            "model": model, "created_at": Self.timestamp, "done": true,
            "done_reason": reply.finishReason == "length" ? "length" : "stop", "total_duration": 1_000_000,
            "load_duration": 1000, "prompt_eval_count": reply.promptTokens, "prompt_eval_duration": 1000,
            "eval_count": reply.completionTokens, "eval_duration": 1000,
        ]
        // Ollama streams unless told otherwise.
        if body["stream"] as? Bool ?? true {
            var lines: [String] = []
            for piece in NeutralReplies.words(text) where !text.isEmpty {
                lines.append(line(["model": model, "created_at": Self.timestamp, "message": ["role": "assistant", "content": piece], "done": false]))
            }
            if !calls.isEmpty {
                lines.append(line([
                    "model": model, "created_at": Self.timestamp,
                    "message": ["role": "assistant", "content": "", "tool_calls": calls] as [String: Any], "done": false,
                ]))
            }
            final["message"] = ["role": "assistant", "content": ""]
            return .stream(
                events: lines, ending: [line(final)], tokens: reply.totalTokens, contentType: "application/x-ndjson", headers: [:])
        }
        var message: [String: Any] = ["role": "assistant", "content": text]
        if !calls.isEmpty { message["tool_calls"] = calls }
        final["message"] = message
        return .json(final, tokens: reply.totalTokens, headers: [:])
    }

    private func line(_ object: [String: Any]) -> String { SimulatorSchema.json(object) + "\n" }

    func embed(_ body: [String: Any]) throws -> ProtocolAnswer {
        guard let model = body["model"] as? String, !model.isEmpty else { throw fail("model is required") }
        let inputs: [String]
        if let text = body["input"] as? String {
            inputs = [text]
        } else if let list = body["input"] as? [String], !list.isEmpty {
            inputs = list
        } else {
            throw fail("invalid input type")
        }
        let dimensions = body["dimensions"] as? Int ?? pipeline.simulator.configuration.embeddingDimensions
        let tokens = inputs.reduce(0) { $0 + SimulatorText.tokens($1) }
        return .json(
            [
                "model": model, "embeddings": inputs.map { SimulatorText.embedding($0, dimensions: dimensions).map { Double($0) } },
                "total_duration": 1000, "load_duration": 100, "prompt_eval_count": tokens,
            ], tokens: tokens, headers: [:])
    }
}
