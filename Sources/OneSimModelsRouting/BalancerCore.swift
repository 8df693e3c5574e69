import DequeModule
import HeapModule
import OneSimModelsCore
import Synchronization

/// The balancer's decisions as a state machine: members' health and statistics, the strategy,
/// and the queue of requests waiting for capacity.
///
/// Driven by events (`acquire`, `release`, `tick`, `cancel`, `capacityFreed`) with the time
/// passed in, it never sleeps or awaits, so tests step it exactly. The `LoadBalancer` shell
/// keeps it behind a `Mutex`, delivers the `Resolution`s it returns to suspended callers, and
/// runs one timer that calls `tick` at `nextWake()`.
///
/// Limits (`max_concurrency`, `rpm`, `tpm`) live in each member's `DeploymentLimiter`, shared
/// with every other balancer over the same deployment.
///
/// The queue:
/// - Fresh requests (first round, nothing tried) wait in strict FIFO order. Only the head is
///   evaluated: it reserves what it needs (a slot, its tokens), and nobody behind it, nor a new
///   arrival, overtakes it. A release costs one evaluation of the head per request it admits,
///   plus one for the head that stays: O(members × (woken + 1)), whatever the queue's length.
/// - Requests that already tried members or are in a retry round are served first (they keep
///   their place instead of queueing again behind everyone), in FIFO groups by the members they
///   exclude: a release evaluates each group's head, so its cost grows with the number of
///   distinct exclusion sets (a handful), not with the number of waiters.
/// - Deadlines sit in a heap, so a timeout costs O(log n), not a scan.
/// - Balancers that share a deployment share one FIFO order on it: each publishes the arrival of
///   its oldest waiter that could use the deployment (a claim on the deployment's limiter), and
///   a request leaves free capacity there to an older claim of another balancer. So a balancer
///   with a long queue cannot starve another one's waiters by refilling the slots it frees.
package struct BalancerCore: Sendable {
    /// The members, in config order.
    package internal(set) var members: [MemberRuntime]
    /// Each member's limiter, in member order: what the dispatch loops read, so they do not
    /// copy a whole member (a struct of a dozen references) to reach it.
    let limiters: [DeploymentLimiter]
    /// The routing strategy (its own state included).
    private var strategy: any RoutingStrategy
    /// How members are picked: by the strategy, or by the fleet or affinity dispatch.
    let mode: DispatchMode
    /// The fleet dispatch's knobs.
    let fleet: FleetSettings
    /// Per member, the prompt blocks sent there (fleet dispatch only; empty otherwise).
    var prefixIndexes: [PrefixIndex] = []
    /// Which member served each affinity key last (fleet dispatch: a tie-break); at most
    /// 65,536 keys, so memory stays bounded however many agents there are.
    var keyOwners = TwoGenerationMap<Int>(capacity: 65_536)
    /// Per member, the load of other senders and the learned limit read when it last became a
    /// candidate (fleet dispatch): `fleetPick` uses these instead of locking each limiter again.
    var candidateLimits: [(others: Int, limit: Int?)] = []
    /// A counter stamping prefix-index entries with their last use.
    var dispatchStamp: UInt64 = 0
    /// The `affinity` strategy's ring.
    var ring: AffinityRing?
    /// Randomness for the strategy.
    private var generator: SplitMix64
    /// Below this share of healthy members the balancer panics (0 disables it).
    let panicThreshold: Double

    /// Waiting requests by id.
    var waiting = WaiterTable()
    /// Fresh waiters in FIFO order, with their fingerprints. The front is always a live waiter
    /// (the head); waiters that leave from the middle are marked and dropped when they reach
    /// the front.
    var fresh = FreshQueue()
    /// Live waiters in `fresh`.
    var liveFresh: Int { fresh.count }
    /// Retrying waiters' ids in FIFO groups, one per set of excluded members (all waiters of a
    /// group can use the same members, so only each group's head is evaluated). The front of a
    /// group is dropped while it is no longer waiting.
    private var retrying: [Set<Int>: Deque<UInt64>] = [:]
    /// Live waiters in `retrying`.
    var liveRetrying = 0
    /// Every waiter's deadline, earliest first; entries of waiters that left are dropped when
    /// they reach the top (or when the heap is rebuilt).
    private var deadlines = Heap<DeadlineEntry>()
    /// The next waiter id.
    private var nextWaiterID: UInt64 = 1
    /// Reused for the strategy's candidates (no allocation per evaluation).
    private var scratch: [RoutingCandidate] = []
    /// Calls that ran out of `queueTimeout`.
    private(set) var queueTimeouts = 0
    /// Requests evaluated so far (tests check the cost of a release with it).
    private(set) var evaluations = 0
    /// This balancer's identity in the deployments' claims.
    let claimOwner: UInt64
    /// The claim last published on each member's limiter.
    private var publishedClaims: [DeploymentLimiter.Claim?]
    /// Owner ids of every core in the process.
    private static let nextClaimOwner = Atomic<UInt64>(1)

    /// A balancer over members named `names` with `deployments`, at time `now`. `limiters` are
    /// the deployments' shared limiters (private ones when `nil`).
    package init(
        names: [String], deployments: [DeploymentSettings], settings: BalancerSettings, now: Duration,
        seed: UInt64? = nil, limiters: [DeploymentLimiter]? = nil
    ) {
        let hasAlternatives = names.count > 1
        let count = min(names.count, deployments.count)
        members = (0..<count).map { i in
            let deployment = deployments[i]
            let policy = HealthPolicy(
                cooldownTime: deployment.cooldownTime ?? settings.cooldownTime, allowedFails: max(settings.allowedFails, 0),
                window: settings.failureWindow, maxRetryAfter: settings.retryPolicy.maxRetryAfter,
                hasAlternatives: hasAlternatives)
            let limiter = limiters.flatMap { $0.indices.contains(i) ? $0[i] : nil }
            return MemberRuntime(name: names[i], settings: deployment, policy: policy, now: now, limiter: limiter)
        }
        self.limiters = members.map(\.limiter)
        candidateLimits = Array(repeating: (0, nil), count: members.count)
        strategy = settings.strategy.makeStrategy()
        mode = DispatchMode(settings.strategy)
        fleet = settings.fleet
        switch mode {
        case .fleet:
            prefixIndexes = Array(repeating: PrefixIndex(capacity: settings.fleet.prefixIndexBlocks), count: count)
            for m in members { m.limiter.enableLearning() }
        case .affinity:
            ring = AffinityRing(names: Array(names.prefix(count)), loadFactor: settings.fleet.affinityLoadFactor)
        case .strategy:
            break
        }
        generator = seed.map(SplitMix64.init(seed:)) ?? SplitMix64()
        panicThreshold = settings.panicThreshold.isFinite ? min(max(settings.panicThreshold, 0), 1) : 0
        scratch.reserveCapacity(count)
        claimOwner = Self.nextClaimOwner.add(1, ordering: .relaxed).oldValue
        publishedClaims = Array(repeating: nil, count: count)
    }

    /// The strategy's name.
    var strategyName: String { strategy.name }

    /// Requests waiting now.
    package var queuedCount: Int { waiting.count }

    /// The waiting requests: retrying ones, then fresh ones, each oldest first (for tests and
    /// diagnostics; O(n)).
    var waiters: [Waiter] {
        (retrying.values.flatMap { $0 }.sorted() + fresh.ids).compactMap { waiting[$0] }
    }

    // MARK: - Events

    /// A request asks for a member it has not tried (`excluded`), costing `tokens`, willing to
    /// wait until `deadline`; `retry` says it is in a retry round (so it keeps priority).
    /// Returns the decision and resolutions for other waiters that a due tick produced.
    package mutating func acquire(
        excluding excluded: Set<Int>, tokens: Double, deadline: Duration, now: Duration, retry: Bool = false,
        fingerprint: PromptFingerprint = .none
    ) -> (AdmissionDecision, [Resolution]) {
        var resolutions: [Resolution] = []
        if let earliest = nextWake(), earliest <= now { resolutions = tick(now: now) }
        let isRetry = retry || !excluded.isEmpty
        var wake = deadline
        // A fresh request never passes fresh ones already waiting.
        if isRetry || liveFresh == 0 {
            switch decide(excluding: excluded, tokens: tokens, deadline: deadline, arrival: now, now: now, fingerprint: fingerprint) {
            case .granted(let grant): return (.done(.granted(grant)), resolutions)
            case .exhausted: return (.done(.exhausted), resolutions)
            case .wait(let w): wake = w
            }
        }
        if now >= deadline {
            queueTimeouts += 1
            return (.done(.timedOut), resolutions)
        }
        let id = enqueue(
            excluding: excluded, tokens: tokens, deadline: deadline, wake: wake, retry: isRetry, arrival: now, fingerprint: fingerprint)
        return (.wait(id: id), resolutions)
    }

    /// An attempt holding `grant` ended with `result` at `now`: frees its slot, updates health
    /// and statistics, and hands freed capacity to waiters. Returns those waiters' resolutions
    /// and whether the member started a cooldown.
    package mutating func release(_ grant: Grant, _ result: AttemptResult, now: Duration) -> (resolutions: [Resolution], cooled: Bool) {
        var cooled = false
        switch result {
        case .success(let latency, let usage):
            members[grant.member].succeeded(
                latency: latency, reported: usage, charged: grant.tokens, inFlightAtStart: grant.inFlightAtStart,
                cachedShare: grant.cachedShare, at: now)
        case .failure(let error, let disposition):
            cooled = members[grant.member].failed(
                error, disposition, charged: grant.tokens, latency: now - grant.startedAt, at: now)
        case .cancelled:
            members[grant.member].cancelled(charged: grant.tokens, at: now)
        case .notSent:
            members[grant.member].notSent(charged: grant.tokens, at: now)
        }
        return (dispatch(now: now, everyWaiter: cooled), cooled)
    }

    /// Another balancer freed capacity on a shared deployment: hands it to waiters.
    package mutating func capacityFreed(now: Duration) -> [Resolution] {
        waiting.isEmpty ? [] : dispatch(now: now, everyWaiter: false)
    }

    /// Time passed to `now`: serves waiters whose wake time has come (budgets refilled,
    /// cooldowns ended) and times out those past their deadline.
    package mutating func tick(now: Duration) -> [Resolution] {
        if waiting.isEmpty { return [] }
        var resolutions = dispatch(now: now, everyWaiter: false)
        var headLeft = false
        while let top = deadlines.min, top.deadline <= now {
            deadlines.removeMin()
            guard waiting[top.id] != nil else { continue }
            if fresh.first == top.id { headLeft = true }
            remove(top.id)
            queueTimeouts += 1
            resolutions.append(Resolution(id: top.id, outcome: .timedOut))
        }
        if headLeft { serveFresh(now: now, into: &resolutions) }
        return resolutions
    }

    /// The waiter `id`'s caller was cancelled at `now`: removes it. Returns whether it was still
    /// waiting, and the resolutions of waiters its leaving let in (a new head may fit).
    mutating func cancel(_ id: UInt64, now: Duration) -> (Bool, [Resolution]) {
        guard waiting[id] != nil else { return (false, []) }
        let wasHead = fresh.first == id
        remove(id)
        var resolutions: [Resolution] = []
        if wasHead { serveFresh(now: now, into: &resolutions) }
        return (true, resolutions)
    }

    /// The earliest time a waiter needs a `tick`, if any waits.
    package mutating func nextWake() -> Duration? {
        if waiting.isEmpty { return nil }
        while let top = deadlines.min, waiting[top.id] == nil { deadlines.removeMin() }
        var wake = deadlines.min?.deadline
        if liveFresh > 0, let head = fresh.first, let headWake = waiting[head]?.wake { wake = min(wake ?? headWake, headWake) }
        if liveRetrying > 0 {
            for key in Array(retrying.keys) {
                guard let head = retryingHead(key), let w = waiting[head]?.wake else { continue }
                wake = min(wake ?? w, w)
            }
        }
        return wake
    }

    /// The earliest wake of any waiter, computed afresh (O(n); for tests).
    var earliestWake: Duration? { waiting.values.lazy.map { min($0.wake, $0.deadline) }.min() }

    // MARK: - Queue

    private mutating func enqueue(
        excluding excluded: Set<Int>, tokens: Double, deadline: Duration, wake: Duration, retry: Bool, arrival: Duration,
        fingerprint: PromptFingerprint
    ) -> UInt64 {
        let id = nextWaiterID
        nextWaiterID += 1
        waiting[id] = Waiter(
            id: id, excluded: excluded, tokens: tokens, deadline: deadline, wake: wake, retry: retry, arrival: arrival,
            fingerprint: fingerprint)
        if retry {
            retrying[excluded, default: []].append(id)
            liveRetrying += 1
        } else {
            fresh.append(id, fingerprint: fingerprint)
        }
        if deadlines.count > 64 && deadlines.count > 2 * waiting.count {
            deadlines = Heap(waiting.values.map { DeadlineEntry(deadline: $0.deadline, id: $0.id) })
        } else {
            deadlines.insert(DeadlineEntry(deadline: deadline, id: id))
        }
        return id
    }

    /// Removes waiter `id` (its deadline entry and non-head queue position go lazily).
    mutating func remove(_ id: UInt64) {
        guard let waiter = waiting.removeValue(forKey: id) else { return }
        if waiter.retry {
            liveRetrying -= 1
            if liveRetrying == 0 { retrying.removeAll() } else if retrying[waiter.excluded]?.first == id { _ = retryingHead(waiter.excluded) }
        } else {
            fresh.remove(id)
        }
        if waiting.isEmpty { deadlines = Heap() }
    }

    /// Hands capacity to waiters: retrying ones first (all of them with `everyWaiter`, after a
    /// cooldown started, so requests whose untried members all cooled end their round), then
    /// the fresh head, again and again while it is admitted.
    private mutating func dispatch(now: Duration, everyWaiter: Bool) -> [Resolution] {
        var resolutions: [Resolution] = []
        if liveRetrying > 0 { serveRetrying(now: now, everyWaiter: everyWaiter, into: &resolutions) }
        if liveFresh > 0 { serveFresh(now: now, into: &resolutions) }
        return resolutions
    }

    /// Admits fresh waiters from the head while the head can go; a head that cannot go keeps
    /// its place and records its wake.
    private mutating func serveFresh(now: Duration, into resolutions: inout [Resolution]) {
        if case .fleet = mode, fleet.lookahead > 1 {
            serveFreshWithLookahead(now: now, into: &resolutions)
            return
        }
        while liveFresh > 0, let id = fresh.first {
            guard let waiter = waiting[id] else {
                fresh.remove(id)
                continue
            }
            if !decideFresh(id, waiter, now: now, into: &resolutions) { return }
        }
    }

    /// Decides for the fresh head `id` the usual way (grant, end of round, or wait). Returns
    /// `false` when it keeps waiting, so nobody behind it is served.
    mutating func decideFresh(_ id: UInt64, _ waiter: Waiter, now: Duration, into resolutions: inout [Resolution]) -> Bool {
        switch decide(
            excluding: waiter.excluded, tokens: waiter.tokens, deadline: waiter.deadline, arrival: waiter.arrival, now: now,
            fingerprint: waiter.fingerprint)
        {
        case .granted(let grant):
            remove(id)
            resolutions.append(Resolution(id: id, outcome: .granted(grant)))
        case .exhausted:
            remove(id)
            resolutions.append(Resolution(id: id, outcome: .exhausted))
        case .wait(let wake):
            if keepWaiting(id, deadline: waiter.deadline, wake: wake, now: now, into: &resolutions) { return false }
        }
        return true
    }

    /// A waiter that cannot go now: past its deadline it times out (`false`: look at the next
    /// one), otherwise it records when to look again and keeps its place (`true`).
    mutating func keepWaiting(
        _ id: UInt64, deadline: Duration, wake: Duration, now: Duration, into resolutions: inout [Resolution]
    ) -> Bool {
        if now >= deadline {
            remove(id)
            queueTimeouts += 1
            resolutions.append(Resolution(id: id, outcome: .timedOut))
            return false
        }
        waiting[id]?.wake = wake
        return true
    }

    /// The live head of retrying group `key`, dropping ids no longer waiting (and the group
    /// when it is empty).
    private mutating func retryingHead(_ key: Set<Int>) -> UInt64? {
        while let id = retrying[key]?.first {
            if waiting[id] != nil { return id }
            retrying[key]?.removeFirst()
        }
        retrying[key] = nil
        return nil
    }

    /// Serves the retrying groups, oldest head first: each group from its head while the head
    /// can go (with `everyWaiter`, after a cooldown started, or when capacity is free or the
    /// head's wake came). A head whose round is over ends the round of its whole group (they
    /// exclude the same members).
    private mutating func serveRetrying(now: Duration, everyWaiter: Bool, into resolutions: inout [Resolution]) {
        let room = everyWaiter || anyMemberHasRoom(now: now)
        var heads: [(id: UInt64, key: Set<Int>)] = []
        for key in Array(retrying.keys) {
            if let head = retryingHead(key) { heads.append((head, key)) }
        }
        heads.sort { $0.id < $1.id }
        for (_, key) in heads {
            groupLoop: while let id = retryingHead(key), let waiter = waiting[id] {
                guard room || waiter.wake <= now else { break }
                switch decide(
                    excluding: waiter.excluded, tokens: waiter.tokens, deadline: waiter.deadline, arrival: waiter.arrival,
                    now: now, fingerprint: waiter.fingerprint)
                {
                case .granted(let grant):
                    remove(id)
                    resolutions.append(Resolution(id: id, outcome: .granted(grant)))
                case .exhausted:
                    while let next = retryingHead(key) {
                        remove(next)
                        resolutions.append(Resolution(id: next, outcome: .exhausted))
                    }
                    break groupLoop
                case .wait(let wake):
                    if keepWaiting(id, deadline: waiter.deadline, wake: wake, now: now, into: &resolutions) { break groupLoop }
                }
            }
        }
    }

    /// Whether some member has a free slot and rpm budget (cooled or not).
    private func anyMemberHasRoom(now: Duration) -> Bool {
        let learned = mode.learnsLimits
        return members.contains { m in m.limiter.withLimits { $0.admits(tokens: 0, at: now, learned: learned) } }
    }

    // MARK: - Decisions

    /// What a request gets now.
    enum Decision: Sendable, Hashable {
        /// It holds a slot.
        case granted(Grant)
        /// It waits; nothing changes by itself before `wake`.
        case wait(Duration)
        /// Its round is over.
        case exhausted
    }

    /// Evaluates and, for a grant, takes the slot. Another balancer may take the capacity
    /// between the look and the take; then it looks again (bounded).
    mutating func decide(
        excluding excluded: Set<Int>, tokens: Double, deadline: Duration, arrival: Duration, now: Duration,
        fingerprint: PromptFingerprint = .none
    ) -> Decision {
        for _ in 0...members.count {
            switch evaluate(
                excluding: excluded, tokens: tokens, deadline: deadline, arrival: arrival, now: now, fingerprint: fingerprint)
            {
            case .grant(let member, let panic):
                if let grant = start(member, tokens: tokens, panic: panic, fingerprint: fingerprint, now: now) {
                    return .granted(grant)
                }
            case .wait(let wake):
                return .wait(wake)
            case .exhausted:
                return .exhausted
            }
        }
        return .wait(deadline)
    }

    /// What one request can do now.
    enum Evaluation: Sendable, Hashable {
        /// Use this member (`panic`: it is cooling down and used because too few are healthy).
        case grant(Int, panic: Bool)
        /// Wait; nothing changes by itself before `wake`.
        case wait(wake: Duration)
        /// The round is over.
        case exhausted
    }

    /// Whether fewer than `panicThreshold` of the members are healthy at `now`.
    func isPanicking(at now: Duration) -> Bool {
        guard panicThreshold > 0, !members.isEmpty else { return false }
        let healthy = members.reduce(0) { $0 + ($1.health.isCooled(at: now) ? 0 : 1) }
        return Double(healthy) < panicThreshold * Double(members.count)
    }

    /// Decides for a request that excludes `excluded`: a healthy untried member with a free
    /// slot and budget is picked by the strategy. In panic mode (fewer than `panicThreshold` of
    /// the members healthy), members cooling down after transient failures are candidates too
    /// when no healthy one can take the request: they still answer most calls, and a success
    /// ends their cooldown (half-open). With no candidate, a request waits if a healthy (or, in
    /// panic, a usable cooled) untried member is only full or out of budget, or if it has
    /// tried nothing this round and every member is cooling down; otherwise its round is over.
    ///
    /// `arrival` is when the request started waiting: on a shared deployment it leaves free
    /// capacity to an older waiter of another balancer (see the type's notes).
    mutating func evaluate(
        excluding excluded: Set<Int>, tokens: Double, deadline: Duration, arrival: Duration = .zero, now: Duration,
        fingerprint: PromptFingerprint = .none
    ) -> Evaluation {
        evaluations &+= 1
        var candidates: [RoutingCandidate] = []
        swap(&candidates, &scratch)
        candidates.removeAll(keepingCapacity: true)
        defer { swap(&candidates, &scratch) }
        var healthyUntried = false
        var cooledUntried = false
        var panicUsable = false
        var healthy = 0
        var wake = deadline
        // The fastest recent speed (`MemberRuntime.recentSpeed`) among members not cooling down,
        // for the straggler check (gathered here so the fleet dispatch needs no second pass).
        let queued = liveFresh + liveRetrying > 0
        var fastest = Double.infinity
        // The slowest such figure among the candidates: no straggler check unless it is slow.
        var slowestCandidate = 0.0
        // Stored properties only, read in place: a method call on `members[i]` would copy the
        // whole member (a dozen references) per read, a large part of a decision over 64.
        for i in members.indices {
            let cooldown = members[i].health.cooldownRemaining(at: now)
            var freshPerToken = 0.0
            if cooldown == nil {
                healthy += 1
                let speed = queued ? members[i].loadedPerToken : members[i].latencyPerToken
                if let perToken = MemberRuntime.recent(speed, sampledAt: members[i].lastSampleAt, now: now) {
                    fastest = min(fastest, perToken)
                    freshPerToken = perToken
                }
            }
            if !excluded.isEmpty && excluded.contains(i) { continue }
            if let remaining = cooldown {
                cooledUntried = true
                wake = min(wake, now + remaining)
                if members[i].health.cooledByFailureCount { panicUsable = true }
                continue
            }
            healthyUntried = true
            if addCandidate(i, tokens: tokens, arrival: arrival, now: now, wake: &wake, to: &candidates) {
                slowestCandidate = max(slowestCandidate, freshPerToken)
            }
        }
        let panic = panicUsable && panicThreshold > 0 && Double(healthy) < panicThreshold * Double(members.count)
        var viaPanic = false
        if candidates.isEmpty && panic {
            for i in members.indices where (excluded.isEmpty || !excluded.contains(i)) && members[i].health.panicEligible(at: now) {
                if addCandidate(i, tokens: tokens, arrival: arrival, now: now, wake: &wake, to: &candidates) {
                    slowestCandidate = max(slowestCandidate, members[i].recentSpeed(queued: queued, at: now) ?? 0)
                }
            }
            viaPanic = !candidates.isEmpty
        }
        if mode == .fleet && candidates.count > 0 && members.count > 1 && slowestCandidate > fastest * Self.stragglerRatio {
            withoutStragglers(&candidates, fastest: fastest, now: now)
        }
        if !candidates.isEmpty {
            let position: Int
            switch mode {
            case .strategy: position = strategy.pick(from: candidates, using: &generator)
            case .fleet: position = fleetPick(from: candidates, fingerprint: fingerprint)
            case .affinity: position = affinityPick(from: candidates, fingerprint: fingerprint)
            }
            return .grant(candidates[candidates.indices.contains(position) ? position : 0].index, panic: viaPanic)
        }
        if healthyUntried || panic { return .wait(wake: wake) }
        if excluded.isEmpty && cooledUntried { return .wait(wake: wake) }
        return .exhausted
    }

    /// Adds member `i` as a candidate if its deployment has a free slot and budget for
    /// `tokens`, and returns whether it did; else lowers `wake` to when its budget refills.
    @discardableResult
    private mutating func addCandidate(
        _ i: Int, tokens: Double, arrival: Duration, now: Duration, wake: inout Duration, to candidates: inout [RoutingCandidate]
    ) -> Bool {
        let limiter = limiters[i]
        let limits = limiter.snapshot
        let budgetWait = limits.budgetWait(tokens: tokens, at: now)
        if budgetWait > .zero {
            wake = min(wake, now + budgetWait)
        } else if limits.hasFreeSlot(learned: mode.learnsLimits) {
            // An older waiter of another balancer goes first; its balancer tells this one when
            // it took the capacity or gave up its claim.
            if limiter.isShared && limiter.hasOlderClaim(than: arrival, except: claimOwner, now: now) { return false }
            // What a strategy sees of the member, from its stored properties read in place;
            // `limits` is the deployment's state (its in-flight count covers every sender).
            candidates.append(
                RoutingCandidate(
                    index: i, configName: members[i].name, weight: members[i].settings.weight,
                    inFlight: max(limits.inFlight, members[i].inFlight), maxConcurrency: members[i].settings.maxConcurrency,
                    latencyPerToken: members[i].latencyPerToken.map { .seconds($0) }, latencySamples: members[i].latencySamples,
                    usageShare: limits.usageShare(at: now), requests: members[i].requests,
                    latencySampleAge: members[i].lastSampleAt.map { now - $0 }))
            if mode == .fleet { candidateLimits[i] = (limits.othersLoad(at: now), limits.learnedLimit ?? limits.maxConcurrency) }
            return true
        }
        return false
    }

    // MARK: - Claims on shared deployments

    /// Publishes, on each shared member's limiter, the arrival of this balancer's oldest waiter
    /// that could use that member (not excluded, not cooling down here). Returns the members
    /// whose claim was withdrawn or moved later: other balancers waiting there must look again.
    /// O(members × retry groups); nothing for members no other balancer shares.
    mutating func refreshClaims(now: Duration) -> [Int] {
        var withdrawn: [Int] = []
        for i in members.indices {
            let limiter = limiters[i]
            var claim: DeploymentLimiter.Claim?
            if limiter.isShared && !waiting.isEmpty && !members[i].health.isCooled(at: now) {
                if liveFresh > 0, let id = fresh.first, let w = waiting[id], !w.excluded.contains(i) {
                    claim = DeploymentLimiter.Claim(arrival: w.arrival, deadline: w.deadline)
                }
                if liveRetrying > 0 {
                    for key in Array(retrying.keys) where !key.contains(i) {
                        guard let id = retryingHead(key), let w = waiting[id] else { continue }
                        if claim.map({ w.arrival < $0.arrival }) ?? true {
                            claim = DeploymentLimiter.Claim(arrival: w.arrival, deadline: w.deadline)
                        }
                    }
                }
            }
            guard claim != publishedClaims[i] else { continue }
            limiter.setClaim(claim, owner: claimOwner)
            if let old = publishedClaims[i], claim.map({ $0.arrival > old.arrival }) ?? true { withdrawn.append(i) }
            publishedClaims[i] = claim
        }
        return withdrawn
    }

    /// Withdraws every claim (the balancer is going away).
    func withdrawClaims() {
        for i in members.indices where publishedClaims[i] != nil { members[i].limiter.setClaim(nil, owner: claimOwner) }
    }

    // MARK: - Statistics

    /// Every member's statistics at `now`.
    package func memberStats(now: Duration) -> [MemberStats] {
        members.map { m in
            MemberStats(
                configName: m.name, inFlight: m.inFlight, peakInFlight: m.peakInFlight,
                maxConcurrency: m.settings.maxConcurrency, requests: m.requests, successes: m.successes,
                failures: m.failures, failuresByKind: m.failuresByKind, cancellations: m.cancellations,
                cooldowns: m.health.cooldowns, cooldownRemaining: m.health.cooldownRemaining(at: now),
                averageLatency: m.successes > 0 ? m.latencyTotal / m.successes : nil,
                latencyPerOutputToken: m.latencyPerToken.map { .seconds($0) }, usage: m.usage,
                usageShare: m.usageShare(at: now), weight: m.settings.weight, panicRequests: m.panicRequests,
                deploymentInFlight: m.limiter.snapshot.inFlight)
        }.enumerated().map { i, stats in
            var stats = stats
            let limits = members[i].limiter.snapshot
            if mode == .fleet {
                stats.learnedConcurrency = limits.learnedLimit
                stats.learnedFrom = limits.adaptive?.source.rawValue
            }
            if let report = limits.adaptive?.report, let fresh = limits.reportIsFresh(at: now) {
                stats.serverLoad = ServerLoadReport(
                    running: report.load.running, waiting: report.load.waiting, kvCacheUsage: report.load.kvCacheUsage,
                    age: now - report.at, isStale: !fresh)
            }
            stats.recentLatencyP50 = members[i].latencies.quantile(0.5, at: now)
            stats.recentLatencyP99 = members[i].latencies.quantile(0.99, at: now)
            if prefixIndexes.indices.contains(i), prefixIndexes[i].queriedBlocks > 0 {
                stats.prefixMatchRate = Double(prefixIndexes[i].matchedBlocks) / Double(prefixIndexes[i].queriedBlocks)
            }
            return stats
        }
    }
}

/// A waiter's deadline in the deadline heap.
struct DeadlineEntry: Comparable, Sendable {
    let deadline: Duration
    let id: UInt64

    static func < (lhs: DeadlineEntry, rhs: DeadlineEntry) -> Bool {
        (lhs.deadline, lhs.id) < (rhs.deadline, rhs.id)
    }
}
