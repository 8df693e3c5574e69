import DequeModule

/// The balancer's decisions as a state machine: members' health, limits and statistics, the
/// strategy, and the FIFO queue of requests waiting for capacity.
///
/// Driven by events (`acquire`, `release`, `tick`, `cancel`) with the time passed in, it never
/// sleeps or awaits, so tests step it exactly. The `LoadBalancer` shell keeps it behind a
/// `Mutex`, delivers the `Resolution`s it returns to suspended callers, and runs one timer
/// that calls `tick` at `earliestWake`.
struct BalancerCore: Sendable {
    /// The members, in config order.
    private(set) var members: [MemberRuntime]
    /// The routing strategy (its own state included).
    private var strategy: any RoutingStrategy
    /// Randomness for the strategy.
    private var generator: SplitMix64
    /// Requests waiting for capacity, oldest first.
    private(set) var waiters: Deque<Waiter> = []
    /// The next waiter id.
    private var nextWaiterID: UInt64 = 1
    /// Cached `min(waiters.wake)`; `nil` with `earliestIsStale` means "recompute".
    private var cachedEarliest: Duration?
    private var earliestIsStale = false
    /// Calls that ran out of `queueTimeout`.
    private(set) var queueTimeouts = 0

    /// A balancer over members named `names` with `deployments`, at time `now`.
    init(
        names: [String], deployments: [DeploymentSettings], settings: BalancerSettings, now: Duration,
        seed: UInt64? = nil
    ) {
        precondition(names.count == deployments.count)
        let hasAlternatives = names.count > 1
        members = zip(names, deployments).map { name, deployment in
            let policy = HealthPolicy(
                cooldownTime: deployment.cooldownTime ?? settings.cooldownTime, allowedFails: max(settings.allowedFails, 0),
                window: settings.failureWindow, maxRetryAfter: settings.retryPolicy.maxRetryAfter,
                hasAlternatives: hasAlternatives)
            return MemberRuntime(name: name, settings: deployment, policy: policy, now: now)
        }
        strategy = settings.strategy.makeStrategy()
        generator = seed.map(SplitMix64.init(seed:)) ?? SplitMix64()
    }

    /// The strategy's name.
    var strategyName: String { strategy.name }

    // MARK: - Events

    /// A request asks for a member it has not tried (`excluded`), costing `tokens`, willing to
    /// wait until `deadline`. Returns the decision and resolutions for other waiters that a
    /// due tick produced on the way.
    mutating func acquire(excluding excluded: Set<Int>, tokens: Double, deadline: Duration, now: Duration)
        -> (AdmissionDecision, [Resolution])
    {
        var resolutions: [Resolution] = []
        if let earliest = nextWake(), earliest <= now { resolutions = tick(now: now) }
        switch evaluate(excluding: excluded, tokens: tokens, deadline: deadline, now: now) {
        case .grant(let member):
            return (.done(.granted(start(member, tokens: tokens, now: now))), resolutions)
        case .exhausted:
            return (.done(.exhausted), resolutions)
        case .wait(let wake):
            if now >= deadline {
                queueTimeouts += 1
                return (.done(.timedOut), resolutions)
            }
            let id = nextWaiterID
            nextWaiterID += 1
            waiters.append(Waiter(id: id, excluded: excluded, tokens: tokens, deadline: deadline, wake: wake))
            noteWake(wake)
            return (.wait(id: id), resolutions)
        }
    }

    /// An attempt holding `grant` ended with `result` at `now`: frees its slot, updates health
    /// and statistics, and hands freed capacity to waiters in FIFO order. Returns those
    /// waiters' resolutions and whether the member started a cooldown.
    mutating func release(_ grant: Grant, _ result: AttemptResult, now: Duration) -> (resolutions: [Resolution], cooled: Bool) {
        var cooled = false
        switch result {
        case .success(let latency, let usage):
            members[grant.member].succeeded(latency: latency, reported: usage, charged: grant.tokens, at: now)
        case .failure(let error, let disposition):
            cooled = members[grant.member].failed(error, disposition, charged: grant.tokens, at: now)
        case .cancelled:
            members[grant.member].cancelled(charged: grant.tokens, at: now)
        }
        return (dispatch(now: now, everyWaiter: cooled), cooled)
    }

    /// Time passed to `now`: re-evaluates, in FIFO order, every waiter whose wake time has come
    /// (budgets refilled, cooldowns ended, deadlines passed).
    mutating func tick(now: Duration) -> [Resolution] {
        var resolutions: [Resolution] = []
        var i = 0
        while i < waiters.count {
            if waiters[i].wake <= now, let outcome = reevaluate(at: i, now: now) {
                resolutions.append(Resolution(id: waiters[i].id, outcome: outcome))
                waiters.remove(at: i)
                earliestIsStale = true
            } else {
                i += 1
            }
        }
        return resolutions
    }

    /// The waiter `id`'s caller was cancelled: removes it. Returns whether it was still waiting.
    mutating func cancel(_ id: UInt64) -> Bool {
        guard let i = waiters.firstIndex(where: { $0.id == id }) else { return false }
        waiters.remove(at: i)
        earliestIsStale = true
        return true
    }

    /// The earliest time a waiter needs a `tick`, if any waits (cached between changes).
    mutating func nextWake() -> Duration? {
        if waiters.isEmpty { return nil }
        if earliestIsStale {
            cachedEarliest = earliestWake
            earliestIsStale = false
        }
        return cachedEarliest
    }

    /// The earliest time a waiter needs a `tick`, computed afresh.
    var earliestWake: Duration? { waiters.lazy.map(\.wake).min() }

    // MARK: - Decisions

    /// What one request can do now.
    enum Evaluation: Sendable, Hashable {
        /// Use this member.
        case grant(Int)
        /// Wait; nothing changes by itself before `wake`.
        case wait(wake: Duration)
        /// The round is over.
        case exhausted
    }

    /// Decides for a request that excludes `excluded`: a healthy untried member with a free
    /// slot and budget is picked by the strategy; with none, a request waits if a healthy
    /// untried member is only full or out of budget, or if it has tried nothing this round and
    /// every member is cooling down; otherwise its round is over.
    mutating func evaluate(excluding excluded: Set<Int>, tokens: Double, deadline: Duration, now: Duration) -> Evaluation {
        var candidates: [RoutingCandidate] = []
        var healthyUntried = false
        var cooledUntried = false
        var wake = deadline
        candidates.reserveCapacity(members.count)
        for i in members.indices where excluded.isEmpty || !excluded.contains(i) {
            // Read through the array (no copy of the member's state).
            if let remaining = members[i].health.cooldownRemaining(at: now) {
                cooledUntried = true
                wake = min(wake, now + remaining)
                continue
            }
            healthyUntried = true
            let budgetWait = members[i].budgetWait(tokens: tokens, at: now)
            if budgetWait > .zero {
                wake = min(wake, now + budgetWait)
            } else if members[i].hasFreeSlot {
                candidates.append(members[i].candidate(index: i, at: now))
            }
        }
        if !candidates.isEmpty {
            let position = strategy.pick(from: candidates, using: &generator)
            return .grant(candidates[candidates.indices.contains(position) ? position : 0].index)
        }
        if healthyUntried { return .wait(wake: wake) }
        if excluded.isEmpty && cooledUntried { return .wait(wake: wake) }
        return .exhausted
    }

    /// Takes a slot on `member` for a request of `tokens`.
    private mutating func start(_ member: Int, tokens: Double, now: Duration) -> Grant {
        members[member].start(tokens: tokens, at: now)
        return Grant(member: member, tokens: tokens, startedAt: now)
    }

    /// Re-evaluates waiter `i`: its outcome if it is done waiting, else `nil` (wake updated).
    private mutating func reevaluate(at i: Int, now: Duration) -> AdmissionOutcome? {
        let waiter = waiters[i]
        switch evaluate(excluding: waiter.excluded, tokens: waiter.tokens, deadline: waiter.deadline, now: now) {
        case .grant(let member):
            return .granted(start(member, tokens: waiter.tokens, now: now))
        case .exhausted:
            return .exhausted
        case .wait(let wake):
            if now >= waiter.deadline {
                queueTimeouts += 1
                return .timedOut
            }
            waiters[i].wake = wake
            if wake != waiter.wake { earliestIsStale = true }
            return nil
        }
    }

    /// Hands capacity to waiters in FIFO order. Unless `everyWaiter`, it stops as soon as no
    /// member could admit anyone; with it (after a cooldown started) every waiter is
    /// re-evaluated, so requests whose untried members all cooled end their round.
    private mutating func dispatch(now: Duration, everyWaiter: Bool) -> [Resolution] {
        var resolutions: [Resolution] = []
        var i = 0
        while i < waiters.count {
            if !everyWaiter && !anyMemberAdmits(now: now) { break }
            if let outcome = reevaluate(at: i, now: now) {
                resolutions.append(Resolution(id: waiters[i].id, outcome: outcome))
                waiters.remove(at: i)
                earliestIsStale = true
            } else {
                i += 1
            }
        }
        return resolutions
    }

    /// Whether some member is healthy with a free slot and budget for a minimal request.
    private func anyMemberAdmits(now: Duration) -> Bool {
        members.contains { !$0.health.isCooled(at: now) && $0.hasFreeSlot && $0.budgetAllows(tokens: 1, at: now) }
    }

    /// Lowers the cached earliest wake to `wake` if needed.
    private mutating func noteWake(_ wake: Duration) {
        if earliestIsStale { return }
        if waiters.count == 1 { cachedEarliest = wake } else if let cached = cachedEarliest { cachedEarliest = min(cached, wake) } else { earliestIsStale = true }
    }

    // MARK: - Statistics

    /// Every member's statistics at `now`.
    func memberStats(now: Duration) -> [MemberStats] {
        members.map { m in
            MemberStats(
                configName: m.name, inFlight: m.inFlight, peakInFlight: m.peakInFlight,
                maxConcurrency: m.settings.maxConcurrency, requests: m.requests, successes: m.successes,
                failures: m.failures, failuresByKind: m.failuresByKind, cancellations: m.cancellations,
                cooldowns: m.health.cooldowns, cooldownRemaining: m.health.cooldownRemaining(at: now),
                averageLatency: m.successes > 0 ? m.latencyTotal / m.successes : nil,
                latencyPerOutputToken: m.latencyPerToken.map { .seconds($0) }, usage: m.usage,
                usageShare: m.usageShare(at: now), weight: m.settings.weight)
        }
    }
}
