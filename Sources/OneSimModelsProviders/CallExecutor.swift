import Foundation
import NIOCore
import OneSimModelsCore

/// The identity of a provider endpoint, for model info, records and error messages.
package struct EndpointIdentity: Sendable, Hashable {
    /// The config name.
    package var configName: String
    /// The provider's model name.
    package var modelName: String
    /// The provider (`openai`, `vllm`, ...).
    package var provider: String
    /// Chat or embedding.
    package var kind: ModelKind

    /// An identity.
    package init(configName: String, modelName: String, provider: String, kind: ModelKind) {
        self.configName = configName
        self.modelName = modelName
        self.provider = provider
        self.kind = kind
    }

    /// Model info for a response from this endpoint.
    package var modelInfo: ModelInfo { ModelInfo(modelName: modelName, configName: configName, provider: provider) }
}

/// Sends a provider request with a bare adapter's retry loop and records every attempt once.
///
/// The balancer calls members with `maxRetries: 0`, so inside a balancer this sends exactly
/// once and the balancer decides what happens next.
package struct CallExecutor: Sendable {
    /// Who is calling.
    package var identity: EndpointIdentity
    /// The shared transport.
    package var transport: HTTPTransport
    /// Where records go.
    package var recorder: any UsageRecorder
    /// The retry policy of a bare call (`client_args.max_retries`).
    package var retryPolicy: RetryPolicy
    /// Secrets to scrub from any error message (the API key).
    package var secrets: [String]
    /// The manager's spending limit: each call reserves its worst case before it is sent.
    package var budget: (any SpendingLimit)?
    /// What each attempt's client span says before the call (see `CallSpan`).
    package var traceDefaults: CallTraceDefaults

    /// An executor.
    package init(
        identity: EndpointIdentity, transport: HTTPTransport, recorder: any UsageRecorder, retryPolicy: RetryPolicy,
        secrets: [String], budget: (any SpendingLimit)? = nil
    ) {
        self.budget = budget
        self.identity = identity
        self.transport = transport
        self.recorder = recorder
        self.retryPolicy = retryPolicy
        self.secrets = secrets.filter { $0.count >= 4 }
        self.traceDefaults = CallTraceDefaults(identity: identity)
    }

    /// Sends `spec`, decodes a 2xx body with `decode` and maps other statuses with `mapError`;
    /// retries retryable failures per the policy (or `options.maxRetries`). Each attempt is a
    /// client span when a tracer is bootstrapped (`prompt` is recorded only when
    /// `OneSimTracing.recordsContents` is on).
    ///
    /// The bookkeeping before and after the send is out of line, so a call waiting on the
    /// network keeps a small frame.
    package func run(
        _ spec: HTTPRequestSpec, options: CallOptions, prompt: Prompt? = nil,
        mapError: @Sendable (HTTPResult) -> ModelError,
        decode: @Sendable (HTTPResult) throws(ModelError) -> ModelResponse
    ) async throws(ModelError) -> ModelResponse {
        var spec = Self.applying(options, to: spec)
        let hold = try reserveBudget(spec, options: options)
        defer { releaseBudget(hold) }
        var retry = 0
        while true {
            let span = CallSpan.start(traceDefaults, options: options, prompt: prompt, stream: false, headers: &spec.headers)
            let start = ContinuousClock.now
            do throws(ModelError) {
                let result = try await transport.send(spec)
                let response = try complete(result, start: start, mapError: mapError, decode: decode)
                span?.succeeded(response, body: result.body)
                return response
            } catch {
                let delay = try failed(error, start: start, options: options, retry: retry, span: span)
                retry += 1
                do { try await Task.sleep(for: delay) } catch { throw ModelError(.cancelled, "cancelled while waiting to retry", configName: identity.configName) }
            }
        }
    }

    /// `spec` with the call's own total timeout, if it has one.
    @inline(never)
    static func applying(_ options: CallOptions, to spec: HTTPRequestSpec) -> HTTPRequestSpec {
        guard options.timeout != nil || !options.headers.isEmpty else { return spec }
        var spec = spec
        if let timeout = options.timeout { spec.timeouts.total = timeout }
        for (name, value) in options.headers where CallHeaders.allowed(name: name, value: value) {
            spec.headers.replaceOrAdd(name: name, value: value)
        }
        return spec
    }

    /// A response arrived: decodes it (or maps its error status), charges the budget and records it.
    @inline(never)
    func complete(
        _ result: HTTPResult, start: ContinuousClock.Instant,
        mapError: @Sendable (HTTPResult) -> ModelError,
        decode: @Sendable (HTTPResult) throws(ModelError) -> ModelResponse
    ) throws(ModelError) -> ModelResponse {
        guard (200..<300).contains(result.status) else { throw mapError(result) }
        var response = try decode(result)
        response.modelInfo = identity.modelInfo
        budget?.consume(response.usage, model: identity.modelName, config: identity.configName)
        recorder.record(
            CallRecord(
                modelName: identity.modelName, configName: identity.configName, provider: identity.provider,
                kind: identity.kind, usage: response.usage, latency: ContinuousClock.now - start))
        return response
    }

    /// An attempt failed: records it, and returns how long to wait before the next one or
    /// throws the error (with secrets scrubbed) when the call ends here.
    @inline(never)
    func failed(
        _ error: ModelError, start: ContinuousClock.Instant, options: CallOptions, retry: Int, span: CallSpan? = nil
    ) throws(ModelError) -> Duration {
        var error = error
        error.configName = error.configName ?? identity.configName
        error = redact(error)
        span?.failed(error)
        recorder.record(
            CallRecord(
                modelName: identity.modelName, configName: identity.configName, provider: identity.provider,
                kind: identity.kind, usage: .zero, latency: ContinuousClock.now - start, error: error.kind))
        var policy = retryPolicy
        if let maxRetries = options.maxRetries { policy.maxRetries = maxRetries }
        guard error.kind != .cancelled, !Task.isCancelled,
            let delay = policy.delay(after: error, retry: retry, jitter: RetryPolicy.randomJitter())
        else { throw error }
        return delay
    }

    @inline(never)
    func releaseBudget(_ hold: BudgetReservation?) {
        if let hold { budget?.release(hold) }
    }

    /// Reserves the worst case of a request against the manager's budget (prompt estimated from
    /// the body size, plus `max_tokens`); throws `.budgetExceeded` before anything is sent.
    func reserveBudget(_ spec: HTTPRequestSpec, options: CallOptions) throws(ModelError) -> BudgetReservation? {
        guard let budget else { return nil }
        return try budget.reserve(
            model: identity.modelName, config: identity.configName, estimatedPromptTokens: spec.body.count / 4,
            maxTokens: identity.kind == .embedding ? 0 : options.maxTokens)
    }
}

/// Which of a call's own headers (`CallOptions.headers`) may go on the wire.
enum CallHeaders {
    /// Headers a call may not replace: the credentials and the body's framing.
    static let reserved: Set<String> = [
        "authorization", "api-key", "x-api-key", "x-goog-api-key", "content-type", "content-length", "host", "transfer-encoding",
    ]

    /// The separators RFC 9110 excludes from a header name.
    static let separators = Set("()<>@,;:\\\"/[]?={} \t".utf8)

    /// Whether `name: value` is a header HTTP allows and the call may set: a token name (visible
    /// ASCII without separators, at most 256 bytes), a value of visible ASCII, spaces and tabs
    /// (at most 8 KB), and not one of `reserved`.
    static func allowed(name: String, value: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 256, value.utf8.count <= 8192 else { return false }
        guard name.utf8.allSatisfy({ (0x21...0x7E).contains($0) && !separators.contains($0) }) else { return false }
        guard value.utf8.allSatisfy({ $0 == 0x09 || (0x20...0x7E).contains($0) }) else { return false }
        return !reserved.contains(name.lowercased())
    }
}
