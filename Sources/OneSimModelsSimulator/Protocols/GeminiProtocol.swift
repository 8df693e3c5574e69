import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The Gemini API: `POST /v1beta/models/{model}:generateContent`,
/// `:streamGenerateContent?alt=sse`, `:embedContent` and `:batchEmbedContents` (also under
/// `/v1/`), checked like the real one (`x-goog-api-key` or `?key=`, roles `user`/`model`, parts
/// of a known kind, known `generationConfig` fields, `functionResponse` names that answer an
/// earlier `functionCall`), with Google's error body `{"error": {"code", "message", "status"}}`.
struct GeminiProtocol: SimulatorDialect {
    let pipeline: ProtocolPipeline

    func register(on router: Router<BasicRequestContext>) {
        for version in ["v1beta", "v1"] {
            router.post("/\(version)/models/:action") { request, context in
                try await pipeline.handle(request, context: context, dialect: self, parameterNames: ["action"]) {
                    body, info, action in
                    try answer(body, info: info, action: action)
                }
            }
        }
    }

    static let generationConfigFields: Set<String> = [
        "temperature", "topP", "topK", "maxOutputTokens", "stopSequences", "candidateCount", "seed", "responseMimeType",
        "responseSchema", "responseJsonSchema", "presencePenalty", "frequencyPenalty", "thinkingConfig",
        "responseModalities", "responseLogprobs", "logprobs", "mediaResolution", "speechConfig",
    ]
    static let topLevelFields: Set<String> = [
        "contents", "systemInstruction", "generationConfig", "tools", "toolConfig", "safetySettings", "cachedContent",
        "labels",
    ]

    static func statusName(for status: Int) -> String {
        switch status {
        case 400: return "INVALID_ARGUMENT"
        case 401: return "UNAUTHENTICATED"
        case 403: return "PERMISSION_DENIED"
        case 404: return "NOT_FOUND"
        case 429: return "RESOURCE_EXHAUSTED"
        case 503: return "UNAVAILABLE"
        case 504: return "DEADLINE_EXCEEDED"
        case 500...: return "INTERNAL"
        default: return "FAILED_PRECONDITION"
        }
    }

    func errorResponse(
        _ status: Int, message: String, type: String?, code: String?, param: String?, headers: [String: String]
    ) -> Response {
        var error: [String: Any] = ["code": status, "message": message, "status": Self.statusName(for: status)]
        if let code {
            error["details"] = [["@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": code, "domain": "googleapis.com"]]
        }
        return ProtocolPipeline.json(status, ["error": error], headers: headers)
    }

    func authenticate(_ request: ProtocolRequest, requiredKey: String?) -> Response? {
        guard let requiredKey else { return nil }
        let sent = request.headers["x-goog-api-key"] ?? request.query["key"]
        if sent == nil {
            return errorResponse(
                403, message: "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
                type: nil, code: nil, param: nil, headers: [:])
        }
        if sent != requiredKey {
            return errorResponse(
                400, message: "API key not valid. Please pass a valid API key.", type: nil, code: "API_KEY_INVALID",
                param: nil, headers: [:])
        }
        return nil
    }

    func streamErrorEvent(message: String, code: String?) -> String {
        "data: " + SimulatorSchema.json(["error": ["code": 500, "message": message, "status": code ?? "INTERNAL"]]) + "\n\n"
    }

    private func fail(_ message: String, status: Int = 400) -> SimulatorRequestError {
        SimulatorRequestError(status: status, message: message)
    }

    func answer(_ body: [String: Any], info: ProtocolRequest, action: SimulatorAction) throws -> ProtocolAnswer {
        let target = info.parameters["action"] ?? ""
        guard let colon = target.lastIndex(of: ":") else { throw fail("Method not found.", status: 404) }
        let model = String(target[..<colon])
        switch target[target.index(after: colon)...] {
        case "generateContent": return try generate(body, model: model, stream: false, action: action)
        case "streamGenerateContent":
            guard info.query["alt"] == "sse" else {
                throw fail("the simulator streams Gemini only as Server-Sent Events (?alt=sse)")
            }
            return try generate(body, model: model, stream: true, action: action)
        case "embedContent": return try embed([body], model: model, batch: false)
        case "batchEmbedContents":
            guard let requests = body["requests"] as? [[String: Any]], !requests.isEmpty else {
                throw fail("* BatchEmbedContentsRequest.requests: at least one request is required")
            }
            for (i, r) in requests.enumerated() where r["model"] as? String != "models/\(model)" {
                throw fail("* BatchEmbedContentsRequest.requests[\(i)].model: must be models/\(model), got \(r["model"] ?? "nothing")")
            }
            return try embed(requests, model: model, batch: true)
        default:
            throw fail("Method not found.", status: 404)
        }
    }

    private func generate(_ body: [String: Any], model: String, stream: Bool, action: SimulatorAction) throws -> ProtocolAnswer {
        for key in body.keys.sorted() where !Self.topLevelFields.contains(key) {
            throw fail("Invalid JSON payload received. Unknown name \"\(key)\": Cannot find field.")
        }
        guard let contents = body["contents"] as? [[String: Any]], !contents.isEmpty else {
            throw fail("* GenerateContentRequest.contents: contents is not specified")
        }
        var request = NeutralChatRequest(model: model)
        if let system = body["systemInstruction"] {
            guard let parts = (system as? [String: Any])?["parts"] as? [[String: Any]] else {
                throw fail("* GenerateContentRequest.system_instruction: parts are required")
            }
            for part in parts { request.count(part["text"] as? String ?? "") }
        }
        var calledFunctions: Set<String> = []
        for (i, content) in contents.enumerated() {
            let role = content["role"] as? String ?? "user"
            guard role == "user" || role == "model" else { throw fail("Please use a valid role: user, model.") }
            guard let parts = content["parts"] as? [[String: Any]], !parts.isEmpty else {
                throw fail("* GenerateContentRequest.contents[\(i)].parts: contents.parts must not be empty.")
            }
            var texts: [String] = []
            var results: [String] = []
            for (j, part) in parts.enumerated() {
                let path = "contents[\(i)].parts[\(j)]"
                if let text = part["text"] as? String {
                    texts.append(text)
                } else if let inline = part["inlineData"] as? [String: Any] {
                    guard inline["mimeType"] is String, let data = inline["data"] as? String, NeutralReplies.isBase64(data) else {
                        throw fail("* GenerateContentRequest.\(path).inline_data: needs mimeType and base64 data")
                    }
                } else if let file = part["fileData"] as? [String: Any] {
                    guard file["mimeType"] is String, file["fileUri"] is String else {
                        throw fail("* GenerateContentRequest.\(path).file_data: needs mimeType and fileUri")
                    }
                } else if let call = part["functionCall"] as? [String: Any] {
                    guard role == "model", let name = call["name"] as? String, call["args"] is [String: Any] else {
                        throw fail("* GenerateContentRequest.\(path).function_call: needs name and args, in a model turn")
                    }
                    calledFunctions.insert(name)
                } else if let response = part["functionResponse"] as? [String: Any] {
                    guard role == "user", let name = response["name"] as? String, let result = response["response"] as? [String: Any]
                    else {
                        throw fail("* GenerateContentRequest.\(path).function_response: needs name and a response object, in a user turn")
                    }
                    guard calledFunctions.contains(name) else {
                        throw fail("* GenerateContentRequest.\(path).function_response.name: \(name) answers no earlier function call")
                    }
                    results.append(SimulatorSchema.json(result["result"] ?? result))
                } else {
                    throw fail("* GenerateContentRequest.\(path).data: required oneof field 'data' must have one initialized field")
                }
            }
            for text in texts + results { request.count(text) }
            if role == "user" {
                request.lastUser = texts.isEmpty ? results.joined(separator: "\n") : texts.joined(separator: "\n")
            }
        }
        if let config = body["generationConfig"] as? [String: Any] {
            for key in config.keys.sorted() where !Self.generationConfigFields.contains(key) {
                throw fail("Invalid JSON payload received. Unknown name \"\(key)\" at 'generation_config': Cannot find field.")
            }
            request.maxTokens = config["maxOutputTokens"] as? Int
            if let n = config["candidateCount"] as? Int, n > 1 { throw fail("candidateCount > 1 is not simulated") }
            if config["responseMimeType"] as? String == "application/json" {
                if let schema = (config["responseJsonSchema"] ?? config["responseSchema"]) as? [String: Any] {
                    request.jsonSchema = schema
                } else {
                    request.jsonObject = true
                }
            }
        }
        for tool in body["tools"] as? [[String: Any]] ?? [] {
            for (k, declaration) in (tool["functionDeclarations"] as? [[String: Any]] ?? []).enumerated() {
                guard let name = declaration["name"] as? String else {
                    throw fail("* GenerateContentRequest.tools[0].function_declarations[\(k)].name: Name cannot be empty.")
                }
                let schema = (declaration["parametersJsonSchema"] ?? declaration["parameters"]) as? [String: Any]
                request.tools.append((name, schema ?? ["type": "object"]))
            }
        }
        if let calling = (body["toolConfig"] as? [String: Any])?["functionCallingConfig"] as? [String: Any] {
            switch calling["mode"] as? String {
            case "AUTO", "NONE", nil: break
            case "ANY":
                let allowed = calling["allowedFunctionNames"] as? [String]
                guard let name = allowed?.first ?? request.tools.first?.name else {
                    throw fail("* GenerateContentRequest.tool_config: mode ANY needs function declarations")
                }
                request.forcedTool = name
            default:
                throw fail("Invalid value at 'tool_config.function_calling_config.mode'")
            }
        }

        let reply = try NeutralReplies.reply(to: request, action: action, id: "sim-\(UInt32.random(in: 0...UInt32.max))")
        let finish: String
        if reply.refusal != nil {
            finish = "SAFETY"
        } else {
            finish = reply.finishReason == "length" ? "MAX_TOKENS" : "STOP"
        }
        func usage(completion: Int) -> [String: Any] {
            [
                "promptTokenCount": reply.promptTokens, "candidatesTokenCount": completion,
                "totalTokenCount": reply.promptTokens + completion,
            ]
        }
        let callParts: [[String: Any]] = reply.toolCalls.map {
            ["functionCall": ["name": $0.name, "args": NeutralReplies.argumentsObject($0)] as [String: Any]]
        }
        if stream {
            var events: [String] = []
            var produced = 0
            for piece in NeutralReplies.words(reply.text ?? "") where reply.text != nil {
                produced += SimulatorText.tokens(piece)
                events.append(chunk(model: model, id: reply.id, parts: [["text": piece]], finish: nil, usage: usage(completion: produced)))
            }
            if !callParts.isEmpty {
                events.append(chunk(model: model, id: reply.id, parts: callParts, finish: nil, usage: usage(completion: produced)))
            }
            let last = chunk(model: model, id: reply.id, parts: nil, finish: finish, usage: usage(completion: reply.completionTokens))
            return .stream(events: events, ending: [last], tokens: reply.totalTokens, contentType: "text/event-stream", headers: [:])
        }
        var candidate: [String: Any] = ["finishReason": finish, "index": 0]
        if reply.refusal == nil {
            var parts: [[String: Any]] = reply.text.map { [["text": $0]] } ?? []
            parts += callParts
            candidate["content"] = ["parts": parts, "role": "model"]
        }
        return .json(
            [
                "candidates": [candidate], "usageMetadata": usage(completion: reply.completionTokens),
                "modelVersion": model, "responseId": reply.id,
            ], tokens: reply.totalTokens, headers: [:])
    }

    private func chunk(model: String, id: String, parts: [[String: Any]]?, finish: String?, usage: [String: Any]) -> String {
        var candidate: [String: Any] = ["index": 0]
        if let parts { candidate["content"] = ["parts": parts, "role": "model"] }
        if let finish { candidate["finishReason"] = finish }
        let body: [String: Any] = ["candidates": [candidate], "usageMetadata": usage, "modelVersion": model, "responseId": id]
        return "data: " + SimulatorSchema.json(body) + "\r\n\r\n"
    }

    private func embed(_ requests: [[String: Any]], model: String, batch: Bool) throws -> ProtocolAnswer {
        var embeddings: [[String: Any]] = []
        var tokens = 0
        for (i, r) in requests.enumerated() {
            guard let parts = (r["content"] as? [String: Any])?["parts"] as? [[String: Any]],
                let text = parts.compactMap({ $0["text"] as? String }).first
            else {
                throw fail("* EmbedContentRequest\(batch ? ".requests[\(i)]" : "").content: text parts are required")
            }
            if let type = r["taskType"] as? String,
                !["RETRIEVAL_QUERY", "RETRIEVAL_DOCUMENT", "SEMANTIC_SIMILARITY", "CLASSIFICATION", "CLUSTERING",
                    "QUESTION_ANSWERING", "FACT_VERIFICATION", "CODE_RETRIEVAL_QUERY"].contains(type)
            {
                throw fail("Invalid value at 'task_type' (\(type))")
            }
            let dimensions = r["outputDimensionality"] as? Int ?? pipeline.simulator.configuration.embeddingDimensions
            tokens += SimulatorText.tokens(text)
            embeddings.append(["values": SimulatorText.embedding(text, dimensions: dimensions).map { Double($0) }])
        }
        let body: [String: Any] = batch ? ["embeddings": embeddings] : ["embedding": embeddings[0]]
        return .json(body, tokens: tokens, headers: [:])
    }
}
