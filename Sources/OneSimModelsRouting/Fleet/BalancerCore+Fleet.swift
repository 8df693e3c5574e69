import DequeModule
import OneSimModelsCore

/// How a balancer core picks members.
package enum DispatchMode: Sendable, Hashable {
    /// By its `RoutingStrategy` (the named built-ins and custom strategies), exactly.
    case strategy
    /// The fleet dispatch: learned limits, late binding, prefix-cache and affinity awareness.
    case fleet
    /// Consistent hashing with bounded loads.
    case affinity

    package init(_ strategy: BalancerStrategy) {
        switch strategy {
        case .builtIn(.fleet): self = .fleet
        case .builtIn(.affinity): self = .affinity
        default: self = .strategy
        }
    }

    /// Whether members' learned concurrency limits bound dispatch.
    var learnsLimits: Bool { self == .fleet }

    /// Whether calls need a prompt fingerprint (the fleet and affinity dispatch match prompts).
    package var matchesPrompts: Bool { self != .strategy }
}

/// How well a member suits a request, compared field by field: how often the member was sent
/// the shared part of the matched prefix (see `PrefixIndex.match`: the deepest matched block
/// sent at least a quarter as often as the first), in base-4 orders of magnitude; the prompt
/// blocks its prefix index holds; whether it served the request's affinity key last (1 or 0);
/// how many times it was sent the deepest matched block; and how recently (a stamp that only
/// grows).
///
/// Use counts make a shared prefix stick to the members that serve it most. After a burst every
/// member has been sent every persona once or twice, so lengths tie everywhere; by recency alone
/// a persona would follow whichever member happened to take it last, and every server's cache
/// would have to hold every persona. And an agent's history, sent once, makes its previous
/// member's match the longest even when that member served its persona only by chance; the
/// shared level, first, keeps the agent with the members that serve its persona (within a
/// factor of 4, where length decides again, so a history still counts between them). On F3's
/// caches over several steps this lifts prompt-token hits from 74 % to 86 %.
struct AffinityScore: Comparable, Sendable {
    var sharedLevel = 0
    var length = 0
    var owner = 0
    var uses: UInt32 = 0
    var stamp: UInt64 = 0

    /// Whether the member has any affinity for the request.
    var isSome: Bool { length > 0 || owner > 0 }

    static func < (lhs: AffinityScore, rhs: AffinityScore) -> Bool {
        (lhs.sharedLevel, lhs.length, lhs.owner, lhs.uses, lhs.stamp) < (rhs.sharedLevel, rhs.length, rhs.owner, rhs.uses, rhs.stamp)
    }
}

extension BalancerCore {
    /// Takes a slot on `member` for a request of `tokens` with `fingerprint`; records the
    /// prompt in the member's prefix index (fleet dispatch). `nil` when the capacity is gone.
    mutating func start(_ member: Int, tokens: Double, panic: Bool, fingerprint: PromptFingerprint, now: Duration) -> Grant? {
        guard let inFlight = members[member].start(tokens: tokens, at: now, panic: panic, learned: mode.learnsLimits) else {
            return nil
        }
        let cachedShare = mode == .fleet ? recordDispatch(fingerprint, to: member) : 0
        return Grant(member: member, tokens: tokens, startedAt: now, inFlightAtStart: inFlight, cachedShare: cachedShare)
    }

    /// Remembers that `fingerprint`'s prompt went to `member`; returns the share of its blocks
    /// the member's index already held (0 for a prompt without blocks).
    mutating func recordDispatch(_ fingerprint: PromptFingerprint, to member: Int) -> Double {
        guard prefixIndexes.indices.contains(member) else { return 0 }
        dispatchStamp &+= 1
        let held = prefixIndexes[member].insert(fingerprint.blocks, stamp: dispatchStamp)
        if let key = fingerprint.key { keyOwners.set(key, member) }
        return fingerprint.blocks.isEmpty ? 0 : Double(held) / Double(fingerprint.blocks.count)
    }

    /// How well `member` suits a request (see `AffinityScore`).
    func affinityScore(_ member: Int, _ fingerprint: PromptFingerprint) -> AffinityScore {
        affinityScore(member, fingerprint, unlessBelow: AffinityScore()) ?? AffinityScore()
    }

    /// As `affinityScore(_:_:)`, or `nil` when the score is sure to be below `bound`: the key's
    /// owner (two lookups) is read only when the shared level and length reach `bound`'s.
    func affinityScore(_ member: Int, _ fingerprint: PromptFingerprint, unlessBelow bound: AffinityScore) -> AffinityScore? {
        // Through a buffer pointer: `prefixIndexes[member].match` would copy the index (four
        // retains and releases) on every call, and this runs per candidate and per waiter.
        let match: PrefixIndex.Match = prefixIndexes.withUnsafeBufferPointer { indexes in
            indexes.indices.contains(member) ? indexes[member].match(fingerprint.blocks) : (0, 0, 0, 0)
        }
        let level = PrefixIndex.level(match.sharedUses)
        if (level, match.length) < (bound.sharedLevel, bound.length) { return nil }
        let owner = fingerprint.key.map { keyOwners[$0] == member ? 1 : 0 } ?? 0
        return AffinityScore(sharedLevel: level, length: match.length, owner: owner, uses: match.uses, stamp: match.stamp)
    }

    /// The fleet dispatch's pick among `candidates` (members with a free learned slot): the best
    /// affinity (see `AffinityScore`; ties to the lighter load), unless that member holds more
    /// than `balanceAbsThreshold` requests above the least loaded candidate and more than
    /// `balanceRelThreshold ×` its load: then the best affinity among the candidates within the
    /// threshold of the least loaded. With no affinity anywhere, the least used share of its
    /// limit (ties: the member with the smallest prefix index, so new prompts spread). Each
    /// candidate's limits are those read when it became a candidate (no second lock).
    func fleetPick(from candidates: [RoutingCandidate], fingerprint: PromptFingerprint) -> Int {
        if candidates.count <= 1 { return 0 }
        // One pass: the least loaded, the best affinity, and the least used share of its limit.
        // A request with no blocks and no key has no affinity anywhere: no index is read.
        let canMatch = !fingerprint.blocks.isEmpty || fingerprint.key != nil
        var minLoad = Int.max
        var match: (position: Int, score: AffinityScore, load: Int)?
        var choice = 0
        var choiceShare = Double.infinity
        var choiceIndexSize = Int.max
        for j in candidates.indices {
            let index = candidates[j].index
            let load = candidateLoad(candidates[j])
            minLoad = min(minLoad, load)
            if canMatch, let score = affinityScore(index, fingerprint, unlessBelow: match?.score ?? AffinityScore()) {
                if score.isSome, match.map({ score > $0.score || (score == $0.score && load < $0.load) }) ?? true {
                    match = (j, score, load)
                }
            }
            if match == nil {
                let share = Double(load) / Double(max(candidateLimits[index].limit ?? 1, 1))
                let indexSize = prefixIndexes.indices.contains(index) ? prefixIndexes[index].count : 0
                if share < choiceShare || (share == choiceShare && indexSize < choiceIndexSize) {
                    (choice, choiceShare, choiceIndexSize) = (j, share, indexSize)
                }
            }
        }
        guard let match else { return choice }
        let imbalanced =
            match.load - minLoad > fleet.balanceAbsThreshold && Double(match.load) > fleet.balanceRelThreshold * Double(minLoad)
        guard imbalanced else { return match.position }
        // Load first, keeping what affinity the less loaded offer (the least loaded qualifies).
        var best: (position: Int, score: AffinityScore, load: Int)?
        for j in candidates.indices {
            let load = candidateLoad(candidates[j])
            guard load - minLoad <= fleet.balanceAbsThreshold else { continue }
            let score = affinityScore(candidates[j].index, fingerprint)
            if best.map({ score > $0.score || (score == $0.score && load < $0.load) }) ?? true { best = (j, score, load) }
        }
        return best?.position ?? match.position
    }

    /// Requests in flight on a candidate's deployment, other clients' included (its limits were
    /// read when it became a candidate in this evaluation).
    @inline(__always)
    func candidateLoad(_ candidate: RoutingCandidate) -> Int {
        candidate.inFlight.saturatingAdd(candidateLimits[candidate.index].others)
    }

    /// Leaves out of `candidates` the members so much slower than the fastest that a call given
    /// to them now would finish after the fast members could have drained the queue and served
    /// it: a member whose recent seconds per token of throughput are `r` times the fastest
    /// one's (`r` above 1.5) takes no call while fewer than `S × (r − 1)` calls wait, `S` being
    /// the fast members' slots. So at the end of a step no call starts on a straggler that a
    /// fast server would finish sooner, and under load (a longer queue) the slow member still
    /// does its share.
    ///
    /// Speed is `MemberRuntime.recentSpeed`. While calls wait here, every member is kept at its
    /// limit, and speed is `loadedPerToken`: latency per output token ÷ the requests in flight
    /// when the request started, by Little's law the seconds per token of the member's
    /// throughput. Raw latency per token is not: a fast server with a queue inside answers late
    /// too, so a server slowed 4× measured about 1.5× and kept taking calls to the end of a
    /// step. With nobody waiting members may be underloaded, where throughput says how little a
    /// member was given, not how slow it is: raw latency per token then.
    /// Only with fresh samples (a member unused for `latencyMemory` counts as unknown), and
    /// only while the fast members are busy (they will free slots). `fastest` is the lowest
    /// recent speed of the members not cooling down (`evaluate` gathers it, by the same rule).
    ///
    /// `evaluate` calls it only when its slowest candidate is above `stragglerRatio ×` the
    /// fastest, so the usual case (no straggler) costs nothing here.
    func withoutStragglers(_ candidates: inout [RoutingCandidate], fastest: Double, now: Duration) {
        guard fastest.isFinite, fastest > 0 else { return }
        let waiting = liveFresh + liveRetrying
        let isQueued = waiting > 0
        var fastSlots = 0
        var fastBusy = false
        for i in members.indices where !members[i].health.isCooled(at: now) {
            guard let perToken = members[i].recentSpeed(queued: isQueued, at: now), perToken <= fastest * 1.25 else { continue }
            let limits = limiters[i].snapshot
            fastSlots = fastSlots.saturatingAdd(limits.learnedLimit ?? limits.maxConcurrency ?? max(limits.inFlight, 1))
            if limits.inFlight > 0 { fastBusy = true }
        }
        guard fastBusy else { return }
        let queued = Double(waiting)
        candidates.removeAll { c in
            guard let perToken = members[c.index].recentSpeed(queued: isQueued, at: now), perToken > fastest * Self.stragglerRatio else {
                return false
            }
            return queued < Double(fastSlots) * (perToken / fastest - 1)
        }
    }

    /// How many times the fastest member's latency per token a member's must exceed before the
    /// straggler rule applies to it.
    static var stragglerRatio: Double { 1.5 }

    /// The `affinity` strategy's pick: the ring owner of the call's affinity key (else of its
    /// prompt's first block) among `candidates`, under the bounded-load rule; a call with
    /// neither goes to the candidate with the fewest requests in flight.
    func affinityPick(from candidates: [RoutingCandidate], fingerprint: PromptFingerprint) -> Int {
        if candidates.count <= 1 { return 0 }
        guard let ring, let key = fingerprint.key ?? fingerprint.blocks.first else {
            return NamedDispatch.leastInFlight(candidates)
        }
        var total = 0
        for m in members { total = total.saturatingAdd(m.inFlight) }
        let owner = ring.owner(
            of: key, eligible: { Self.position(of: $0, in: candidates) != nil }, load: { members[$0].inFlight }, total: total)
        return owner.flatMap { Self.position(of: $0, in: candidates) } ?? 0
    }

    /// The position of member `index` in `candidates` (which come in config order), by binary search.
    static func position(of index: Int, in candidates: [RoutingCandidate]) -> Int? {
        let i = candidates.firstPosition { $0.index < index }
        return i < candidates.count && candidates[i].index == index ? i : nil
    }

    /// The fleet dispatch's queue service: when the head can go to a member, the member takes,
    /// among the `lookahead` oldest waiters, the one whose prompt it has cached best (the head
    /// on ties). A head passed over `maxSkips` times goes next regardless, so every waiter is
    /// served within a bounded number of releases.
    mutating func serveFreshWithLookahead(now: Duration, into resolutions: inout [Resolution]) {
        while liveFresh > 0, let id = fresh.first {
            guard let head = waiting[id] else {
                fresh.remove(id)
                continue
            }
            switch evaluate(
                excluding: head.excluded, tokens: head.tokens, deadline: head.deadline, arrival: head.arrival, now: now,
                fingerprint: head.fingerprint)
            {
            case .grant(let member, let panic):
                if head.skipped < fleet.maxSkips, let chosen = betterWaiter(for: member, than: head), let waiter = waiting[chosen],
                    let grant = start(member, tokens: waiter.tokens, panic: panic, fingerprint: waiter.fingerprint, now: now)
                {
                    waiting[id]?.skipped += 1
                    remove(chosen)
                    resolutions.append(Resolution(id: chosen, outcome: .granted(grant)))
                    continue
                }
                if let grant = start(member, tokens: head.tokens, panic: panic, fingerprint: head.fingerprint, now: now) {
                    remove(id)
                    resolutions.append(Resolution(id: id, outcome: .granted(grant)))
                    continue
                }
                // The capacity went to another balancer meanwhile: decide again the usual way.
                if !decideFresh(id, head, now: now, into: &resolutions) { return }
            case .exhausted:
                remove(id)
                resolutions.append(Resolution(id: id, outcome: .exhausted))
            case .wait(let wake):
                if keepWaiting(id, deadline: head.deadline, wake: wake, now: now, into: &resolutions) { return }
            }
        }
    }

    /// Among the `lookahead` oldest fresh waiters after `head`, the one `member` suits strictly
    /// better than the head (the oldest of equals; see `WaiterRank`), or `nil`. Looks at no
    /// more than twice `lookahead` queue entries (entries of waiters that left count too), so
    /// its cost is bounded whatever the queue's length; reads the fingerprints kept in the
    /// queue, so no waiter is looked up.
    func betterWaiter(for member: Int, than head: Waiter) -> UInt64? {
        // A member with nothing indexed matches no prompt; only key ties are left, not worth a scan.
        guard prefixIndexes.indices.contains(member), prefixIndexes[member].count > 0 else { return nil }
        guard var bestRank = waiterRank(member, head.fingerprint) else { return nil }
        var best: UInt64?
        var seen = 1
        fresh.forEachWaiting(visitingAtMost: 2 * fleet.lookahead) { entry in
            if seen >= fleet.lookahead { return false }
            guard entry.id != head.id else { return true }
            seen += 1
            if let rank = waiterRank(member, entry.fingerprint, unlessBelow: bestRank), rank > bestRank {
                best = entry.id
                bestRank = rank
            }
            return true
        }
        return best
    }

    /// How well `member` suits a waiting request, to choose among waiters (see `WaiterRank`);
    /// `nil` when it is sure not to outrank `bound`. Most waiters of a scan are: two lookups
    /// (`PrefixIndex.mayOutrank`) rule them out before a full match, and the key owner is read
    /// only on a tie.
    func waiterRank(_ member: Int, _ fingerprint: PromptFingerprint, unlessBelow bound: WaiterRank? = nil) -> WaiterRank? {
        let match: PrefixIndex.Match? = prefixIndexes.withUnsafeBufferPointer { indexes in
            guard indexes.indices.contains(member) else { return (0, 0, 0, 0) }
            if let bound,
                !indexes[member].mayOutrank(
                    fingerprint.blocks, sharedLevel: bound.sharedLevel, uncached: bound.uncached,
                    strictly: bound.owner > 0 || fingerprint.key == nil)
            {
                return nil
            }
            return indexes[member].match(fingerprint.blocks)
        }
        guard let match else { return nil }
        var rank = WaiterRank(sharedLevel: PrefixIndex.level(match.sharedUses), uncached: fingerprint.blocks.count - match.length)
        if let bound, (rank.sharedLevel, -rank.uncached) < (bound.sharedLevel, -bound.uncached) { return nil }
        rank.owner = fingerprint.key.map { keyOwners[$0] == member ? 1 : 0 } ?? 0
        return rank
    }
}

/// How well a member suits one of several waiting requests, compared field by field: how often
/// it was sent the request's shared part (`AffinityScore.sharedLevel`), then fewer prompt blocks
/// it lacks (the prefill the request would pay there), then whether it served the request's
/// affinity key last.
///
/// Not `AffinityScore`, which compares members for one request by matched length: between
/// requests a longer match says only that the prompt is longer. Ranked by length, agents with
/// long histories kept passing the oldest waiter until the skip bound sent it to a member
/// without its persona; ranked by what each lacks, on F4-small about half as many calls left
/// their persona's members (prompt-token hits 86 % → 88 %).
struct WaiterRank: Comparable, Sendable {
    var sharedLevel: Int
    var uncached: Int
    var owner = 0

    static func < (lhs: WaiterRank, rhs: WaiterRank) -> Bool {
        (lhs.sharedLevel, -lhs.uncached, lhs.owner) < (rhs.sharedLevel, -rhs.uncached, rhs.owner)
    }
}
