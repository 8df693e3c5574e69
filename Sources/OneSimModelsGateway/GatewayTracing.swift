import HTTPTypes
import Hummingbird
import OneSimModels
import Tracing

/// The SERVER span of one gateway request, continued from the trace context the client sent
/// (`traceparent` with swift-otel's W3C propagator: whatever the bootstrapped instrument
/// extracts). The model calls the request makes are its children: balancer, attempt and client
/// spans, and the client span's `traceparent` upstream.
///
/// Named `{method} {route}` (`POST /v1/chat/completions`; the method alone for unknown paths),
/// with `http.request.method`, `http.route`, `url.path` (at most 200 bytes),
/// `http.response.status_code`, and `error.type` (the status code) with status error for 5xx.
/// No header, key or body is recorded. A streamed reply's span ends when its headers are
/// written; the model call's spans end with the stream.
enum GatewayTracing {
    /// Starts the span of `request`, or `nil` when no tracer is bootstrapped.
    @inline(__always)
    static func start(_ request: Request, route: String?) -> (any Span)? {
        let instrument = InstrumentationSystem.instrument
        if instrument is NoOpInstrument { return nil }
        return begin(request, route: route, instrument: instrument)
    }

    @inline(never)
    private static func begin(_ request: Request, route: String?, instrument: any Instrument) -> (any Span)? {
        let tracer = InstrumentationSystem.tracer
        if tracer is NoOpTracer { return nil }
        var context = ServiceContext.current ?? .topLevel
        instrument.extract(request.headers, into: &context, using: HTTPFieldsExtractor())
        let method = request.method.rawValue
        let name = route.map { method + " " + $0 } ?? method
        let span = tracer.startSpan(name, context: context, ofKind: .server)
        if span.isRecording {
            span.updateAttributes { a in
                a["http.request.method"] = method
                if let route { a["http.route"] = route }
                a["url.path"] = String(request.uri.path.utf8.prefix(200)) ?? route ?? ""
            }
        }
        return span
    }

    /// Runs `body` with `span`'s context current, or as is without a span.
    static func running<R>(
        _ span: (any Span)?, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> R
    ) async rethrows -> R {
        guard let span else { return try await body() }
        return try await ServiceContext.withValue(span.context, operation: body)
    }

    /// Ends `span` with the response's status.
    static func end(_ span: (any Span)?, status: Int) {
        guard let span else { return }
        span.attributes["http.response.status_code"] = status
        if status >= 500 {
            span.attributes[GenAINames.errorType] = String(status)
            span.setStatus(SpanStatus(code: .error))
        }
        span.end()
    }
}

/// Reads propagation headers from a request's fields (values of at most 8 KB).
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from fields: HTTPFields) -> String? {
        guard let name = HTTPField.Name(key), let value = fields[name], value.utf8.count <= 8192 else { return nil }
        return value
    }
}
