import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The simulator's routes: OpenAI's `/v1/chat/completions`, `/v1/embeddings` and `/v1/models`;
/// in fleet server mode also vLLM's `GET /health` and `GET /metrics`.
struct SimulatorHandlers: Sendable {
    let simulator: Simulator

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/chat/completions") { request, _ in try await self.handle(request, answer: self.chat) }
        router.post("/v1/embeddings") { request, _ in try await self.handle(request, answer: self.embeddings) }
        router.get("/v1/models") { request, _ in try await self.handle(request, answer: { _, _ in self.models() }) }
        SimulatorProtocols.register(on: router, simulator: simulator)
        if simulator.fleet != nil {
            // vLLM's liveness probe (routers such as sglang-router check it before using a worker).
            router.get("/health") { _, _ in Response(status: .ok) }
            FleetDashboard.register(on: router, simulator: simulator)
            router.get("/metrics") { _, _ in
                let text = simulator.fleetMetricsText() ?? ""
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            }
        }
    }

    /// A successful answer: a JSON body with the tokens it reports, or a chat reply to stream.
    enum Answer {
        case json([String: Any], tokens: Int)
        case stream(SimulatorReply, includeUsage: Bool)
        /// A chat reply the fleet server model must play first (fleet mode).
        case fleet(FleetChatJob)
    }

    private func handle(
        _ request: Request, answer: @Sendable ([String: Any], SimulatorAction) throws -> Answer
    ) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let recorded = RecordedRequest(
            path: request.uri.path, method: request.method.rawValue, headers: headers,
            body: Array(buffer.readableBytesView))
        let action = simulator.begin(recorded)
        var tokens = 0
        defer { simulator.end(tokens: tokens) }
        let latency = action.latency + simulator.configuration.latency
        if latency > .zero { try await simulator.sleep(latency) }

        if let key = simulator.configuration.requiredAPIKey, headers["authorization"] != "Bearer \(key)" {
            let sent = headers["authorization"].map { String($0.dropFirst("Bearer ".count)) } ?? ""
            return errorResponse(
                401, message: "Incorrect API key provided: \(Self.mask(sent)). You can find your API key at https://platform.openai.com/account/api-keys.",
                type: "invalid_request_error", code: "invalid_api_key")
        }
        switch action.fault {
        case .status(let status, let message, let type, let code, let retryAfter, let extra)?:
            var extraHeaders = extra
            if let retryAfter { extraHeaders["retry-after"] = String(retryAfter) }
            return errorResponse(status, message: message, type: type, code: code, headers: extraHeaders)
        case .dropConnection?:
            return Response(
                status: .ok, headers: [.contentType: "application/json", .contentLength: "4096"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "{\"id\": \"chatcmpl-"))
                    throw SimulatorRequestError(status: 500, message: "simulated dropped connection")
                })
        case .raw(let status, let body, let headers)?:
            return SimulatorRawReply.response(status: status, body: body, headers: headers)
        case .streamError?, .closeStreamEarly?, .stallBody?:
            break  // played by the stream writer; a non-streamed request gets a plain failure below
        case .malformedJSON?:
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"id\": \"chatcmpl-broken\", \"choices\": [{\"message\": ")))
        case nil:
            break
        }
        let json: [String: Any]
        if buffer.readableBytes == 0 {
            json = [:]
        } else {
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] else {
                return errorResponse(
                    400, message: "We could not parse the JSON body of your request.", type: "invalid_request_error",
                    code: nil)
            }
            json = parsed
        }
        var answered: Answer
        do { answered = try answer(json, action) } catch {
            let e = error as? SimulatorRequestError ?? SimulatorRequestError(status: 500, message: "\(error)")
            return errorResponse(e.status, message: e.message, type: "invalid_request_error", code: e.code, param: e.param)
        }
        if case .fleet(let job) = answered {
            guard let fleet = simulator.fleet,
                let done = await fleet.run(blocks: job.blocks, promptTokens: job.promptTokens, outputTokens: job.outputTokens)
            else {
                return errorResponse(
                    503, message: "the simulated fleet server is full or stopping", type: "server_error", code: nil)
            }
            answered = job.answer(after: done)
        }
        let body: [String: Any]
        switch answered {
        case .stream(let reply, let includeUsage):
            tokens = reply.totalTokens
            return SimulatorStreamWriter(simulator: simulator, reply: reply, includeUsage: includeUsage, fault: action.fault)
                .response()
        case .fleet:
            return errorResponse(500, message: "fleet reply not played", type: "server_error", code: nil)
        case .json(let json, let reported):
            if case .streamError? = action.fault { return errorResponse(500, message: "simulated error", type: "server_error", code: nil) }
            if case .stallBody? = action.fault { return ProtocolPipeline.stalledBody(simulator) }
            if case .closeStreamEarly? = action.fault {
                return Response(
                    status: .ok, headers: [.contentType: "application/json", .contentLength: "4096"],
                    body: ResponseBody { writer in
                        try await writer.write(ByteBuffer(string: "{\"id\": \"chatcmpl-"))
                        throw SimulatorRequestError(status: 500, message: "simulated dropped connection")
                    })
            }
            tokens = reported
            body = json
        }
        do {
            let data = try JSONSerialization.data(withJSONObject: body)
            var fields: HTTPFields = [.contentType: "application/json"]
            fields[HTTPField.Name("x-request-id")!] = "req_sim_\(UInt32.random(in: 0...UInt32.max))"
            return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        } catch {
            return errorResponse(500, message: "simulator could not encode its answer: \(error)", type: "server_error", code: nil)
        }
    }

    private func errorResponse(
        _ status: Int, message: String, type: String, code: String?, param: String? = nil, headers: [String: String] = [:]
    ) -> Response {
        let body: [String: Any] = [
            "error": ["message": message, "type": type, "param": param ?? NSNull(), "code": code ?? NSNull()] as [String: Any]
        ]
        let data = (try? JSONSerialization.data(withJSONObject: body)) ?? Data()
        var fields: HTTPFields = [.contentType: "application/json"]
        fields[HTTPField.Name("x-request-id")!] = "req_sim_err"
        for (name, value) in headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        return Response(
            status: HTTPResponse.Status(code: status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// OpenAI's key masking: first 3 and last 4 characters.
    static func mask(_ key: String) -> String {
        guard key.count > 8 else { return "****" }
        return String(key.prefix(3)) + "*****" + String(key.suffix(4))
    }

    // MARK: Endpoints

    private func chat(_ body: [String: Any], _ action: SimulatorAction) throws -> Answer {
        guard let model = body["model"] as? String, !model.isEmpty else {
            throw SimulatorRequestError(status: 400, message: "you must provide a model parameter", param: "model")
        }
        guard let messages = body["messages"] as? [[String: Any]], !messages.isEmpty else {
            throw SimulatorRequestError(
                status: 400, message: "'messages' must be a non-empty array", param: "messages")
        }
        try SimulatorTokenLimit.check(body, model: model)
        var promptTokens = 0
        var lastUser = ""
        for (i, message) in messages.enumerated() {
            guard let role = message["role"] as? String, ["system", "user", "assistant", "tool", "developer"].contains(role) else {
                throw SimulatorRequestError(
                    status: 400, message: "messages[\(i)].role is missing or invalid", param: "messages[\(i)].role")
            }
            if role == "tool", message["tool_call_id"] as? String == nil {
                throw SimulatorRequestError(
                    status: 400, message: "messages[\(i)]: a tool message needs 'tool_call_id'", param: "messages[\(i)].tool_call_id")
            }
            let text = Self.text(of: message["content"])
            promptTokens += SimulatorText.tokens(text)
            if role == "user" { lastUser = text }
        }
        var reply = SimulatorReply(
            id: "chatcmpl-sim-\(UInt32.random(in: 0...UInt32.max))", model: model, text: action.reply ?? lastUser,
            refusal: nil, toolCalls: [], finishReason: "stop", promptTokens: promptTokens, completionTokens: 0,
            choices: max(1, body["n"] as? Int ?? 1))
        if action.reply == nil, let format = body["response_format"] as? [String: Any] {
            switch format["type"] as? String {
            case "json_object":
                reply.text = SimulatorSchema.json(["reply": lastUser])
            case "json_schema":
                guard let spec = format["json_schema"] as? [String: Any], spec["name"] is String else {
                    throw SimulatorRequestError(
                        status: 400, message: "response_format.json_schema needs a 'name' and a 'schema'",
                        param: "response_format")
                }
                reply.text = SimulatorSchema.json(SimulatorSchema.instance(of: spec["schema"] as? [String: Any] ?? [:], text: lastUser))
            case "text", nil:
                break
            default:
                throw SimulatorRequestError(status: 400, message: "unknown response_format type", param: "response_format.type")
            }
        }
        if let calls = action.toolCalls {
            reply.toolCalls = calls
        } else if let forced = try Self.forcedToolCall(body, text: lastUser) {
            reply.toolCalls = [forced]
        }
        if !reply.toolCalls.isEmpty {
            reply.text = nil
            reply.finishReason = "tool_calls"
        }
        if let refusal = action.refusal {
            reply.text = nil
            reply.refusal = refusal
        }
        if let text = reply.text, let max = (body["max_tokens"] as? Int) ?? (body["max_completion_tokens"] as? Int),
            SimulatorText.tokens(text) > max
        {
            reply.text = SimulatorText.prefix(text, words: max)
            reply.finishReason = "length"
        }
        reply.completionTokens = SimulatorText.tokens(reply.text ?? "") + reply.toolCalls.count * 5
        if let server = simulator.configuration.fleetServer {
            return .fleet(FleetChatJob(body: body, messages: messages, reply: reply, blockTokens: server.blockTokens))
        }
        if body["stream"] as? Bool == true {
            let includeUsage = (body["stream_options"] as? [String: Any])?["include_usage"] as? Bool ?? false
            return .stream(reply, includeUsage: includeUsage)
        }
        return .json(reply.completion, tokens: reply.totalTokens)
    }

    /// The tool call a request forces with `tool_choice` (`"required"` or a named function),
    /// with arguments made from the tool's parameter schema.
    static func forcedToolCall(_ body: [String: Any], text: String) throws -> SimulatorToolCall? {
        guard let tools = body["tools"] as? [[String: Any]], !tools.isEmpty else { return nil }
        let functions = tools.compactMap { $0["function"] as? [String: Any] }
        guard functions.count == tools.count, functions.allSatisfy({ $0["name"] is String }) else {
            throw SimulatorRequestError(status: 400, message: "each tool needs a function with a name", param: "tools")
        }
        var name: String?
        if body["tool_choice"] as? String == "required" {
            name = functions[0]["name"] as? String
        } else if let choice = body["tool_choice"] as? [String: Any] {
            name = (choice["function"] as? [String: Any])?["name"] as? String
        }
        guard let name else { return nil }
        guard let function = functions.first(where: { $0["name"] as? String == name }) else {
            throw SimulatorRequestError(status: 400, message: "tool_choice names an unknown function '\(name)'", param: "tool_choice")
        }
        let arguments = SimulatorSchema.instance(of: function["parameters"] as? [String: Any] ?? ["type": "object"], text: text)
        return SimulatorToolCall(name: name, arguments: SimulatorSchema.json(arguments))
    }

    private func embeddings(_ body: [String: Any], _ action: SimulatorAction) throws -> Answer {
        guard let model = body["model"] as? String, !model.isEmpty else {
            throw SimulatorRequestError(status: 400, message: "you must provide a model parameter", param: "model")
        }
        let inputs: [String]
        if let s = body["input"] as? String {
            inputs = [s]
        } else if let list = body["input"] as? [String], !list.isEmpty {
            inputs = list
        } else {
            throw SimulatorRequestError(status: 400, message: "'input' must be a string or a non-empty array of strings", param: "input")
        }
        let dimensions = body["dimensions"] as? Int ?? simulator.configuration.embeddingDimensions
        let base64 = (body["encoding_format"] as? String) == "base64"
        var data: [[String: Any]] = []
        var tokens = 0
        for (index, text) in inputs.enumerated() {
            let vector = SimulatorText.embedding(text, dimensions: dimensions)
            tokens += SimulatorText.tokens(text)
            let embedding: Any =
                base64 ? vector.withUnsafeBufferPointer { Data(buffer: $0).base64EncodedString() } : vector.map { Double($0) }
            data.append(["object": "embedding", "index": index, "embedding": embedding])
        }
        // Answer in reverse order: clients must sort by `index`.
        data.reverse()
        return .json(
            [
                "object": "list", "data": data, "model": model,
                "usage": ["prompt_tokens": tokens, "total_tokens": tokens],
            ], tokens: tokens)
    }

    private func models() -> Answer {
        let data = simulator.configuration.models.map {
            ["id": $0, "object": "model", "created": 0, "owned_by": "onesim-simulator"] as [String: Any]
        }
        return .json(["object": "list", "data": data], tokens: 0)
    }

    /// The text of a message `content`: a string, or the text parts of an array.
    static func text(of content: Any?) -> String {
        if let s = content as? String { return s }
        if let parts = content as? [[String: Any]] {
            return parts.compactMap { $0["type"] as? String == "text" ? $0["text"] as? String : nil }.joined(separator: "\n")
        }
        return ""
    }
}
