import OneSimModels

import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The gateway's routes: each request is dispatched by path, authenticated, answered, counted
/// and logged here; errors of every kind leave as OpenAI-shaped JSON.
struct GatewayRoutes: Sendable {
    let gateway: Gateway

    static let requestIDHeader = HTTPField.Name("x-request-id")!
    static let memberHeader = HTTPField.Name("x-onesim-member")!
    static let overheadHeader = HTTPField.Name("x-onesim-overhead-ms")!
    static let sessionHeader = HTTPField.Name("x-session-id")!
    static let apiKeyHeader = HTTPField.Name("api-key")!

    /// What a handler produced: the response, and the time spent waiting for the upstream.
    struct Outcome {
        var response: Response
        var upstream: Duration = .zero
        /// A streamed reply logs and counts itself when its body ends.
        var deferredLog = false
    }

    func respond(_ request: Request, _ context: GatewayContext) async -> Response {
        let start = ContinuousClock.now
        let requestID = Self.requestID(request.headers[Self.requestIDHeader])
        let path = request.uri.path
        let route = Self.route(for: path)
        var record = AccessRecord(method: request.method.rawValue, route: route ?? "unknown", requestID: requestID)
        var outcome: Outcome
        let span = GatewayTracing.start(request, route: route)
        do {
            outcome = try await GatewayTracing.running(span) {
                try await dispatch(request, context, route: route, record: &record, start: start)
            }
        } catch let error as GatewayError {
            outcome = Outcome(response: Self.errorResponse(error))
        } catch let error as ModelError {
            outcome = Outcome(response: Self.errorResponse(GatewayError(error, secrets: [])))
        } catch {
            outcome = Outcome(response: Self.errorResponse(GatewayError(500, "internal error", type: "server_error")))
        }
        var response = outcome.response
        let overhead = (ContinuousClock.now - start) - outcome.upstream
        response.headers[Self.requestIDHeader] = requestID
        response.headers[Self.overheadHeader] = AccessRecord.milliseconds(overhead)
        GatewayTracing.end(span, status: Int(response.status.code))
        if !outcome.deferredLog {
            record.status = Int(response.status.code)
            let latency = ContinuousClock.now - start
            gateway.metrics.record(route: record.route, method: record.method, status: record.status, latency: latency, overhead: overhead)
            if gateway.configuration.accessLog { record.log(to: gateway.accessLogger, latency: latency, overhead: overhead) }
        }
        return response
    }

    /// The route name for a path (`/v1` optional on the OpenAI routes), or `nil`.
    static func route(for path: String) -> String? {
        switch path {
        case "/v1/chat/completions", "/chat/completions": "/v1/chat/completions"
        case "/v1/embeddings", "/embeddings": "/v1/embeddings"
        case "/v1/models", "/models": "/v1/models"
        case "/v1/usage": "/v1/usage"
        case "/health/live": "/health/live"
        case "/health/ready": "/health/ready"
        case "/metrics": "/metrics"
        case "/dashboard", "/dashboard/": "/dashboard"
        case "/dashboard/stats": "/dashboard/stats"
        default: nil
        }
    }

    func dispatch(
        _ request: Request, _ context: GatewayContext, route: String?, record: inout AccessRecord, start: ContinuousClock.Instant
    ) async throws -> Outcome {
        guard let route else {
            throw GatewayError(404, "Unknown request URL: \(request.method.rawValue) \(request.uri.path.prefix(200)). Please check the URL for typos.", code: "unknown_url")
        }
        let method = request.method
        switch (route, method) {
        case ("/health/live", .get):
            return Outcome(response: Self.json(.ok, ByteBuffer(staticString: #"{"status":"ok"}"#)))
        case ("/health/ready", .get):
            return Outcome(response: readiness())
        case ("/metrics", .get):
            let text = gateway.configuration.metrics.emitToBuffer()
            var response = Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
            response.headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Outcome(response: response)
        case ("/dashboard", .get):
            return Outcome(response: GatewayDashboard.page())
        case ("/dashboard/stats", .get):
            let caller = try authenticate(request)
            record.caller = callerName(caller)
            return Outcome(response: try GatewayDashboard(gateway: gateway).stats(for: caller))
        case ("/v1/models", .get):
            let caller = try authenticate(request)
            record.caller = callerName(caller)
            return Outcome(response: models(for: caller))
        case ("/v1/usage", .get):
            let caller = try authenticate(request)
            record.caller = callerName(caller)
            guard case .master = caller else {
                if case .open = caller { return Outcome(response: usage()) }
                throw GatewayError(403, "Only the master key may read usage.", type: "permission_error", code: "master_key_required")
            }
            return Outcome(response: usage())
        case ("/v1/chat/completions", .post):
            let caller = try authenticate(request)
            record.caller = callerName(caller)
            let body = try await Self.readJSON(request, limit: gateway.configuration.maxBodyBytes)
            var chat = try ChatRequest(body)
            Self.addGatewayOptions(to: &chat.options, from: request, requestID: record.requestID)
            record.model = chat.model
            record.stream = chat.stream
            return try await self.chat(chat, caller: caller, context: context, record: &record, start: start)
        case ("/v1/embeddings", .post):
            let caller = try authenticate(request)
            record.caller = callerName(caller)
            let body = try await Self.readJSON(request, limit: gateway.configuration.maxBodyBytes)
            var embedding = try EmbeddingRequest(body)
            Self.addGatewayOptions(to: &embedding.options, from: request, requestID: record.requestID)
            record.model = embedding.model
            return try await embeddings(embedding, caller: caller, context: context, record: &record)
        default:
            throw GatewayError(405, "Method \(method.rawValue) is not allowed on \(route).", code: "method_not_allowed")
        }
    }

    // MARK: Chat

    func chat(
        _ chat: ChatRequest, caller: KeyStore.Caller, context: GatewayContext, record: inout AccessRecord, start: ContinuousClock.Instant
    ) async throws -> Outcome {
        let adapter = try resolve(chat.model, kind: .chat, caller: caller)
        try gateway.keys.admit(caller)
        let call = CallGuard(gateway: gateway, caller: caller, record: record, start: start, kind: .chat)
        let id = "chatcmpl-\(record.requestID)"
        let created = Int(Date().timeIntervalSince1970)
        let upstreamStart = ContinuousClock.now
        if chat.stream {
            let first: ModelDelta?
            let iterator: StreamIteratorBox
            do {
                (iterator, first) = try await cancellable(context.channel) {
                    let stream = try await adapter.stream(chat.prompt, options: chat.options)
                    let box = StreamIteratorBox(stream.makeAsyncIterator())
                    return (box, try await box.next())
                }
            } catch {
                call.finish(error: error, upstream: ContinuousClock.now - upstreamStart)
                throw error
            }
            let waited = ContinuousClock.now - upstreamStart
            let member = first?.modelInfo.map { $0.member ?? $0.configName }
            // A client that goes away mid-stream: close the connection and cancel the upstream
            // stream at once, so a relay waiting for the next delta (a stalled server) ends
            // now, not when that delta comes.
            let channel = context.channel
            let watcher = gateway.watcher
            let body = ResponseBody { writer in
                let token = watcher.register(channel) {
                    channel.close(promise: nil)
                    iterator.cancel()
                }
                defer { watcher.unregister(token) }
                try await SSERelay.relay(
                    first: first, rest: iterator, to: &writer, id: id, model: chat.model, created: created,
                    includeUsage: chat.includeUsage, call: call, waited: waited)
            }
            var response = Response(status: .ok, body: body)
            response.headers[.contentType] = "text/event-stream"
            response.headers[.cacheControl] = "no-cache"
            if let member { response.headers[Self.memberHeader] = member }
            call.setMember(member)
            return Outcome(response: response, upstream: waited, deferredLog: true)
        }
        let reply: ModelResponse
        do {
            reply = try await cancellable(context.channel) { try await adapter.acall(chat.prompt, options: chat.options) }
        } catch {
            call.finish(error: error, upstream: ContinuousClock.now - upstreamStart)
            throw error
        }
        let upstream = ContinuousClock.now - upstreamStart
        let member = reply.modelInfo.member ?? reply.modelInfo.configName
        call.setMember(member)
        call.finish(response: reply, upstream: upstream)
        record.member = member
        record.tokens = reply.usage.totalTokens
        var response = Self.json(.ok, ResponseEncoding.completion(reply, id: id, model: chat.model, created: created))
        if !member.isEmpty { response.headers[Self.memberHeader] = member }
        return Outcome(response: response, upstream: upstream, deferredLog: false)
    }

    // MARK: Embeddings

    func embeddings(
        _ request: EmbeddingRequest, caller: KeyStore.Caller, context: GatewayContext, record: inout AccessRecord
    ) async throws -> Outcome {
        let adapter = try resolve(request.model, kind: .embedding, caller: caller)
        try gateway.keys.admit(caller)
        let call = CallGuard(gateway: gateway, caller: caller, record: record, start: .now, kind: .embedding)
        let upstreamStart = ContinuousClock.now
        let reply: ModelResponse
        do {
            reply = try await cancellable(context.channel) { try await adapter.acall(texts: request.texts, options: request.options) }
        } catch {
            call.finish(error: error, upstream: ContinuousClock.now - upstreamStart)
            throw error
        }
        let upstream = ContinuousClock.now - upstreamStart
        let member = reply.modelInfo.member ?? reply.modelInfo.configName
        call.finish(response: reply, upstream: upstream)
        record.member = member
        record.tokens = reply.usage.totalTokens
        var response = Self.json(.ok, ResponseEncoding.embeddings(reply, model: request.model, base64: request.base64))
        if !member.isEmpty { response.headers[Self.memberHeader] = member }
        return Outcome(response: response, upstream: upstream)
    }

    // MARK: Models, usage, health

    func models(for caller: KeyStore.Caller) -> Response {
        var writer = JSONWriter(capacity: 1024)
        writer.openObject()
        writer.field("object", string: "list")
        writer.key("data")
        writer.openArray()
        for served in gateway.manager.servedNames() where gateway.keys.mayUse(caller, model: served.name) {
            writer.openObject()
            writer.field("id", string: served.name)
            writer.field("object", string: "model")
            writer.field("created", .int(0))
            writer.field("owned_by", string: "onesim")
            writer.field("kind", string: served.kind.rawValue)
            writer.field("source", string: served.source)
            writer.closeObject()
        }
        writer.closeArray()
        writer.closeObject()
        return Self.json(.ok, ByteBuffer(bytes: writer.bytes))
    }

    func usage() -> Response {
        let body: JSONValue = [
            "total": gateway.manager.tokenTracker.stats().dictionary,
            "keys": gateway.keys.usageJSON(),
        ]
        return Self.json(.ok, ByteBuffer(bytes: JSONCodec.encode(body, sortedKeys: true)))
    }

    /// Ready when every balancer has at least one member not cooling down; the body lists
    /// each balancer's members with their cooldowns and in-flight counts.
    func readiness() -> Response {
        var ready = true
        var balancers: [String: JSONValue] = [:]
        for balancer in gateway.manager.servedBalancers() {
            let stats = balancer.stats()
            let usable = stats.members.contains { !$0.isCoolingDown }
            if !usable { ready = false }
            balancers[balancer.configName] = [
                "ready": .bool(usable),
                "queued": .int(stats.queued),
                "members": .array(
                    stats.members.map { member in
                        [
                            "name": .string(member.configName),
                            "in_flight": .int(member.inFlight),
                            "cooling_down": .bool(member.isCoolingDown),
                            "cooldown_remaining_seconds": member.cooldownRemaining.map { .double($0.seconds) } ?? .null,
                        ]
                    }),
            ]
        }
        let body: JSONValue = ["status": .string(ready ? "ready" : "unavailable"), "balancers": .object(balancers)]
        return Self.json(ready ? .ok : .serviceUnavailable, ByteBuffer(bytes: JSONCodec.encode(body, sortedKeys: true)))
    }

    // MARK: Helpers

    func authenticate(_ request: Request) throws(GatewayError) -> KeyStore.Caller {
        try gateway.keys.authenticate(authorization: request.headers[.authorization], apiKey: request.headers[Self.apiKeyHeader])
    }

    func callerName(_ caller: KeyStore.Caller) -> String {
        if case .key(let i) = caller { return gateway.keys.entries[i].name }
        return caller.name
    }

    /// The model a request names (404 when nothing has that name), checked against the
    /// caller's key (403).
    func resolve(_ name: String, kind: ModelKind, caller: KeyStore.Caller) throws -> any ModelAdapter {
        guard let adapter = try gateway.manager.servedModel(named: name, kind: kind) else {
            throw GatewayError(
                404, "The model '\(name.prefix(200))' does not exist or you do not have access to it.", code: "model_not_found",
                param: "model")
        }
        guard adapter.kind == kind else {
            throw GatewayError(
                400, "The model '\(name.prefix(200))' is a \(adapter.kind.rawValue) model; it cannot serve this request.",
                code: "wrong_model_kind", param: "model")
        }
        try gateway.keys.authorize(caller, model: name)
        return adapter
    }

    /// Runs an upstream call that is cancelled when the client's connection closes: the
    /// request's own task is cancelled (its connection is gone, so nothing else runs on it).
    func cancellable<T: Sendable>(_ channel: any Channel, _ body: () async throws -> T) async throws -> T {
        let canceller = TaskCanceller()
        let token = gateway.watcher.register(channel) { canceller.cancel() }
        defer {
            canceller.disarm()
            gateway.watcher.unregister(token)
        }
        return try await body()
    }

    /// Reads the body (at most `limit` bytes: more is a 413) and parses it as JSON (a syntax
    /// error is a 400 with line and column).
    static func readJSON(_ request: Request, limit: Int) async throws -> JSONValue {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw GatewayError(413, "The request body is \(length) bytes; the limit is \(limit).", code: "request_too_large")
        }
        var buffer = ByteBuffer()
        for try await chunk in request.body {
            guard chunk.readableBytes <= limit - buffer.readableBytes else {
                throw GatewayError(413, "The request body is larger than the limit of \(limit) bytes.", code: "request_too_large")
            }
            var chunk = chunk
            buffer.writeBuffer(&chunk)
        }
        guard buffer.readableBytes > 0 else {
            throw GatewayError(400, "The request body is empty; expected a JSON object.", code: "invalid_json")
        }
        do {
            return try buffer.withUnsafeReadableBytes { try JSONCodec.parse(buffer: $0, exactNumbers: true) }
        } catch let error as JSONSyntaxError {
            throw GatewayError(
                400, "We could not parse the JSON body of your request: line \(error.line), column \(error.column): \(error.message)",
                code: "invalid_json")
        }
    }

    /// What the gateway adds to a call's options: the request id goes upstream, and an
    /// `x-session-id` header (1-512 bytes) becomes the affinity key, over the body's `user`.
    static func addGatewayOptions(to options: inout CallOptions, from request: Request, requestID: String) {
        options.headers["x-request-id"] = requestID
        if let session = request.headers[sessionHeader], !session.isEmpty, session.utf8.count <= 512 {
            options.affinityKey = session
        }
    }

    /// The client's request id if it is sane (1-128 visible ASCII characters), else a new one.
    static func requestID(_ header: String?) -> String {
        if let header, !header.isEmpty, header.utf8.count <= 128, header.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) {
            return header
        }
        return RequestID.next()
    }

    static func json(_ status: HTTPResponse.Status, _ body: ByteBuffer) -> Response {
        var response = Response(status: status, body: ResponseBody(byteBuffer: body))
        response.headers[.contentType] = "application/json"
        return response
    }

    static func errorResponse(_ error: GatewayError) -> Response {
        var response = json(HTTPResponse.Status(code: error.status), error.body())
        if let retry = error.retryAfter { response.headers[.retryAfter] = String(retry) }
        return response
    }
}
