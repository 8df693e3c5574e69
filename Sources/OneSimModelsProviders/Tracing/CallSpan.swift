import Instrumentation
import NIOCore
import NIOHTTP1
import OneSimModelsCore
import Tracing

/// The CLIENT span of one HTTP attempt of a provider call, in the OpenTelemetry GenAI shape
/// (`GenAINames`), and the trace context the attempt carries upstream.
///
/// `start` returns `nil` at the cost of one lock read when the application bootstrapped no
/// instrument, and builds no attribute when the span is not recording. Nothing here can fail a
/// call: attributes come from values the call already has, and outside values are bounded.
package struct CallSpan: Sendable {
    let span: any Span
    let start: ContinuousClock.Instant
    let recording: Bool

    /// Starts the span of an attempt (a child of the task's current context) and writes the
    /// context the bootstrapped instrument propagates (`traceparent` with swift-otel) into
    /// `headers`. With an instrument but no tracer, only the propagation happens.
    @inline(__always)
    package static func start(
        _ defaults: CallTraceDefaults, options: CallOptions, prompt: Prompt?, stream: Bool, headers: inout HTTPHeaders
    ) -> CallSpan? {
        let instrument = InstrumentationSystem.instrument
        if instrument is NoOpInstrument { return nil }
        return begin(defaults, options: options, prompt: prompt, stream: stream, headers: &headers, instrument: instrument)
    }

    @inline(never)
    private static func begin(
        _ defaults: CallTraceDefaults, options: CallOptions, prompt: Prompt?, stream: Bool, headers: inout HTTPHeaders,
        instrument: any Instrument
    ) -> CallSpan? {
        let tracer = InstrumentationSystem.tracer
        if tracer is NoOpTracer {
            if let context = ServiceContext.current { instrument.inject(context, into: &headers, using: HeaderInjector()) }
            return nil
        }
        let span = tracer.startSpan(defaults.spanName, context: ServiceContext.current ?? .topLevel, ofKind: .client)
        instrument.inject(span.context, into: &headers, using: HeaderInjector())
        let recording = span.isRecording
        if recording {
            span.updateAttributes { a in
                a[GenAINames.operationName] = defaults.operation
                a[GenAINames.providerName] = defaults.provider
                a[GenAINames.requestModel] = defaults.model
                a[GenAINames.requestStream] = stream
                if let v = options.maxTokens ?? defaults.maxTokens { a[GenAINames.requestMaxTokens] = v }
                if let v = options.temperature.flatMap(\.finite) ?? defaults.temperature { a[GenAINames.requestTemperature] = v }
                if let v = options.topP.flatMap(\.finite) ?? defaults.topP { a[GenAINames.requestTopP] = v }
                if case .int(let seed)? = options.extraBody["seed"] {
                    a[GenAINames.requestSeed] = seed
                } else if let seed = defaults.seed {
                    a[GenAINames.requestSeed] = seed
                }
                if let host = defaults.serverAddress { a[GenAINames.serverAddress] = host }
                if let port = defaults.serverPort { a[GenAINames.serverPort] = port }
                if OneSimTracing.recordsContents, let prompt {
                    a[GenAINames.inputMessages] = TraceContents.input(prompt)
                }
            }
        }
        return CallSpan(span: span, start: .now, recording: recording)
    }

    /// The first chunk of a stream arrived: `gen_ai.response.time_to_first_chunk` (seconds
    /// since the attempt started) and an event of that name.
    package func firstChunk() {
        guard recording else { return }
        let seconds = (ContinuousClock.now - start).seconds
        span.attributes[GenAINames.responseTimeToFirstChunk] = seconds
        span.addEvent(SpanEvent(name: "gen_ai.first_chunk", attributes: [GenAINames.responseTimeToFirstChunk: .double(seconds)]))
    }

    /// The attempt answered: response attributes and usage, then the span ends.
    /// `body` is the reply's bytes (read for `id` and `model` only, without building values).
    package func succeeded(_ response: ModelResponse, body: ByteBuffer?) {
        if recording {
            let identity = body.map(ResponseIdentity.read) ?? ResponseIdentity()
            span.updateAttributes { a in
                a[GenAINames.responseModel] = identity.model ?? response.modelInfo.modelName
                if let id = identity.id { a[GenAINames.responseID] = id }
                if let reason = response.finishReason { a[GenAINames.responseFinishReasons] = [reason] }
                Self.usage(response.usage, into: &a)
                if OneSimTracing.recordsContents, let text = response.text {
                    a[GenAINames.outputMessages] = TraceContents.output(text, finishReason: response.finishReason)
                }
            }
        }
        span.end()
    }

    /// A stream ended at its end marker: what the stream reported, then the span ends. (The
    /// deltas do not carry the reply's id or model name, so a stream's span has neither.)
    package func streamSucceeded(usage: Usage?, finishReason: String?, text: String) {
        if recording {
            span.updateAttributes { a in
                if let finishReason { a[GenAINames.responseFinishReasons] = [finishReason] }
                if let usage { Self.usage(usage, into: &a) }
                if OneSimTracing.recordsContents {
                    a[GenAINames.outputMessages] = TraceContents.output(text, finishReason: finishReason)
                }
            }
        }
        span.end()
    }

    /// The attempt failed: `error.type` (the `ModelError.Kind` name), the error recorded (its
    /// message is already scrubbed of secrets) and status error, then the span ends.
    package func failed(_ error: ModelError) {
        if recording {
            span.attributes[GenAINames.errorType] = error.kind.rawValue
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error, message: error.kind.rawValue))
        }
        span.end()
    }

    private static func usage(_ usage: Usage, into a: inout SpanAttributes) {
        guard !usage.isEmpty else { return }
        a[GenAINames.usageInputTokens] = usage.promptTokens
        a[GenAINames.usageOutputTokens] = usage.completionTokens
        if usage.reasoningTokens > 0 { a[GenAINames.usageReasoningOutputTokens] = usage.reasoningTokens }
        if usage.cachedPromptTokens > 0 { a[GenAINames.usageCacheReadInputTokens] = usage.cachedPromptTokens }
    }
}

/// Writes propagation headers into a request's headers. A header the call may not set
/// (credentials, framing, bytes HTTP does not allow) is never written, whatever the
/// propagator asks.
struct HeaderInjector: Injector {
    func inject(_ value: String, forKey key: String, into headers: inout HTTPHeaders) {
        guard CallHeaders.allowed(name: key, value: value) else { return }
        headers.replaceOrAdd(name: key, value: value)
    }
}

extension Double {
    /// The value when it is finite.
    fileprivate var finite: Double? { isFinite ? self : nil }
}
