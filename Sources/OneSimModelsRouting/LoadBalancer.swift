import CoreMetrics
import OneSimModelsCore
import Synchronization

/// A model that spreads calls over several member models: itself a `ModelAdapter` (format,
/// async, sync and embeddings), so it goes anywhere a model goes, members included.
///
/// Each call is routed to a healthy member under its limits by the strategy, and the member's
/// own provider encodes the request. The balancer is the one retry owner: members are called
/// with `maxRetries: 0`.
///
/// - A retryable failure (connection, timeout, 408, 409, 429, 5xx, `x-should-retry: true`)
///   moves the call at once to a healthy member it has not tried. With none left, it waits
///   (the server's `Retry-After`, else 0.5 s × 2ⁿ up to 8 s with jitter) and starts another
///   round, up to `maxRetries` rounds; then the `fallbacks` are tried in order; then it throws
///   `.allAttemptsFailed` listing every attempt.
/// - 400, 422, context-length, content-filter and budget errors are returned at once.
/// - 401, 403, 404 cool that member down and move on.
/// - Members cool down on those errors, on a 429 (for its `Retry-After`), and after more than
///   `allowedFails` transient failures within a minute; a one-member balancer is never cooled by
///   transient errors. When every member is cooling down, a call waits for the first to recover.
/// - `max_concurrency`, `rpm` and `tpm` per deployment, shared with every other balancer the
///   manager built over it: calls over the limits wait in FIFO order (a call at the head keeps
///   its place even when smaller ones behind it would fit; calls in a retry round go first),
///   without polling, for at most `queueTimeout` in total, then fail with `.queueTimeout`.
/// - When fewer than `panicThreshold` of the members are healthy, members cooling down after
///   transient failures still take the calls the healthy ones cannot (panic mode, in `stats()`).
/// - A `budget` holds a call's worst case from the moment a member is granted until the
///   attempt ends; calls waiting in the queue hold nothing.
///
/// State is behind one `Mutex` held only for the decisions (no lock is held across an await);
/// cancelling the calling task releases its slot or its place in the queue.
public final class LoadBalancer: ModelAdapter, CapacityListener {
    /// The name it is looked up by (`getModel("agents")`), reported as `modelInfo.balancer` of
    /// every response it returns.
    public let configName: String
    /// Chat or embedding; every member is of this kind.
    public let kind: ModelKind
    /// The model name it balances (`"gpt-4"` for `gpt-4_load_balancer`), else its config name.
    public let modelName: String
    /// `"load_balancer"`.
    public var modelType: String { "load_balancer" }
    /// The members, in config order.
    public let members: [BalancerMember]
    /// The settings it was built with; they do not change for its life.
    public let settings: BalancerSettings
    /// Models tried in order after every retry round failed.
    public let fallbacks: [any ModelAdapter]
    /// The strategy's config name (`round_robin`, `least_busy`, ..., or a custom strategy's `name`).
    public let strategyName: String
    /// The spending limit of calls through this balancer (config keys `max_cost_usd`, `max_tokens`).
    public let spendingLimit: (any SpendingLimit)?

    /// How members are picked (strategy, fleet or affinity dispatch).
    let dispatchMode: DispatchMode
    /// The injected clock.
    let clock: BalancerClock
    /// Decisions and suspended callers.
    let state: Mutex<ShellState>
    /// swift-metrics instruments, by member index.
    let metrics: [MemberMetrics]
    /// The members' deployment limiters, by member index (shared with other balancers).
    let limiters: [DeploymentLimiter]

    /// A balancer over `members` (tried in config order by `round_robin`).
    ///
    /// - Parameters:
    ///   - configName: the balancer's name (`chat_load_balancer`, `gpt-4_load_balancer`, ...).
    ///   - kind: chat or embedding; calls of the other kind throw `.unsupported`.
    ///   - members: the member models with their weights and limits.
    ///   - settings: strategy, retries, cooldowns, queue timeout.
    ///   - fallbacks: models (balancers or configs) tried in order after the members failed.
    ///   - modelName: the model name it balances, if it is a by-name balancer.
    ///   - clock: the clock for cooldowns, budgets, backoff and latency (a manual clock in tests).
    ///   - metricsFactory: where swift-metrics instruments come from (default: the global one).
    ///   - budget: the spending limit every call through the balancer reserves against before a
    ///     member is called (a `UsageBudget`, or your own `SpendingLimit`); `nil` for none.
    public convenience init(
        configName: String, kind: ModelKind, members: [BalancerMember], settings: BalancerSettings = .init(),
        fallbacks: [any ModelAdapter] = [], modelName: String? = nil,
        clock: some Clock<Duration> = ContinuousClock(), metricsFactory: (any MetricsFactory)? = nil,
        budget: (any SpendingLimit)? = nil
    ) {
        self.init(
            configName: configName, kind: kind, members: members, settings: settings, fallbacks: fallbacks,
            modelName: modelName, clock: clock, metricsFactory: metricsFactory, randomSeed: nil, budget: budget)
    }

    /// `randomSeed` makes random strategies reproducible in tests.
    package convenience init(
        configName: String, kind: ModelKind, members: [BalancerMember], settings: BalancerSettings,
        fallbacks: [any ModelAdapter], modelName: String?, clock: some Clock<Duration>,
        metricsFactory: (any MetricsFactory)?, randomSeed: UInt64?, budget: (any SpendingLimit)? = nil
    ) {
        self.init(
            configName: configName, kind: kind, members: members, settings: settings, fallbacks: fallbacks,
            modelName: modelName, balancerClock: BalancerClock(clock), metricsFactory: metricsFactory,
            randomSeed: randomSeed, budget: budget, limiters: nil)
    }

    /// The designated initializer. `limiters` are the members' shared deployment limiters (one
    /// per member, in order; the manager's), whose times are those of `balancerClock`; `nil`
    /// gives the balancer limiters of its own.
    package init(
        configName: String, kind: ModelKind, members: [BalancerMember], settings: BalancerSettings,
        fallbacks: [any ModelAdapter], modelName: String?, balancerClock clock: BalancerClock,
        metricsFactory: (any MetricsFactory)?, randomSeed: UInt64?, budget: (any SpendingLimit)?, limiters: [DeploymentLimiter]?
    ) {
        self.spendingLimit = budget
        self.configName = configName
        self.kind = kind
        self.modelName = modelName ?? configName
        self.members = members
        self.settings = settings
        self.fallbacks = fallbacks
        self.clock = clock
        dispatchMode = DispatchMode(settings.strategy)
        let core = BalancerCore(
            names: members.map(\.configName), deployments: members.map(\.deployment), settings: settings,
            now: clock.now(), seed: randomSeed, limiters: limiters)
        strategyName = core.strategyName
        self.limiters = core.members.map(\.limiter)
        state = Mutex(ShellState(core: core))
        let factory = metricsFactory ?? MetricsSystem.factory
        metrics = members.map { MemberMetrics(balancer: configName, member: $0.configName, factory: factory) }
        for limiter in self.limiters { limiter.addListener(self) }
    }

    deinit {
        state.withLock { $0.core.withdrawClaims() }
    }

    /// The members' config names, in order.
    public var memberNames: [String] { members.map(\.configName) }

    // MARK: - Calls

    /// Sends a chat prompt to a member chosen by the strategy, with failover and retries.
    ///
    /// The response's `modelInfo` names this balancer (`balancer`, `configName`) and the member
    /// that served it (`member`; a nested balancer's innermost member is kept). A call's
    /// `maxRetries` overrides the balancer's retry rounds.
    public func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        guard kind == .chat else {
            throw ModelError(.unsupported, "'\(configName)' is an embedding load balancer and does not answer chat prompts", configName: configName)
        }
        let promptTokens = TokenEstimate.tokens(in: prompt)
        let maxTokens = max(options.maxTokens ?? settings.defaultMaxTokensEstimate, 0)
        return try await route(
            tokens: Double(promptTokens) + Double(maxTokens), options: options, fingerprint: fingerprint(prompt, options),
            reserve: BudgetAsk(promptTokens: promptTokens, maxTokens: maxTokens),
            send: { adapter, options in try await adapter.acall(prompt, options: options) }, settle: settleResponse)
    }

    /// Embeds texts on a member chosen by the strategy, with the same failover and retries.
    public func acall(texts: [String], options: CallOptions) async throws -> ModelResponse {
        guard kind == .embedding else {
            throw ModelError(.unsupported, "'\(configName)' is a chat load balancer and does not embed texts", configName: configName)
        }
        let promptTokens = TokenEstimate.tokens(in: texts)
        let fingerprint = dispatchMode.matchesPrompts
            ? PromptFingerprint(blocks: [], key: options.affinityKey.map(PromptFingerprint.hash(key:))) : .none
        return try await route(
            tokens: Double(promptTokens), options: options, fingerprint: fingerprint,
            reserve: BudgetAsk(promptTokens: promptTokens, maxTokens: 0),
            send: { adapter, options in try await adapter.acall(texts: texts, options: options) }, settle: settleResponse)
    }

    /// What the fleet and affinity dispatch need of a chat call (nothing for the strategies).
    @inline(never)
    func fingerprint(_ prompt: Prompt, _ options: CallOptions) -> PromptFingerprint {
        dispatchMode.matchesPrompts ? PromptFingerprint(prompt: prompt, affinityKey: options.affinityKey) : .none
    }

    /// Ends a successful attempt that returned a whole response.
    private func settleResponse(
        _ response: inout ModelResponse, _ grant: Grant?, _ member: String, _ hold: inout BudgetReservation?, _ trace: inout BalancerTrace?
    ) {
        if let grant { finish(grant, .success(latency: clock.now() - grant.startedAt, usage: response.usage)) }
        spendingLimit?.consume(response.usage, model: response.modelInfo.modelName, config: member)
        decorate(&response, servedBy: member)
    }

    /// Holds the worst case of a call against the budget before it is sent; throws
    /// `.budgetExceeded` when it would not fit. Priced by `model` (default: the first member's).
    func reserveBudget(promptTokens: Int, maxTokens: Int, model: String? = nil) throws(ModelError) -> BudgetReservation? {
        guard let budget = spendingLimit else { return nil }
        return try budget.reserve(
            model: model ?? members.first?.adapter.modelName ?? modelName, config: configName,
            estimatedPromptTokens: promptTokens, maxTokens: maxTokens)
    }

    /// What a call asks of the budget: held per attempt, from the moment a member is granted
    /// (or a fallback is called) until the attempt ended, so calls waiting in the queue hold
    /// nothing.
    struct BudgetAsk: Sendable {
        let promptTokens: Int
        let maxTokens: Int
    }

    /// Holds `ask` against the budget for an attempt on `model`; a refusal frees `grant` (the
    /// request is not sent) and is thrown.
    @inline(never)
    private func holdBudget(_ ask: BudgetAsk?, model: String, grant: Grant?) throws(ModelError) -> BudgetReservation? {
        guard let ask, spendingLimit != nil else { return nil }
        do {
            return try reserveBudget(promptTokens: ask.promptTokens, maxTokens: ask.maxTokens, model: model)
        } catch {
            if let grant { finish(grant, .notSent) }
            throw error
        }
    }

    /// Member `member`'s server reported `load` (its `/metrics`): the deployment's learned
    /// limit follows it. A `ModelManager` calls this from its scrapers; tests call it directly.
    package func reportServerLoad(_ load: ServerLoad, member: Int) {
        guard limiters.indices.contains(member) else { return }
        limiters[member].observe(load, at: clock.now())
    }

    /// A snapshot of every member's statistics and the queue.
    public func stats() -> BalancerStats {
        state.withLock { s in
            let now = clock.now()
            return BalancerStats(
                balancer: configName, strategy: strategyName, queued: s.core.queuedCount,
                queueTimeouts: s.core.queueTimeouts, members: s.core.memberStats(now: now),
                panicking: s.core.isPanicking(at: now))
        }
    }

    // MARK: - Routing loop

    /// Routes one call: members (rounds of failover, backoff between rounds), then fallbacks.
    /// `send` makes one attempt; `settle` ends a successful one (the grant is `nil` for a
    /// fallback) — at once for whole responses, when the stream ends for streams. The attempt's
    /// budget hold is released when `route` returns unless `settle` takes it (sets it to `nil`),
    /// as a stream does to keep it until the stream ends. Likewise the call's spans end when
    /// `route` returns unless `settle` takes them (a stream ends them when it ends).
    ///
    /// Every call in flight keeps this function's frame alive while it waits on the network,
    /// so the synchronous bookkeeping lives in out-of-line helpers: their locals go on the
    /// thread's stack, not into each waiting task's frame (10,000 calls in flight are 10,000
    /// frames).
    func route<Result: Sendable>(
        tokens: Double, options: CallOptions, fingerprint: PromptFingerprint = .none, reserve: BudgetAsk? = nil,
        send: (any ModelAdapter, CallOptions) async throws -> Result,
        settle: (inout Result, Grant?, String, inout BudgetReservation?, inout BalancerTrace?) -> Void
    ) async throws -> Result {
        var trace = BalancerTrace.start(self)
        do {
            return try await route(
                tokens: tokens, options: options, fingerprint: fingerprint, reserve: reserve, trace: &trace, send: send,
                settle: settle)
        } catch {
            trace?.failed(error)
            throw error
        }
    }

    /// `route` with the call's spans (`nil` without a tracer).
    private func route<Result: Sendable>(
        tokens: Double, options: CallOptions, fingerprint: PromptFingerprint, reserve: BudgetAsk?, trace: inout BalancerTrace?,
        send: (any ModelAdapter, CallOptions) async throws -> Result,
        settle: (inout Result, Grant?, String, inout BudgetReservation?, inout BalancerTrace?) -> Void
    ) async throws -> Result {
        var plan = makePlan(options)
        plan.fingerprint = fingerprint
        if Task.isCancelled { throw cancelled(plan) }
        let memberOptions = Self.memberOptions(options)

        rounds: while !members.isEmpty {
            let waited = plan.waited
            let admission = await admit(excluding: plan.tried, tokens: tokens, plan: &plan)
            trace?.queued(from: waited, to: plan.waited)
            switch admission {
            case .granted(let grant):
                var hold = try holdBudget(reserve, model: members[grant.member].adapter.modelName, grant: grant)
                defer { hold.map { spendingLimit?.release($0) } }
                let (adapter, name) = try startAttempt(grant, plan: plan)
                trace?.startAttempt(member: name, plan: plan, fallback: false)
                do {
                    var result = try await BalancerTrace.running(trace) { try await send(adapter, memberOptions) }
                    settle(&result, grant, name, &hold, &trace)
                    trace?.succeeded(member: name)
                    trace = nil
                    return result
                } catch {
                    trace?.attemptFailed(error)
                    try attemptFailed(error, grant: grant, member: name, plan: &plan)
                }
            case .exhausted:
                guard let delay = Self.endRound(&plan) else { break rounds }
                if delay > .zero { try await backoff(delay, plan: plan) }
            case .timedOut:
                Self.queueTimedOut(&plan, balancer: configName)
                break rounds
            case .cancelled:
                throw cancelled(plan)
            }
        }
        return try await callFallbacks(options: options, plan: &plan, reserve: reserve, trace: &trace, send: send, settle: settle)
    }

    /// After the members: each fallback in order, then the final error.
    @inline(never)
    private func callFallbacks<Result: Sendable>(
        options: CallOptions, plan: inout CallPlan, reserve: BudgetAsk?, trace: inout BalancerTrace?,
        send: (any ModelAdapter, CallOptions) async throws -> Result,
        settle: (inout Result, Grant?, String, inout BudgetReservation?, inout BalancerTrace?) -> Void
    ) async throws -> Result {
        for fallback in fallbacks {
            var hold = try holdBudget(reserve, model: fallback.modelName, grant: nil)
            defer { hold.map { spendingLimit?.release($0) } }
            trace?.startAttempt(member: fallback.configName, plan: plan, fallback: true)
            do {
                var result = try await BalancerTrace.running(trace) { try await send(fallback, options) }
                settle(&result, nil, fallback.configName, &hold, &trace)
                trace?.succeeded(member: fallback.configName)
                trace = nil
                return result
            } catch {
                trace?.attemptFailed(error)
                let modelError = ModelError.from(error, member: fallback.configName)
                if Task.isCancelled || modelError.kind == .cancelled { throw cancelled(plan) }
                if case .fail(let final) = plan.fallbackFailed(name: fallback.configName, error: modelError) { throw final }
            }
        }
        throw plan.finalError(balancer: configName, memberCount: members.count)
    }

    @inline(never)
    private func makePlan(_ options: CallOptions) -> CallPlan {
        CallPlan(maxRetries: options.maxRetries ?? settings.retryPolicy.maxRetries, policy: settings.retryPolicy, queueTimeout: settings.queueTimeout)
    }

    /// Members are called once each: the balancer owns retries.
    @inline(never)
    private static func memberOptions(_ options: CallOptions) -> CallOptions {
        var memberOptions = options
        memberOptions.maxRetries = 0
        return memberOptions
    }

    /// Starts an attempt on the granted member (metrics), unless the call was cancelled.
    @inline(never)
    private func startAttempt(_ grant: Grant, plan: CallPlan) throws(ModelError) -> (any ModelAdapter, String) {
        metrics[grant.member].started()
        if Task.isCancelled {
            finish(grant, .cancelled)
            throw cancelled(plan)
        }
        let member = members[grant.member]
        return (member.adapter, member.configName)
    }

    /// Ends a failed attempt: frees the grant (cooling the member if needed) and either
    /// returns (try another member) or throws the error the call ends with.
    @inline(never)
    private func attemptFailed(_ error: any Error, grant: Grant, member: String, plan: inout CallPlan) throws(ModelError) {
        let modelError = ModelError.from(error, member: member)
        if Task.isCancelled || modelError.kind == .cancelled {
            finish(grant, .cancelled)
            throw cancelled(plan)
        }
        let disposition = FailureDisposition(modelError)
        finish(grant, .failure(modelError, disposition))
        let next = plan.memberFailed(grant.member, name: member, error: modelError, disposition: disposition)
        if case .fail(let final) = next { throw final }
    }

    /// Waits `delay` before the next round.
    @inline(never)
    private func backoff(_ delay: Duration, plan: CallPlan) async throws(ModelError) {
        do { try await clock.sleepUntil(clock.now() + delay) } catch { throw cancelled(plan) }
    }

    @inline(never)
    private static func queueTimedOut(_ plan: inout CallPlan, balancer: String) {
        plan.queueTimedOut(balancer: balancer)
    }

    /// A round is over: the wait before the next one, or nil to stop.
    @inline(never)
    private static func endRound(_ plan: inout CallPlan) -> Duration? {
        switch plan.roundEnded(jitter: RetryPolicy.randomJitter()) {
        case .retry(let delay): delay
        case .giveUp: nil
        }
    }

    /// Marks a response as served through this balancer by `member`.
    func decorate(_ response: inout ModelResponse, servedBy member: String) {
        response.modelInfo.balancer = configName
        response.modelInfo.configName = configName
        if response.modelInfo.member == nil { response.modelInfo.member = member }
    }

    /// The error for a cancelled call, with the attempts made so far.
    @inline(never)
    private func cancelled(_ plan: CallPlan) -> ModelError {
        ModelError(.cancelled, "the call to '\(configName)' was cancelled", configName: configName, attempts: plan.attempts)
    }
}
