/// A deployment used directly (`getModel(configName:)`), held to the limits of its config:
/// every call takes a slot (and its rpm/tpm charge) from the deployment's shared limiter, the
/// same one every balancer over the deployment uses, so the server sees the configured limits
/// however the deployment is reached.
///
/// Calls over the limits wait in FIFO order for at most `queue_timeout` (60 s), then fail with
/// `.queueTimeout`. The wrapped adapter keeps its own retries (they run inside the slot).
/// Streams (`stream(_:options:)`) are not limited yet: they go straight to the deployment.
struct LimitedAdapter: ModelAdapter, CustomStringConvertible, CustomReflectable {
    /// The provider adapter.
    let inner: any ModelAdapter
    /// A one-member balancer over `inner` that is only a gate: it never cools the member,
    /// never retries and never sends; it queues calls and hands out slots.
    let gate: LoadBalancer

    var configName: String { inner.configName }
    var modelName: String { inner.modelName }
    var modelType: String { inner.modelType }
    var kind: ModelKind { inner.kind }

    /// `inner` behind `limiter`, whose times are `clock`'s.
    init(inner: any ModelAdapter, deployment: DeploymentSettings, limiter: DeploymentLimiter, clock: BalancerClock) {
        self.inner = inner
        gate = LoadBalancer(
            configName: inner.configName, kind: inner.kind,
            members: [BalancerMember(adapter: inner, deployment: deployment)],
            settings: BalancerSettings(maxRetries: 0, cooldownTime: .zero, panicThreshold: 0), fallbacks: [],
            modelName: inner.modelName, balancerClock: clock, metricsFactory: nil, randomSeed: nil, budget: nil,
            limiters: [limiter])
    }

    func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        let tokens = TokenEstimate.tokens(in: prompt) + max(options.maxTokens ?? gate.settings.defaultMaxTokensEstimate, 0)
        return try await gate.gated(tokens: Double(tokens)) { try await inner.acall(prompt, options: options) }
    }

    func acall(texts: [String], options: CallOptions) async throws -> ModelResponse {
        try await gate.gated(tokens: Double(TokenEstimate.tokens(in: texts))) { try await inner.acall(texts: texts, options: options) }
    }

    /// Not limited (see the type's notes): streams go straight to the deployment.
    func stream(_ prompt: Prompt, options: CallOptions) async throws -> ModelStream {
        try await inner.stream(prompt, options: options)
    }

    /// Names the deployment only (the wrapped adapter holds its key).
    var description: String { "LimitedAdapter(\(configName))" }

    var customMirror: Mirror { Mirror(self, children: ["configName": configName, "modelName": modelName]) }
}

extension LoadBalancer {
    /// Runs `body` holding a slot of this (one-member) gate: waits for it in FIFO order within
    /// `queueTimeout`, and frees it when `body` ends. Errors of `body` change no health.
    func gated(tokens: Double, _ body: () async throws -> ModelResponse) async throws -> ModelResponse {
        var plan = CallPlan(maxRetries: 0, policy: settings.retryPolicy, queueTimeout: settings.queueTimeout)
        let grant: Grant
        switch await admit(excluding: [], tokens: tokens, plan: &plan) {
        case .granted(let g):
            grant = g
        case .timedOut:
            plan.queueTimedOut(balancer: configName)
            throw plan.finalError(balancer: configName, memberCount: 1)
        case .cancelled:
            throw ModelError(.cancelled, "the call to '\(configName)' was cancelled", configName: configName)
        case .exhausted:
            throw ModelError(.serverError, "'\(configName)' could not take the call", configName: configName)
        }
        do {
            let result = try await body()
            finish(grant, .success(latency: clock.now() - grant.startedAt, usage: result.usage))
            return result
        } catch {
            let modelError = ModelError.from(error, member: configName)
            finish(grant, .failure(modelError, .failover(countsAsFailure: false)))
            throw error
        }
    }
}
