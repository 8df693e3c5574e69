import OneSimModelsCore

extension LoadBalancer {
    /// Streams a chat reply from a member chosen by the strategy.
    ///
    /// Failover and retries work as for `acall` until the first delta has reached the caller:
    /// a member whose stream fails before its first delta is treated like a failed call. After
    /// that, an error ends the stream and reaches the caller with the text received so far
    /// (`ModelError.partialText`). The member's concurrency slot is held until the stream ends,
    /// and its usage is counted from the stream's final delta.
    ///
    /// Cancelling the consuming task or dropping the stream, before or after the first delta,
    /// ends the attempt as cancelled: it frees the member's slot, is not counted as a success
    /// (nor a failure) and gives the latency strategy no sample; the consumer sees `.cancelled`.
    /// A stream that ends early (cancelled or failed) charges the balancer's budget an estimate
    /// of the prompt and of the text received when the member reported no usage. Like `acall`,
    /// a stream holds its worst case against the budget only from the moment a member is granted
    /// (until the stream ends), never while it waits in the queue; the budget is charged
    /// before the caller sees the stream's end or error.
    public func stream(_ prompt: Prompt, options: CallOptions) async throws -> ModelStream {
        guard kind == .chat else {
            throw ModelError(.unsupported, "'\(configName)' is an embedding load balancer and does not answer chat prompts", configName: configName)
        }
        let promptTokens = TokenEstimate.tokens(in: prompt)
        let maxTokens = max(options.maxTokens ?? settings.defaultMaxTokensEstimate, 0)
        let started = try await route(
            tokens: Double(promptTokens) + Double(maxTokens), options: options, fingerprint: fingerprint(prompt, options),
            reserve: BudgetAsk(promptTokens: promptTokens, maxTokens: maxTokens),
            send: { adapter, options in
                try await StartedStream.open(try await adapter.stream(prompt, options: options))
            },
            settle: { started, grant, member, hold, trace in
                // The stream keeps the budget hold (and its spans) until it ends.
                started = StartedStream(
                    first: nil, rest: StreamIteratorBox(nil),
                    forwarded: self.forward(started, grant: grant, member: member, hold: hold, promptTokens: promptTokens, trace: trace))
                hold = nil
                trace = nil
            }
        )
        guard let forwarded = started.forwarded else {
            throw ModelError(.connectionFailed, "'\(configName)': a started stream was not forwarded", configName: configName)
        }
        return forwarded
    }

    /// Forwards a started member stream to the caller, decorating deltas and ending the grant
    /// when the stream ends.
    private func forward(
        _ started: StartedStream, grant: Grant?, member: String, hold: BudgetReservation?, promptTokens: Int,
        trace: BalancerTrace? = nil
    ) -> ModelStream {
        let startedAt = clock.now()
        return ModelStream.producing { sink, _ in
            var trace = trace
            var usage: Usage?
            var text = ""
            var completed = false
            var model = started.first?.modelInfo?.modelName ?? self.modelName
            // Called once on each way out (success and failure both end below), before the
            // consumer sees the end: when a caller's `collect()` returns, the budget counts it.
            func settleBudget() {
                guard let budget = self.spendingLimit else { return }
                let estimate = Usage(promptTokens: promptTokens, completionTokens: TokenEstimate.tokens(in: text))
                budget.consume(usage ?? (completed ? .zero : estimate), model: model, config: member)
                hold.map { budget.release($0) }
            }
            do {
                if var first = started.first {
                    model = first.modelInfo?.modelName ?? model
                    first.modelInfo = self.decorate(info: first.modelInfo, member: member)
                    if let u = first.usage { usage = u }
                    text += first.text
                    await sink.send(first)
                }
                while let delta = try await started.rest.next() {
                    if let u = delta.usage { usage = u }
                    text += delta.text
                    await sink.send(delta)
                }
                // The member stream also ends with `nil` when this task is cancelled (the consumer
                // cancelled or dropped the stream): that is no success.
                try Task.checkCancellation()
                completed = true
                if let grant { self.finish(grant, .success(latency: self.clock.now() - startedAt, usage: usage ?? .zero)) }
                trace?.succeeded(member: member)
                settleBudget()
                sink.finish()
            } catch {
                var modelError = ModelError.from(error, member: member)
                if Task.isCancelled || modelError.kind == .cancelled {
                    if let grant { self.finish(grant, .cancelled) }
                    modelError = ModelError(.cancelled, "the stream from '\(self.configName)' was cancelled", configName: self.configName)
                } else if let grant {
                    self.finish(grant, .failure(modelError, FailureDisposition(modelError)))
                }
                if modelError.partialText == nil, !text.isEmpty { modelError.partialText = text }
                trace?.failed(modelError)
                settleBudget()
                sink.finish(throwing: modelError)
            }
        }
    }

    /// Model info of a delta served through this balancer by `member`.
    func decorate(info: ModelInfo?, member: String) -> ModelInfo {
        var info = info ?? ModelInfo(modelName: modelName, configName: member, provider: "")
        info.balancer = configName
        info.configName = configName
        if info.member == nil { info.member = member }
        return info
    }
}

/// A member stream whose first delta has arrived (or that ended without one).
struct StartedStream: Sendable {
    /// The first delta, if the stream produced one.
    var first: ModelDelta?
    /// The rest of the stream.
    var rest: StreamIteratorBox
    /// The caller-facing stream, once settled.
    var forwarded: ModelStream?

    /// Waits for the first delta of `stream`: errors before it are thrown (so the balancer can
    /// fail over); after it, they belong to the caller. A stream that yields nothing because
    /// the calling task was cancelled throws `CancellationError`, never counts as a started
    /// (or successful) stream.
    static func open(_ stream: ModelStream) async throws -> StartedStream {
        let box = StreamIteratorBox(stream.makeAsyncIterator())
        let first = try await box.next()
        if first == nil { try Task.checkCancellation() }
        return StartedStream(first: first, rest: box, forwarded: nil)
    }
}
