import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import OneSimModelsCore

extension CallExecutor {
    /// Streams a provider request: opens it with the bare adapter's retry loop (only before
    /// anything was received), then decodes SSE events into deltas as chunks arrive.
    ///
    /// The stream ends with an error when the provider sends an error event, when the
    /// connection closes before the end marker (never a silently short answer), when no chunk
    /// arrives within the read (idle) timeout, or when the total deadline (`client_args.timeout`,
    /// or the call's `timeout`) passes before the end marker: the total bounds the stream as a
    /// whole, from the request to the last chunk. Those errors keep the text received so far in
    /// `partialText`. Cancelling the consuming task (or dropping the stream), at any moment,
    /// cancels the request and closes the connection; the stream then ends with `.cancelled`.
    /// The stream is backpressured: when the consumer is `ModelStream.bufferedDeltas` behind,
    /// the next chunk is read only once it has caught up (the idle timeout is paused meanwhile;
    /// the total deadline is not).
    /// Usage is recorded once, when the stream ends, and the budget is charged before the
    /// consumer sees that end; a stream that ends early charges the budget an estimate of what
    /// was sent and received.
    ///
    /// `framing` says how the body is cut into events: Server-Sent Events (OpenAI, Anthropic,
    /// Gemini) or newline-delimited JSON (Ollama), where each line reaches the decoder as an
    /// event whose `data` is the line.
    package func stream<Decoder: StreamEventDecoder>(
        _ spec: HTTPRequestSpec, options: CallOptions, prompt: Prompt? = nil, decoder: Decoder,
        framing: StreamFraming = .serverSentEvents, mapError: @escaping @Sendable (HTTPResult) -> ModelError
    ) -> ModelStream {
        let spec = Self.applying(options, to: spec)
        return ModelStream.producing { sink, producer in
            let start = ContinuousClock.now
            var accumulated = ""
            var usage: Usage?
            var hold: BudgetReservation?
            var watchdog: BodyWatchdog?
            var opened = false, completed = false
            var trace = StreamTrace()
            // Called once on each way out (success and failure both end below), before the
            // consumer sees the end: when a caller's `collect()` returns, the budget counts it.
            func settleBudget() {
                guard let budget else { return }
                let charged = usage ?? (completed || !opened ? .zero : Self.estimatedUsage(sent: spec, received: accumulated))
                budget.consume(charged, model: identity.modelName, config: identity.configName)
                hold.map { budget.release($0) }
            }
            defer { watchdog?.stop() }
            do throws(ModelError) {
                hold = try reserveBudget(spec, options: options)
                let (_, body, openedAt) = try await openWithRetries(spec, options: options, prompt: prompt, mapError: mapError, trace: &trace)
                opened = true
                let bodyWatchdog = transport.streamWatchdog(for: spec, start: openedAt)
                watchdog = bodyWatchdog
                bodyWatchdog.arm { producer.cancel() }
                var sse = StreamFramer(framing)
                var events = decoder
                var first = true
                do {
                    for try await chunk in body {
                        bodyWatchdog.touch()
                        var consumerBehind = false
                        for event in sse.feed(chunk.readableBytesView) {
                            for var delta in try events.decode(event) {
                                if first {
                                    delta.modelInfo = identity.modelInfo
                                    first = false
                                    trace.span?.firstChunk()
                                }
                                trace.saw(delta)
                                accumulated += delta.text
                                if let u = delta.usage { usage = u }
                                if !sink.yield(delta) { consumerBehind = true }
                            }
                            if events.isFinished { break }
                        }
                        if events.isFinished { break }
                        if consumerBehind {
                            // Backpressure: read the next chunk only when the consumer has taken
                            // enough; the wait is the consumer's, not the server's silence.
                            bodyWatchdog.pause()
                            await sink.waitForDemand()
                            bodyWatchdog.resume()
                        }
                    }
                    if !events.isFinished {
                        for event in sse.finish() {
                            for delta in try events.decode(event) {
                                trace.saw(delta)
                                accumulated += delta.text
                                if let u = delta.usage { usage = u }
                                sink.yield(delta)
                            }
                        }
                    }
                } catch let error as ModelError {
                    throw error
                } catch {
                    throw HTTPTransport.map(error, url: spec.url)
                }
                bodyWatchdog.stop()
                guard events.isFinished else {
                    throw ModelError(
                        .connectionFailed, "the stream from \(spec.url) closed before it was complete",
                        configName: identity.configName)
                }
                recorder.record(
                    CallRecord(
                        modelName: identity.modelName, configName: identity.configName, provider: identity.provider,
                        kind: identity.kind, usage: usage ?? .zero, latency: ContinuousClock.now - start))
                completed = true
                trace.span?.streamSucceeded(usage: usage, finishReason: trace.finishReason, text: accumulated)
                settleBudget()
                sink.finish()
            } catch {
                var error = error
                if let timeout = watchdog?.fired {
                    error = timeout.error(url: spec.url)
                } else if Task.isCancelled {
                    error = ModelError(.cancelled, "the stream was cancelled")
                }
                error.configName = error.configName ?? identity.configName
                error = redact(error)
                if !accumulated.isEmpty { error.partialText = accumulated }
                trace.span?.failed(error)
                recorder.record(
                    CallRecord(
                        modelName: identity.modelName, configName: identity.configName, provider: identity.provider,
                        kind: identity.kind, usage: .zero, latency: ContinuousClock.now - start, error: error.kind))
                settleBudget()
                sink.finish(throwing: error)
            }
        }
    }

    /// What a stream that ended without the provider's usage is charged: the prompt estimated
    /// from the request body (as the reservation does) plus the text received.
    static func estimatedUsage(sent spec: HTTPRequestSpec, received text: String) -> Usage {
        Usage(promptTokens: spec.body.count / 4, completionTokens: TokenEstimate.tokens(in: text))
    }

    /// Opens `spec`, retrying retryable failures per the policy; returns the streaming body and
    /// when the attempt that opened it started (its total deadline counts from there).
    private func openWithRetries(
        _ spec: HTTPRequestSpec, options: CallOptions, prompt: Prompt?, mapError: @Sendable (HTTPResult) -> ModelError,
        trace: inout StreamTrace
    ) async throws(ModelError) -> (HTTPHeaders, HTTPClientResponse.Body, NIODeadline) {
        var policy = retryPolicy
        if let maxRetries = options.maxRetries { policy.maxRetries = maxRetries }
        var retry = 0
        var attempt = spec
        while true {
            let error: ModelError
            let attemptStart = NIODeadline.now()
            trace.span = CallSpan.start(traceDefaults, options: options, prompt: prompt, stream: true, headers: &attempt.headers)
            do throws(ModelError) {
                switch try await transport.open(attempt) {
                case .streaming(_, let headers, let body): return (headers, body, attemptStart)
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
            trace.span?.failed(redact(recorded))
            trace.span = nil
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
