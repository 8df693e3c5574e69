import AsyncHTTPClient
import NIOCore
import NIOHTTP1

extension CallExecutor {
    /// Streams a provider request: opens it with the bare adapter's retry loop (only before
    /// anything was received), then decodes SSE events into deltas as chunks arrive.
    ///
    /// The stream ends with an error when the provider sends an error event, when the
    /// connection closes before the end marker (never a silently short answer), or when no
    /// chunk arrives within the idle timeout; the error keeps the text received so far in
    /// `partialText`. Cancelling the consuming task cancels the request and closes the
    /// connection. Usage is recorded once, when the stream ends.
    ///
    /// `framing` says how the body is cut into events: Server-Sent Events (OpenAI, Anthropic,
    /// Gemini) or newline-delimited JSON (Ollama), where each line reaches the decoder as an
    /// event whose `data` is the line.
    public func stream<Decoder: StreamEventDecoder>(
        _ spec: HTTPRequestSpec, options: CallOptions, decoder: Decoder, framing: StreamFraming = .serverSentEvents,
        mapError: @escaping @Sendable (HTTPResult) -> ModelError
    ) -> ModelStream {
        var spec = spec
        if let timeout = options.timeout { spec.timeouts.read = timeout }
        let (stream, continuation) = ModelStream.makeStream()
        let task = Task {
            let start = ContinuousClock.now
            var accumulated = ""
            var usage = Usage.zero
            var hold: BudgetReservation?
            defer {
                if let budget {
                    budget.consume(usage, model: identity.modelName, config: identity.configName)
                    hold.map { budget.release($0) }
                }
            }
            do throws(ModelError) {
                hold = try reserveBudget(spec, options: options)
                let (_, body) = try await openWithRetries(spec, options: options, mapError: mapError)
                var sse = StreamFramer(framing)
                var events = decoder
                var first = true
                do {
                    for try await chunk in body {
                        for event in sse.feed(chunk.readableBytesView) {
                            for var delta in try events.decode(event) {
                                if first {
                                    delta.modelInfo = identity.modelInfo
                                    first = false
                                }
                                accumulated += delta.text
                                if let u = delta.usage { usage = u }
                                continuation.yield(delta)
                            }
                            if events.isFinished { break }
                        }
                        if events.isFinished { break }
                    }
                    if !events.isFinished {
                        for event in sse.finish() {
                            for delta in try events.decode(event) {
                                accumulated += delta.text
                                if let u = delta.usage { usage = u }
                                continuation.yield(delta)
                            }
                        }
                    }
                } catch let error as ModelError {
                    throw error
                } catch {
                    throw HTTPTransport.map(error, url: spec.url)
                }
                guard events.isFinished else {
                    throw ModelError(
                        .connectionFailed, "the stream from \(spec.url) closed before it was complete",
                        configName: identity.configName)
                }
                recorder.record(
                    CallRecord(
                        modelName: identity.modelName, configName: identity.configName, provider: identity.provider,
                        kind: identity.kind, usage: usage, latency: ContinuousClock.now - start))
                continuation.finish()
            } catch {
                var error = error
                if Task.isCancelled { error = ModelError(.cancelled, "the stream was cancelled") }
                error.configName = error.configName ?? identity.configName
                error = redact(error)
                if !accumulated.isEmpty { error.partialText = accumulated }
                recorder.record(
                    CallRecord(
                        modelName: identity.modelName, configName: identity.configName, provider: identity.provider,
                        kind: identity.kind, usage: .zero, latency: ContinuousClock.now - start, error: error.kind))
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Opens `spec`, retrying retryable failures per the policy; returns the streaming body.
    private func openWithRetries(
        _ spec: HTTPRequestSpec, options: CallOptions, mapError: @Sendable (HTTPResult) -> ModelError
    ) async throws(ModelError) -> (HTTPHeaders, HTTPClientResponse.Body) {
        var policy = retryPolicy
        if let maxRetries = options.maxRetries { policy.maxRetries = maxRetries }
        var retry = 0
        while true {
            let error: ModelError
            do throws(ModelError) {
                switch try await transport.open(spec) {
                case .streaming(_, let headers, let body): return (headers, body)
                case .failed(let result): error = mapError(result)
                }
            } catch let caught {
                error = caught
            }
            guard error.kind != .cancelled, !Task.isCancelled,
                let delay = policy.delay(after: error, retry: retry, jitter: RetryPolicy.randomJitter())
            else { throw error }
            var recorded = error
            recorded.configName = identity.configName
            recorder.record(
                CallRecord(
                    modelName: identity.modelName, configName: identity.configName, provider: identity.provider,
                    kind: identity.kind, usage: .zero, latency: .zero, error: error.kind))
            retry += 1
            do { try await Task.sleep(for: delay) } catch {
                throw ModelError(.cancelled, "cancelled while waiting to retry", configName: identity.configName)
            }
        }
    }
}
