import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Registers the simulator's provider protocols beyond OpenAI (Anthropic, Gemini, Ollama,
/// Azure OpenAI) on `router`. Every protocol shares the simulator's script, faults, latency,
/// recording and counters; only the wire format differs.
enum SimulatorProtocols {
    static func register(on router: Router<BasicRequestContext>, simulator: Simulator) {
        let pipeline = ProtocolPipeline(simulator: simulator)
        AnthropicProtocol(pipeline: pipeline).register(on: router)
        GeminiProtocol(pipeline: pipeline).register(on: router)
        OllamaProtocol(pipeline: pipeline).register(on: router)
        AzureProtocol(pipeline: pipeline).register(on: router)
    }
}

/// How one provider shapes errors and checks credentials.
protocol SimulatorDialect: Sendable {
    /// An error response in the provider's shape. `type` is the scripted error type (`nil` or
    /// OpenAI's default `server_error`: derive one from the status).
    func errorResponse(_ status: Int, message: String, type: String?, code: String?, param: String?, headers: [String: String])
        -> Response
    /// A rejection when the request's credentials (or required headers) are wrong, else `nil`.
    func authenticate(_ request: ProtocolRequest, requiredKey: String?) -> Response?
    /// The stream event (or line) that reports an error in the middle of a stream.
    func streamErrorEvent(message: String, code: String?) -> String
}

/// What a protocol handler sees of a request.
struct ProtocolRequest: Sendable {
    /// Lower-cased header names.
    var headers: [String: String]
    /// Query parameters.
    var query: [String: String]
    /// Route parameters (`deployment`, `action`).
    var parameters: [String: String]
}

/// A successful answer: a JSON body, or the events of a stream.
enum ProtocolAnswer {
    case json([String: Any], tokens: Int, headers: [String: String])
    /// `events` are written in order; `ending` follows them on a normal end (Anthropic's
    /// `message_stop`, Ollama's `done` line) and is left out when a stream fault plays.
    case stream(events: [String], ending: [String], tokens: Int, contentType: String, headers: [String: String])
}

/// The request path every protocol shares: record, script, latency, credentials, faults, JSON
/// body, answer or error — the same steps as the OpenAI handlers, with the dialect's shapes.
struct ProtocolPipeline: Sendable {
    let simulator: Simulator

    func handle(
        _ request: Request, context: BasicRequestContext, dialect: some SimulatorDialect,
        parameterNames: [String] = [],
        answer: @Sendable ([String: Any], ProtocolRequest, SimulatorAction) throws -> ProtocolAnswer
    ) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        var parameters: [String: String] = [:]
        for name in parameterNames { parameters[name] = context.parameters.get(name) }
        let info = ProtocolRequest(headers: headers, query: query, parameters: parameters)
        let recorded = RecordedRequest(
            path: request.uri.path, method: request.method.rawValue, headers: headers,
            body: Array(buffer.readableBytesView), query: query)
        let action = simulator.begin(recorded)
        var tokens = 0
        defer { simulator.end(tokens: tokens) }
        let latency = action.latency + simulator.configuration.latency
        if latency > .zero { try await simulator.sleep(latency) }

        if let rejection = dialect.authenticate(info, requiredKey: simulator.configuration.requiredAPIKey) {
            return rejection
        }
        switch action.fault {
        case .status(let status, let message, let type, let code, let retryAfter, let extra)?:
            var extraHeaders = extra
            if let retryAfter { extraHeaders["retry-after"] = String(retryAfter) }
            return dialect.errorResponse(status, message: message, type: type, code: code, param: nil, headers: extraHeaders)
        case .dropConnection?:
            return Self.brokenBody()
        case .malformedJSON?:
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"id\": \"broken\", \"content\": [{\"type\": ")))
        case .raw(let status, let body, let headers)?:
            return SimulatorRawReply.response(status: status, body: body, headers: headers)
        case .streamError?, .closeStreamEarly?, .stallBody?, nil:
            break
        }
        let json: [String: Any]
        if buffer.readableBytes == 0 {
            json = [:]
        } else {
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] else {
                return dialect.errorResponse(
                    400, message: "The request body is not valid JSON.", type: nil, code: nil, param: nil, headers: [:])
            }
            json = parsed
        }
        let answered: ProtocolAnswer
        do { answered = try answer(json, info, action) } catch {
            let e = error as? SimulatorRequestError ?? SimulatorRequestError(status: 500, message: "\(error)")
            return dialect.errorResponse(e.status, message: e.message, type: nil, code: e.code, param: e.param, headers: [:])
        }
        switch answered {
        case .json(let body, let reported, let extraHeaders):
            switch action.fault {
            case .streamError?:
                return dialect.errorResponse(500, message: "simulated error", type: nil, code: nil, param: nil, headers: [:])
            case .closeStreamEarly?:
                return Self.brokenBody()
            case .stallBody?:
                return Self.stalledBody(simulator)
            default:
                break
            }
            tokens = reported
            guard let data = try? JSONSerialization.data(withJSONObject: body) else {
                return dialect.errorResponse(500, message: "simulator could not encode its answer", type: nil, code: nil, param: nil, headers: [:])
            }
            var fields: HTTPFields = [.contentType: "application/json"]
            for (name, value) in extraHeaders { if let name = HTTPField.Name(name) { fields[name] = value } }
            return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        case .stream(var events, let ending, let reported, let contentType, let extraHeaders):
            tokens = reported
            var aborts = false
            var stalls = false
            switch action.fault {
            case .streamError(let after, let message, let code)?:
                events = Array(events.prefix(after + 1))
                events.append(dialect.streamErrorEvent(message: message, code: code))
            case .closeStreamEarly(let after)?:
                events = Array(events.prefix(after + 1))
                aborts = true
            case .stallBody(let after)?:
                events = Array(events.prefix(after + 1))
                stalls = true
            default:
                events += ending
            }
            return ProtocolStreamWriter(simulator: simulator, events: events, aborts: aborts, stalls: stalls)
                .response(contentType: contentType, headers: extraHeaders)
        }
    }

    /// A 200 whose body breaks off: the connection closes mid-response.
    static func brokenBody() -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json", .contentLength: "4096"],
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "{\"id\": \"sim-"))
                throw SimulatorRequestError(status: 500, message: "simulated dropped connection")
            })
    }

    /// A 200 whose head and first body bytes are sent, then nothing until the simulator stops
    /// (then the connection closes).
    static func stalledBody(_ simulator: Simulator) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "{\"id\": \"stalled-"))
                try await simulator.stall()
                throw SimulatorRequestError(status: 500, message: "simulated stalled body")
            })
    }

    /// A JSON response with `status`.
    static func json(_ status: Int, _ body: [String: Any], headers: [String: String] = [:]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: body)) ?? Data()
        var fields: HTTPFields = [.contentType: "application/json"]
        for (name, value) in headers { if let name = HTTPField.Name(name) { fields[name] = value } }
        return Response(
            status: HTTPResponse.Status(code: status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Writes pre-rendered stream events, cut into network writes of `streamChunkBytes` (so events,
/// lines and UTF-8 characters can split anywhere) with `streamChunkDelay` between writes; counts
/// a client that goes away, and closes the connection early when `aborts`.
struct ProtocolStreamWriter {
    let simulator: Simulator
    let events: [String]
    let aborts: Bool
    /// Stall after the events (until the simulator stops) instead of ending the stream.
    var stalls = false

    func response(contentType: String, headers: [String: String]) -> Response {
        let bytes = Array(events.joined().utf8)
        let eventSizes = events.map(\.utf8.count)
        let chunkSize = simulator.configuration.streamChunkBytes
        let delay = simulator.configuration.streamChunkDelay
        let simulator = simulator
        let aborts = aborts
        let stalls = stalls
        var fields: HTTPFields = [.contentType: contentType, .cacheControl: "no-cache"]
        for (name, value) in headers { if let name = HTTPField.Name(name) { fields[name] = value } }
        return Response(
            status: .ok, headers: fields,
            body: ResponseBody { writer in
                var pieces: [ArraySlice<UInt8>] = []
                var start = 0
                if let chunkSize, chunkSize > 0 {
                    while start < bytes.count {
                        pieces.append(bytes[start..<min(bytes.count, start + chunkSize)])
                        start += chunkSize
                    }
                } else {
                    for count in eventSizes {
                        pieces.append(bytes[start..<start + count])
                        start += count
                    }
                }
                do {
                    for (i, piece) in pieces.enumerated() {
                        if i > 0, delay > .zero { try await simulator.sleep(delay) }
                        try await writer.write(ByteBuffer(bytes: piece))
                    }
                } catch {
                    simulator.streamAborted()
                    throw error
                }
                if stalls {
                    try await simulator.stall()
                    throw SimulatorRequestError(status: 500, message: "simulated stalled stream")
                }
                if aborts {
                    // Let the client read what was sent before the connection goes away; closing at
                    // once can reset the socket and drop bytes the client has not read yet.
                    try await simulator.sleep(.milliseconds(100))
                    throw SimulatorRequestError(status: 500, message: "simulated early close")
                }
                try await writer.finish(nil)
            })
    }
}

/// A chat request in provider-neutral terms: what the reply depends on.
struct NeutralChatRequest {
    var model: String
    /// Words of every message (system included), the simulator's token count.
    var promptTokens = 0
    /// The text the reply echoes: the last user turn (or the last tool result after it).
    var lastUser = ""
    var maxTokens: Int?
    /// Declared functions: name and parameter schema.
    var tools: [(name: String, parameters: [String: Any])] = []
    /// A function the request forces (`any` forces the first).
    var forcedTool: String?
    /// Any-JSON output asked for.
    var jsonObject = false
    /// A schema the output must follow.
    var jsonSchema: [String: Any]?

    /// Adds `text` to the prompt's token count.
    mutating func count(_ text: String) { promptTokens += SimulatorText.tokens(text) }
}

enum NeutralReplies {
    /// The reply to `request` under `action`: scripted text, tool calls or refusal, else the echo
    /// (as JSON when asked), cut at `maxTokens` words with finish reason `length`.
    static func reply(to request: NeutralChatRequest, action: SimulatorAction, id: String) throws -> SimulatorReply {
        var reply = SimulatorReply(
            id: id, model: request.model, text: action.reply ?? request.lastUser, refusal: nil, toolCalls: [],
            finishReason: "stop", promptTokens: request.promptTokens, completionTokens: 0, choices: 1)
        if action.reply == nil {
            if let schema = request.jsonSchema {
                reply.text = SimulatorSchema.json(SimulatorSchema.instance(of: schema, text: request.lastUser))
            } else if request.jsonObject {
                reply.text = SimulatorSchema.json(["reply": request.lastUser])
            }
        }
        if let calls = action.toolCalls {
            reply.toolCalls = calls
        } else if let forced = request.forcedTool {
            guard let tool = request.tools.first(where: { $0.name == forced }) else {
                throw SimulatorRequestError(status: 400, message: "the forced tool '\(forced)' is not among the tools")
            }
            let arguments = SimulatorSchema.instance(of: tool.parameters, text: request.lastUser)
            reply.toolCalls = [SimulatorToolCall(name: forced, arguments: SimulatorSchema.json(arguments))]
        }
        if !reply.toolCalls.isEmpty {
            reply.text = nil
            reply.finishReason = "tool_calls"
        }
        if let refusal = action.refusal {
            reply.text = nil
            reply.refusal = refusal
        }
        if let text = reply.text, let max = request.maxTokens, SimulatorText.tokens(text) > max {
            reply.text = SimulatorText.prefix(text, words: max)
            reply.finishReason = "length"
        }
        reply.completionTokens =
            SimulatorText.tokens(reply.text ?? reply.refusal ?? "") + reply.toolCalls.count * 5
        return reply
    }

    /// The reply text cut into word pieces (the first without, the rest with a leading space).
    static func words(_ text: String) -> [String] {
        var pieces: [String] = []
        for (i, word) in text.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            pieces.append((i == 0 ? "" : " ") + word)
        }
        return pieces
    }

    /// A tool call's arguments as a JSON object (for providers that send objects).
    static func argumentsObject(_ call: SimulatorToolCall) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(call.arguments.utf8)) as? [String: Any]) ?? [:]
    }

    /// The arguments text cut into three pieces, as streams send them.
    static func thirds(_ text: String) -> [String] {
        let chars = Array(text)
        let third = max(1, (chars.count + 2) / 3)
        var pieces: [String] = []
        var start = 0
        while start < chars.count {
            pieces.append(String(chars[start..<min(chars.count, start + third)]))
            start += third
        }
        return pieces
    }

    /// Whether `text` is standard base64 (what image fields must hold).
    static func isBase64(_ text: String) -> Bool {
        !text.isEmpty && Data(base64Encoded: text) != nil
    }
}
