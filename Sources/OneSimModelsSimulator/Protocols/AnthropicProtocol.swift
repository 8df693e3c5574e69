import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Anthropic's Messages API: `POST /v1/messages`, checked like the real one (`x-api-key`,
/// `anthropic-version`, required `max_tokens`, roles `user`/`assistant` only, known fields only,
/// `tool_result` ids that answer an earlier `tool_use`, base64 image blocks), answered as a
/// `message` object or as its SSE events, with its error body
/// `{"type": "error", "error": {"type", "message"}, "request_id"}` and `request-id` header.
struct AnthropicProtocol: SimulatorDialect {
    let pipeline: ProtocolPipeline

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/messages") { request, context in
            try await pipeline.handle(request, context: context, dialect: self) { body, info, action in
                try Self.checkSampling(body, version: info.headers["anthropic-version"])
                return try answer(body, action: action)
            }
        }
    }

    static let allowedFields: Set<String> = [
        "model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream", "temperature", "top_p",
        "top_k", "tools", "tool_choice", "thinking", "service_tier", "output_config", "container", "mcp_servers",
        "context_management", "inference_geo",
    ]

    static func errorType(for status: Int) -> String {
        switch status {
        case 401: return "authentication_error"
        case 403: return "permission_error"
        case 404: return "not_found_error"
        case 413: return "request_too_large"
        case 429: return "rate_limit_error"
        case 529: return "overloaded_error"
        case 500...: return "api_error"
        default: return "invalid_request_error"
        }
    }

    func errorResponse(
        _ status: Int, message: String, type: String?, code: String?, param: String?, headers: [String: String]
    ) -> Response {
        let errorType = (type == nil || type == "server_error") ? Self.errorType(for: status) : type!
        var error: [String: Any] = ["type": errorType, "message": message]
        if let code { error["details"] = ["error_code": code] }
        var fields = headers
        fields["request-id"] = "req_sim_err"
        return ProtocolPipeline.json(status, ["type": "error", "error": error, "request_id": "req_sim_err"], headers: fields)
    }

    func authenticate(_ request: ProtocolRequest, requiredKey: String?) -> Response? {
        if let requiredKey, request.headers["x-api-key"] != requiredKey {
            return errorResponse(401, message: "invalid x-api-key", type: nil, code: nil, param: nil, headers: [:])
        }
        guard let version = request.headers["anthropic-version"], !version.isEmpty else {
            return errorResponse(
                400, message: "anthropic-version: header is required", type: nil, code: nil, param: nil, headers: [:])
        }
        return nil
    }

    func streamErrorEvent(message: String, code: String?) -> String {
        let data = SimulatorSchema.json(["type": "error", "error": ["type": code ?? "overloaded_error", "message": message]])
        return "event: error\ndata: \(data)\n\n"
    }

    /// API versions from this one on reject the sampling parameters, even at their defaults.
    static let samplingRemovedVersion = "2026-10-21"

    /// As the API with `anthropic-version: 2026-10-21` (or later): `temperature`, `top_p` or
    /// `top_k` in the body is a 400 `temperature: Extra inputs are not permitted`.
    static func checkSampling(_ body: [String: Any], version: String?) throws {
        guard let version, version.count == samplingRemovedVersion.count, version >= samplingRemovedVersion else { return }
        for key in ["temperature", "top_k", "top_p"] where body[key] != nil {
            throw SimulatorRequestError(status: 400, message: "\(key): Extra inputs are not permitted")
        }
    }

    private func fail(_ message: String) -> SimulatorRequestError {
        SimulatorRequestError(status: 400, message: message)
    }

    func answer(_ body: [String: Any], action: SimulatorAction) throws -> ProtocolAnswer {
        for key in body.keys.sorted() where !Self.allowedFields.contains(key) {
            throw fail("\(key): Extra inputs are not permitted")
        }
        guard let model = body["model"] as? String, !model.isEmpty else { throw fail("model: Field required") }
        guard let maxTokens = body["max_tokens"] as? Int else { throw fail("max_tokens: Field required") }
        guard maxTokens >= 1 else { throw fail("max_tokens: Input should be greater than or equal to 1") }
        guard let messages = body["messages"] as? [[String: Any]], !messages.isEmpty else {
            throw fail("messages: at least one message is required")
        }
        var request = NeutralChatRequest(model: model, maxTokens: maxTokens)
        if let system = body["system"] as? String {
            request.count(system)
        } else if let blocks = body["system"] as? [[String: Any]] {
            for block in blocks {
                guard block["type"] as? String == "text", let text = block["text"] as? String else {
                    throw fail("system: blocks must be text blocks")
                }
                request.count(text)
            }
        } else if body["system"] != nil {
            throw fail("system: Input should be a valid string or a list of text blocks")
        }
        var toolUseIDs: Set<String> = []
        for (i, message) in messages.enumerated() {
            guard let role = message["role"] as? String, role == "user" || role == "assistant" else {
                throw fail(
                    "messages.\(i).role: Unexpected role \"\(message["role"] ?? "")\". The Messages API accepts a top-level `system` parameter, not \"system\" as an input message role."
                )
            }
            var texts: [String] = []
            var toolResults: [String] = []
            if let text = message["content"] as? String {
                texts.append(text)
            } else if let blocks = message["content"] as? [[String: Any]] {
                for (j, block) in blocks.enumerated() {
                    let path = "messages.\(i).content.\(j)"
                    switch block["type"] as? String {
                    case "text":
                        guard let text = block["text"] as? String else { throw fail("\(path).text: Field required") }
                        texts.append(text)
                    case "image":
                        guard role == "user", let source = block["source"] as? [String: Any] else {
                            throw fail("\(path): image blocks need a source, in user messages")
                        }
                        switch source["type"] as? String {
                        case "base64":
                            guard let mime = source["media_type"] as? String,
                                ["image/jpeg", "image/png", "image/gif", "image/webp"].contains(mime)
                            else { throw fail("\(path).source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'") }
                            guard let data = source["data"] as? String, NeutralReplies.isBase64(data) else {
                                throw fail("\(path).source.data: invalid base64 data")
                            }
                        case "url":
                            guard source["url"] is String else { throw fail("\(path).source.url: Field required") }
                        default:
                            throw fail("\(path).source.type: Input should be 'base64' or 'url'")
                        }
                    case "tool_use":
                        guard role == "assistant", let id = block["id"] as? String, block["name"] is String,
                            block["input"] is [String: Any]
                        else { throw fail("\(path): tool_use blocks need id, name and an input object, in assistant messages") }
                        toolUseIDs.insert(id)
                    case "tool_result":
                        guard role == "user", let id = block["tool_use_id"] as? String else {
                            throw fail("\(path): tool_result blocks need tool_use_id, in user messages")
                        }
                        guard toolUseIDs.contains(id) else {
                            throw fail(
                                "\(path): unexpected `tool_use_id` found in `tool_result` blocks: \(id). Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
                            )
                        }
                        if let text = block["content"] as? String { toolResults.append(text) }
                    default:
                        throw fail("\(path).type: unknown content block type \(block["type"] ?? "")")
                    }
                }
            } else {
                throw fail("messages.\(i).content: Input should be a valid string or a list of content blocks")
            }
            for text in texts + toolResults { request.count(text) }
            if role == "user" {
                request.lastUser = texts.isEmpty ? toolResults.joined(separator: "\n") : texts.joined(separator: "\n")
            }
        }
        if let tools = body["tools"] as? [[String: Any]] {
            for (i, tool) in tools.enumerated() {
                guard let name = tool["name"] as? String, let schema = tool["input_schema"] as? [String: Any] else {
                    throw fail("tools.\(i): custom tools need a name and an input_schema")
                }
                request.tools.append((name, schema))
            }
        } else if body["tools"] != nil {
            throw fail("tools: Input should be a valid list")
        }
        if let choice = body["tool_choice"] as? [String: Any] {
            switch choice["type"] as? String {
            case "auto", "none": break
            case "any":
                guard let first = request.tools.first else { throw fail("tool_choice: 'any' needs tools") }
                request.forcedTool = first.name
            case "tool":
                guard let name = choice["name"] as? String else { throw fail("tool_choice.name: Field required") }
                request.forcedTool = name
            default:
                throw fail("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'")
            }
        }
        if let config = body["output_config"] as? [String: Any], let format = config["format"] as? [String: Any] {
            guard format["type"] as? String == "json_schema", let schema = format["schema"] as? [String: Any] else {
                throw fail("output_config.format: needs type 'json_schema' and a schema")
            }
            request.jsonSchema = schema
        }
        if let stops = body["stop_sequences"], !(stops is [String]) { throw fail("stop_sequences: Input should be a valid list of strings") }

        let reply = try NeutralReplies.reply(to: request, action: action, id: "msg_sim_\(UInt32.random(in: 0...UInt32.max))")
        let stopReason: String
        if reply.refusal != nil {
            stopReason = "refusal"
        } else {
            switch reply.finishReason {
            case "length": stopReason = "max_tokens"
            case "tool_calls": stopReason = "tool_use"
            default: stopReason = "end_turn"
            }
        }
        let headers = ["request-id": "req_sim_\(UInt32.random(in: 0...UInt32.max))"]
        let usage: [String: Any] = ["input_tokens": reply.promptTokens, "output_tokens": reply.completionTokens]
        let text = reply.text ?? reply.refusal
        if body["stream"] as? Bool == true {
            return .stream(
                events: streamEvents(reply, text: text), ending: [event("message_delta", [
                    "type": "message_delta", "delta": ["stop_reason": stopReason, "stop_sequence": NSNull()],
                    "usage": ["output_tokens": reply.completionTokens],
                ]), event("message_stop", ["type": "message_stop"])],
                tokens: reply.totalTokens, contentType: "text/event-stream", headers: headers)
        }
        var content: [[String: Any]] = []
        if let text { content.append(["type": "text", "text": text]) }
        for (index, call) in reply.toolCalls.enumerated() {
            content.append([
                "type": "tool_use", "id": "toolu_sim_\(index)_\(call.name)", "name": call.name,
                "input": NeutralReplies.argumentsObject(call),
            ])
        }
        return .json(
            [
                "id": reply.id, "type": "message", "role": "assistant", "model": model, "content": content,
                "stop_reason": stopReason, "stop_sequence": NSNull(), "usage": usage,
            ], tokens: reply.totalTokens, headers: headers)
    }

    private func event(_ name: String, _ data: [String: Any]) -> String {
        "event: \(name)\ndata: \(SimulatorSchema.json(data))\n\n"
    }

    /// `message_start`, a text block word by word (with a `ping`), then one `tool_use` block per
    /// call with its input in three `input_json_delta` pieces. `message_delta` and
    /// `message_stop` are the ending.
    private func streamEvents(_ reply: SimulatorReply, text: String?) -> [String] {
        var events = [
            event("message_start", [
                "type": "message_start",
                "message": [
                    "id": reply.id, "type": "message", "role": "assistant", "model": reply.model, "content": [] as [Any],
                    "stop_reason": NSNull(), "stop_sequence": NSNull(),
                    "usage": ["input_tokens": reply.promptTokens, "output_tokens": 1],
                ] as [String: Any],
            ])
        ]
        var index = 0
        if let text {
            events.append(event("content_block_start", [
                "type": "content_block_start", "index": index, "content_block": ["type": "text", "text": ""],
            ]))
            events.append(event("ping", ["type": "ping"]))
            for piece in NeutralReplies.words(text) {
                events.append(event("content_block_delta", [
                    "type": "content_block_delta", "index": index, "delta": ["type": "text_delta", "text": piece],
                ]))
            }
            events.append(event("content_block_stop", ["type": "content_block_stop", "index": index]))
            index += 1
        }
        for (ordinal, call) in reply.toolCalls.enumerated() {
            events.append(event("content_block_start", [
                "type": "content_block_start", "index": index,
                "content_block": [
                    "type": "tool_use", "id": "toolu_sim_\(ordinal)_\(call.name)", "name": call.name,
                    "input": [String: Any](),
                ] as [String: Any],
            ]))
            for piece in NeutralReplies.thirds(call.arguments) {
                events.append(event("content_block_delta", [
                    "type": "content_block_delta", "index": index,
                    "delta": ["type": "input_json_delta", "partial_json": piece],
                ]))
            }
            events.append(event("content_block_stop", ["type": "content_block_stop", "index": index]))
            index += 1
        }
        return events
    }
}
