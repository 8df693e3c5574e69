import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Azure OpenAI's deployment routes:
/// `POST /openai/deployments/{deployment}/chat/completions?api-version=...` and
/// `.../embeddings?api-version=...`, with the key in the `api-key` header. Bodies are OpenAI's;
/// the deployment names the model; a missing `api-version` is a 404 as on Azure; errors are
/// `{"error": {"code", "message", ...}}`.
struct AzureProtocol: SimulatorDialect {
    let pipeline: ProtocolPipeline

    func register(on router: Router<BasicRequestContext>) {
        router.post("/openai/deployments/:deployment/chat/completions") { request, context in
            try await pipeline.handle(request, context: context, dialect: self, parameterNames: ["deployment"]) {
                body, info, action in
                try chat(body, info: info, action: action)
            }
        }
        router.post("/openai/deployments/:deployment/embeddings") { request, context in
            try await pipeline.handle(request, context: context, dialect: self, parameterNames: ["deployment"]) {
                body, info, _ in
                try embeddings(body, info: info)
            }
        }
    }

    func errorResponse(
        _ status: Int, message: String, type: String?, code: String?, param: String?, headers: [String: String]
    ) -> Response {
        var error: [String: Any] = [
            "code": code ?? String(status), "message": message, "param": param ?? NSNull(),
            "type": type ?? (status >= 500 ? "server_error" : "invalid_request_error"),
        ]
        if code == "content_filter" {
            error["innererror"] = ["code": "ResponsibleAIPolicyViolation", "content_filter_result": ["hate": ["filtered": true, "severity": "high"]]]
        }
        var fields = headers
        fields["apim-request-id"] = "azure-sim-err"
        fields["x-request-id"] = "azure-sim-err"
        return ProtocolPipeline.json(status, ["error": error], headers: fields)
    }

    func authenticate(_ request: ProtocolRequest, requiredKey: String?) -> Response? {
        guard let version = request.query["api-version"], !version.isEmpty else {
            return errorResponse(404, message: "Resource not found", type: nil, code: "404", param: nil, headers: [:])
        }
        if let requiredKey, request.headers["api-key"] != requiredKey {
            return errorResponse(
                401,
                message: "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
                type: nil, code: "401", param: nil, headers: [:])
        }
        return nil
    }

    func streamErrorEvent(message: String, code: String?) -> String {
        "data: " + SimulatorSchema.json(["error": ["message": message, "type": "server_error", "code": code.map { $0 as Any } ?? NSNull()] as [String: Any]]) + "\n\n"
    }

    private func fail(_ message: String, param: String? = nil) -> SimulatorRequestError {
        SimulatorRequestError(status: 400, message: message, param: param)
    }

    func chat(_ body: [String: Any], info: ProtocolRequest, action: SimulatorAction) throws -> ProtocolAnswer {
        let deployment = info.parameters["deployment"] ?? ""
        guard let messages = body["messages"] as? [[String: Any]], !messages.isEmpty else {
            throw fail("'messages' must be a non-empty array", param: "messages")
        }
        var request = NeutralChatRequest(model: deployment)
        for (i, message) in messages.enumerated() {
            guard let role = message["role"] as? String, ["system", "user", "assistant", "tool", "developer"].contains(role) else {
                throw fail("messages[\(i)].role is missing or invalid", param: "messages[\(i)].role")
            }
            if role == "tool", message["tool_call_id"] as? String == nil {
                throw fail("messages[\(i)]: a tool message needs 'tool_call_id'", param: "messages[\(i)].tool_call_id")
            }
            let text = SimulatorHandlers.text(of: message["content"])
            request.count(text)
            if role == "user" { request.lastUser = text }
        }
        request.maxTokens = (body["max_tokens"] as? Int) ?? (body["max_completion_tokens"] as? Int)
        if let tools = body["tools"] as? [[String: Any]] {
            for tool in tools {
                guard let function = tool["function"] as? [String: Any], let name = function["name"] as? String else {
                    throw fail("each tool needs a function with a name", param: "tools")
                }
                request.tools.append((name, function["parameters"] as? [String: Any] ?? ["type": "object"]))
            }
        }
        if body["tool_choice"] as? String == "required" {
            request.forcedTool = request.tools.first?.name
        } else if let choice = body["tool_choice"] as? [String: Any] {
            request.forcedTool = (choice["function"] as? [String: Any])?["name"] as? String
        }
        if let format = body["response_format"] as? [String: Any] {
            switch format["type"] as? String {
            case "json_object": request.jsonObject = true
            case "json_schema": request.jsonSchema = (format["json_schema"] as? [String: Any])?["schema"] as? [String: Any] ?? [:]
            default: break
            }
        }
        var reply = try NeutralReplies.reply(to: request, action: action, id: "chatcmpl-azure-\(UInt32.random(in: 0...UInt32.max))")
        reply.choices = max(1, body["n"] as? Int ?? 1)
        let headers = ["apim-request-id": "azure-sim", "x-request-id": "azure-sim-\(UInt32.random(in: 0...UInt32.max))"]
        if body["stream"] as? Bool == true {
            let includeUsage = (body["stream_options"] as? [String: Any])?["include_usage"] as? Bool ?? false
            let events = reply.chunks(includeUsage: includeUsage).map { "data: " + SimulatorSchema.json($0) + "\n\n" }
            return .stream(events: events, ending: ["data: [DONE]\n\n"], tokens: reply.totalTokens, contentType: "text/event-stream", headers: headers)
        }
        return .json(reply.completion, tokens: reply.totalTokens, headers: headers)
    }

    func embeddings(_ body: [String: Any], info: ProtocolRequest) throws -> ProtocolAnswer {
        let inputs: [String]
        if let s = body["input"] as? String {
            inputs = [s]
        } else if let list = body["input"] as? [String], !list.isEmpty {
            inputs = list
        } else {
            throw fail("'input' must be a string or a non-empty array of strings", param: "input")
        }
        let dimensions = body["dimensions"] as? Int ?? pipeline.simulator.configuration.embeddingDimensions
        var data: [[String: Any]] = []
        for (index, text) in inputs.enumerated() {
            data.append([
                "object": "embedding", "index": index,
                "embedding": SimulatorText.embedding(text, dimensions: dimensions).map { Double($0) },
            ])
        }
        let tokens = inputs.reduce(0) { $0 + SimulatorText.tokens($1) }
        return .json(
            [
                "object": "list", "data": data, "model": info.parameters["deployment"] ?? "",
                "usage": ["prompt_tokens": tokens, "total_tokens": tokens],
            ], tokens: tokens, headers: [:])
    }
}
