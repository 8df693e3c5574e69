import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

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
