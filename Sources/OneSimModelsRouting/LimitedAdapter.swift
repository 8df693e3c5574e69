import OneSimModelsCore

/// A deployment used directly (`getModel(configName:)`), held to the limits of its config:
/// every call takes a slot (and its rpm/tpm charge) from the deployment's shared limiter, the
/// same one every balancer over the deployment uses, so the server sees the configured limits
/// however the deployment is reached.
///
/// Calls over the limits wait in FIFO order for at most `queue_timeout` (60 s), then fail with
/// `.queueTimeout`. The wrapped adapter keeps its own retries (they run inside the slot). A
/// stream holds its slot from the moment it is opened until it ends (completed, failed,
/// cancelled or dropped).
package struct LimitedAdapter: ModelAdapter, CustomStringConvertible, CustomReflectable {
    /// The wrapped provider adapter, which makes the calls (with its own retries).
    package let inner: any ModelAdapter
    /// A one-member balancer over `inner` that is only a gate: it never cools the member,
    /// never retries and never sends; it queues calls and hands out slots.
    package let gate: LoadBalancer

    package var configName: String { inner.configName }
    package var modelName: String { inner.modelName }
    package var modelType: String { inner.modelType }
    package var kind: ModelKind { inner.kind }

    /// `inner` behind `limiter`, whose times are `clock`'s; a call waits at most `queueTimeout`
    /// (`nil`: `BalancerSettings`' default).
    package init(
        inner: any ModelAdapter, deployment: DeploymentSettings, limiter: DeploymentLimiter, clock: BalancerClock,
        queueTimeout: Duration? = nil
    ) {
        self.inner = inner
        var settings = BalancerSettings(strategy: .roundRobin, cooldownTime: .zero, retryPolicy: .none, panicThreshold: 0)
        if let queueTimeout { settings.queueTimeout = queueTimeout }
        gate = LoadBalancer(
            configName: inner.configName, kind: inner.kind,
            members: [BalancerMember(adapter: inner, deployment: deployment)],
            settings: settings, fallbacks: [],
            modelName: inner.modelName, balancerClock: clock, metricsFactory: nil, randomSeed: nil, budget: nil,
            limiters: [limiter])
    }

    package func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        return try await gate.gated(tokens: chatTokens(prompt, options)) { try await inner.acall(prompt, options: options) }
    }

    package func acall(texts: [String], options: CallOptions) async throws -> ModelResponse {
        try await gate.gated(tokens: Double(TokenEstimate.tokens(in: texts))) { try await inner.acall(texts: texts, options: options) }
    }

    /// Waits for a slot, opens the stream and holds the slot until the stream ends.
    package func stream(_ prompt: Prompt, options: CallOptions) async throws -> ModelStream {
        let grant = try await gate.acquire(tokens: chatTokens(prompt, options))
        let stream: ModelStream
        do { stream = try await inner.stream(prompt, options: options) } catch {
            gate.release(grant, after: error)
            throw error
        }
        let gate = gate
        let configName = configName
        return ModelStream.producing { sink, _ in
            var usage: Usage?
            do {
                for try await delta in stream {
                    if let u = delta.usage { usage = u }
                    await sink.send(delta)
                }
                // A member stream also ends with `nil` when this task is cancelled: no success.
                try Task.checkCancellation()
                gate.finish(grant, .success(latency: gate.clock.now() - grant.startedAt, usage: usage ?? .zero))
                sink.finish()
            } catch {
                if Task.isCancelled {
                    gate.finish(grant, .cancelled)
                    sink.finish(throwing: ModelError(.cancelled, "the stream from '\(configName)' was cancelled", configName: configName))
                } else {
                    gate.release(grant, after: error)
                    sink.finish(throwing: error)
                }
            }
        }
    }

    /// What a chat call is charged against `tpm`: its estimated prompt plus its `max_tokens`
    /// (added as `Double`s: `maxTokens` may be any `Int`).
    private func chatTokens(_ prompt: Prompt, _ options: CallOptions) -> Double {
        Double(TokenEstimate.tokens(in: prompt)) + Double(max(options.maxTokens ?? gate.settings.defaultMaxTokensEstimate, 0))
    }

    /// Names the deployment only (the wrapped adapter holds its key).
    package var description: String { "LimitedAdapter(\(configName))" }

    package var customMirror: Mirror { Mirror(self, children: ["configName": configName, "modelName": modelName]) }
}

extension LoadBalancer {
    /// Runs `body` holding a slot of this (one-member) gate: waits for it in FIFO order within
    /// `queueTimeout`, and frees it when `body` ends. Errors of `body` change no health.
    package func gated(tokens: Double, _ body: () async throws -> ModelResponse) async throws -> ModelResponse {
        let grant = try await acquire(tokens: tokens)
        do {
            let result = try await body()
            finish(grant, .success(latency: clock.now() - grant.startedAt, usage: result.usage))
            return result
        } catch {
            release(grant, after: error)
            throw error
        }
    }

    /// Waits for a slot of this (one-member) gate in FIFO order within `queueTimeout`.
    package func acquire(tokens: Double) async throws -> Grant {
        var plan = CallPlan(maxRetries: 0, policy: settings.retryPolicy, queueTimeout: settings.queueTimeout)
        switch await admit(excluding: [], tokens: tokens, plan: &plan) {
        case .granted(let grant):
            return grant
        case .timedOut:
            plan.queueTimedOut(balancer: configName)
            throw plan.finalError(balancer: configName, memberCount: 1)
        case .cancelled:
            throw ModelError(.cancelled, "the call to '\(configName)' was cancelled", configName: configName)
        case .exhausted:
            throw ModelError(.serverError, "'\(configName)' could not take the call", configName: configName)
        }
    }

    /// Frees a gate's slot after `error`, changing no health.
    package func release(_ grant: Grant, after error: any Error) {
        finish(grant, .failure(ModelError.from(error, member: configName), .failover(countsAsFailure: false)))
    }
}
