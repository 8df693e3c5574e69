import Foundation
import Testing

@testable import OneSimModelsCore
@testable import OneSimModelsRouting

/// The fleet dispatch's decisions, stepped exactly on the balancer core (no clock, no sleeps).
@Suite("Fleet dispatch: decisions")
struct FleetDispatchTests {
    func fleetCore(_ deployments: [DeploymentSettings], fleet: FleetSettings = .init()) -> BalancerCore {
        BalancerCore(
            names: deployments.indices.map { "m\($0)" }, deployments: deployments,
            settings: BalancerSettings(strategy: .fleet, fleet: fleet), now: .zero, seed: 1)
    }

    /// A prompt of persona `persona` (three blocks) and `extra` blocks of its own.
    func prompt(_ persona: UInt64, _ extra: [UInt64] = [], key: String? = nil) -> PromptFingerprint {
        PromptFingerprint(blocks: [persona * 1000 + 1, persona * 1000 + 2, persona * 1000 + 3] + extra, key: key.map(PromptFingerprint.hash(key:)))
    }

    func take(_ c: inout BalancerCore, _ fingerprint: PromptFingerprint = .none, now: Duration = .zero) -> AdmissionDecision {
        c.acquire(excluding: [], tokens: 1, deadline: .seconds(600), now: now, fingerprint: fingerprint).0
    }

    func success() -> AttemptResult { .success(latency: .seconds(1), usage: Usage(promptTokens: 10, completionTokens: 100)) }

    @Test("late binding: calls beyond every member's learned slots wait, and go to the first member that frees one")
    func lateBinding() throws {
        var c = fleetCore([.default, .default])
        var grants: [Grant] = []
        for _ in 0..<6 { grants.append(try #require(grant(take(&c)))) }
        #expect(grants.filter { $0.member == 0 }.count == 3, "spread by the used share of the limit")
        // Each server reports 2 running and 1 waiting while this balancer holds 3 there: 2 slots.
        for i in 0..<2 { c.members[i].limiter.observe(ServerLoad(running: 2, waiting: 1), at: .zero) }
        #expect(c.members.map { $0.limiter.snapshot.learnedLimit } == [2, 2])
        let waiting = take(&c)
        guard case .wait(let id) = waiting else {
            Issue.record("expected a wait, got \(waiting)")
            return
        }
        let onOne = grants.filter { $0.member == 1 }
        #expect(c.release(onOne[0], success(), now: .seconds(1)).resolutions.isEmpty, "member 1 is still at its 2 slots")
        let freed = c.release(onOne[1], success(), now: .seconds(1)).resolutions
        #expect(freed.count == 1)
        #expect(freed.first?.id == id)
        if case .granted(let g)? = freed.first?.outcome { #expect(g.member == 1) } else { Issue.record("not granted: \(freed)") }
    }

    @Test("an arriving call goes to the member that has its prompt's prefix, new prefixes spread")
    func arrivalAffinity() throws {
        var c = fleetCore(Array(repeating: DeploymentSettings(maxConcurrency: 8), count: 3))
        let a = try #require(grant(take(&c, prompt(1))))
        let b = try #require(grant(take(&c, prompt(2))))
        let d = try #require(grant(take(&c, prompt(3))))
        #expect(Set([a.member, b.member, d.member]) == [0, 1, 2], "each new persona to the member with the least cached")
        for _ in 0..<3 {
            #expect(grant(take(&c, prompt(1, [77])))?.member == a.member)
            #expect(grant(take(&c, prompt(2, [78])))?.member == b.member)
        }
        // A tie on the prefix goes to the member that served the call's key last.
        var tied = fleetCore(Array(repeating: DeploymentSettings(maxConcurrency: 8), count: 2))
        _ = grant(take(&tied, prompt(1, [], key: "agent-1")))
        let other = try #require(grant(take(&tied, prompt(9))))
        _ = grant(take(&tied, prompt(1, [], key: "agent-2"), now: .seconds(1)))  // persona 1 now also on... the same member
        #expect(grant(take(&tied, prompt(1, [5], key: "agent-1")))?.member != other.member)
    }

    @Test("a shared prefix sticks to the member that was sent it most, not to the one that took it last")
    func useCountBeatsRecency() throws {
        var c = fleetCore(Array(repeating: DeploymentSettings(maxConcurrency: 100), count: 2))
        let home = try #require(grant(take(&c, prompt(1, [11])))).member
        for i in 0..<3 { #expect(grant(take(&c, prompt(1, [UInt64(20 + i)])))?.member == home) }
        // One call of the persona lands on the other member (the home excluded, as on a retry).
        let spill = c.acquire(excluding: [home], tokens: 1, deadline: .seconds(600), now: .zero, fingerprint: prompt(1, [30])).0
        let other = try #require(grant(spill)).member
        #expect(other != home)
        #expect(c.affinityScore(other, prompt(1)).stamp > c.affinityScore(home, prompt(1)).stamp, "the other member used it last")
        #expect(c.affinityScore(home, prompt(1)).uses == 4)
        #expect(c.affinityScore(other, prompt(1)).uses == 1)
        #expect(grant(take(&c, prompt(1, [40])))?.member == home, "four uses beat one more recent use")
    }

    @Test("an agent whose history went to a member that serves its persona by chance goes back to the persona's member")
    func sharedPartBeatsALongerChanceMatch() throws {
        var c = fleetCore(Array(repeating: DeploymentSettings(maxConcurrency: 100), count: 2))
        let home = try #require(grant(take(&c, prompt(1, [11])))).member
        for i in 0..<15 {
            let g = try #require(grant(take(&c, prompt(1, [UInt64(20 + i)]))))
            #expect(g.member == home)
            _ = c.release(g, success(), now: .zero)  // loads stay even: only affinity decides
        }
        // Agent 7's first call lands on the other member (the home excluded, as on a retry).
        let spill = c.acquire(excluding: [home], tokens: 1, deadline: .seconds(600), now: .zero, fingerprint: prompt(1, [70], key: "agent-7")).0
        let chance = try #require(grant(spill)).member
        // Its next prompt extends the first: the chance member holds the longer match (and the
        // key), the home the persona's 16 sends against 1.
        #expect(c.affinityScore(chance, prompt(1, [70, 71], key: "agent-7")).length > c.affinityScore(home, prompt(1, [70, 71])).length)
        #expect(grant(take(&c, prompt(1, [70, 71], key: "agent-7")))?.member == home)
        // Where both members serve the persona about as often, the history decides.
        var even = fleetCore(Array(repeating: DeploymentSettings(maxConcurrency: 100), count: 2))
        for member in 0..<2 {
            for i in 0..<8 {
                let d = even.acquire(
                    excluding: [1 - member], tokens: 1, deadline: .seconds(600), now: .zero,
                    fingerprint: prompt(1, [UInt64(100 * member + i)])).0
                let g = try #require(grant(d))
                #expect(g.member == member)
                _ = even.release(g, success(), now: .zero)
            }
        }
        let first = try #require(
            grant(even.acquire(excluding: [0], tokens: 1, deadline: .seconds(600), now: .zero, fingerprint: prompt(1, [90], key: "agent-9")).0))
        #expect(first.member == 1)
        _ = even.release(first, success(), now: .zero)
        #expect(grant(take(&even, prompt(1, [90, 91], key: "agent-9")))?.member == 1, "its history is on member 1")
    }

    @Test("affinity yields to load beyond the balance thresholds, keeping what affinity the others offer")
    func imbalance() throws {
        let fleet = FleetSettings(balanceAbsThreshold: 2, balanceRelThreshold: 1.5)
        var c = fleetCore(Array(repeating: DeploymentSettings(maxConcurrency: 100), count: 3), fleet: fleet)
        var loads = [0, 0, 0]
        for i in 0..<60 {
            let minimum = loads.min() ?? 0
            let g = try #require(grant(take(&c, prompt(1, [UInt64(10_000 + i)]))))
            let before = loads[g.member]
            loads[g.member] += 1
            let imbalanced = before - minimum > fleet.balanceAbsThreshold && Double(before) > fleet.balanceRelThreshold * Double(minimum)
            #expect(!imbalanced, "call \(i): loads \(loads)")
        }
        #expect(loads.allSatisfy { $0 >= 15 }, "one hot persona still uses the whole fleet: \(loads)")
    }

    @Test("a freed slot takes the waiter its member has cached best; a passed-over head goes after max_skips")
    func lookaheadAndStarvationBound() throws {
        var c = fleetCore(
            Array(repeating: DeploymentSettings(maxConcurrency: 1), count: 2), fleet: FleetSettings(lookahead: 8, maxSkips: 2))
        var onA = try #require(grant(take(&c, prompt(1))))
        let onB = try #require(grant(take(&c, prompt(2))))
        #expect(onA.member != onB.member)
        var ids: [UInt64] = []
        for persona in [2, 1, 1, 1, 1] as [UInt64] {
            guard case .wait(let id) = take(&c, prompt(persona, [persona * 7])) else {
                Issue.record("expected to wait")
                return
            }
            ids.append(id)
        }
        // Persona 1's member frees its slot three times: two persona-1 waiters pass the persona-2
        // head, then the head has been passed over twice and goes.
        var served: [UInt64] = []
        for step in 0..<3 {
            let resolutions = c.release(onA, success(), now: .seconds(Int64(step + 1))).resolutions
            #expect(resolutions.count == 1)
            guard let r = resolutions.first, case .granted(let g) = r.outcome else { return }
            #expect(g.member == onA.member)
            served.append(r.id)
            onA = g
        }
        #expect(served == [ids[1], ids[2], ids[0]])
    }

    @Test("between waiters of the member's persona a freed slot keeps FIFO order: a longer cached history does not pass the head")
    func waitersRankByWhatTheyLack() throws {
        var c = fleetCore(Array(repeating: DeploymentSettings(maxConcurrency: 1), count: 2), fleet: FleetSettings(lookahead: 8, maxSkips: 4))
        // Two agents of persona 1 ran on its member before: agent 1 with a short history, agent 2
        // with a long one. Persona 2 holds the other member.
        let earlier = try #require(grant(take(&c, prompt(1, [10], key: "agent-1"))))
        #expect(c.release(earlier, success(), now: .seconds(1)).resolutions.isEmpty)
        let home = try #require(grant(take(&c, prompt(1, [20, 21, 22, 23], key: "agent-2"))))
        #expect(home.member == earlier.member)
        let other = try #require(grant(take(&c, prompt(2))))
        #expect(other.member != home.member)
        // Each agent's next prompt extends its last one by one block; agent 1 waits first.
        guard case .wait(let first) = take(&c, prompt(1, [10, 11], key: "agent-1")),
            case .wait(let second) = take(&c, prompt(1, [20, 21, 22, 23, 24], key: "agent-2"))
        else {
            Issue.record("expected both to wait")
            return
        }
        #expect(c.affinityScore(home.member, prompt(1, [20, 21, 22, 23, 24])).length > c.affinityScore(home.member, prompt(1, [10, 11])).length)
        // Both lack one block on the persona's member: the oldest goes first.
        let freed = c.release(home, success(), now: .seconds(2)).resolutions
        #expect(freed.map(\.id) == [first])
        if case .granted(let g)? = freed.first?.outcome { #expect(g.member == home.member) } else { Issue.record("not granted: \(freed)") }
        #expect(c.waiters.map(\.id) == [second])
        #expect(c.waiters.first?.skipped == 0)
        // A waiter that lacks less still passes an older one that lacks more.
        var d = fleetCore(Array(repeating: DeploymentSettings(maxConcurrency: 1), count: 2), fleet: FleetSettings(lookahead: 8, maxSkips: 4))
        let h = try #require(grant(take(&d, prompt(1, [30, 31, 32], key: "agent-3"))))
        let o = try #require(grant(take(&d, prompt(2))))
        #expect(o.member != h.member)
        guard case .wait(let stranger) = take(&d, prompt(1, [40, 41, 42, 43], key: "agent-4")),
            case .wait(let known) = take(&d, prompt(1, [30, 31, 32, 33], key: "agent-3"))
        else {
            Issue.record("expected both to wait")
            return
        }
        let taken = d.release(h, success(), now: .seconds(1)).resolutions
        #expect(taken.map(\.id) == [known], "agent 3's history is cached there: it lacks 1 block, agent 4 lacks 4")
        #expect(d.waiters.map(\.id) == [stranger])
        #expect(d.waiters.first?.skipped == 1)
    }

    @Test("a straggler takes no call while the queue is short; with a queue a member slowed only by its own load is no straggler", arguments: [2, 8] as [Int64])
    func stragglers(slowLatency: Int64) throws {
        var c = fleetCore([DeploymentSettings(maxConcurrency: 4), DeploymentSettings(maxConcurrency: 8)])
        var grants: [Grant] = []
        for _ in 0..<12 { grants.append(try #require(grant(take(&c)))) }
        // One latency sample per member, from the request each started last (4 and 8 in flight).
        let last0 = try #require(grants.filter { $0.member == 0 }.max { $0.inFlightAtStart < $1.inFlightAtStart })
        let last1 = try #require(grants.filter { $0.member == 1 }.max { $0.inFlightAtStart < $1.inFlightAtStart })
        #expect((last0.inFlightAtStart, last1.inFlightAtStart) == (4, 8))
        let usage = Usage(promptTokens: 10, completionTokens: 100)
        _ = c.release(last0, .success(latency: .seconds(1), usage: usage), now: .seconds(1))
        _ = c.release(last1, .success(latency: .seconds(slowLatency), usage: usage), now: .seconds(1))
        // Per token of throughput: member 0 1 s / 100 / 4, member 1 slowLatency / 100 / 8.
        let fast = try #require(c.members[0].recentSpeed(queued: true, at: .seconds(1)))
        let slow = try #require(c.members[1].recentSpeed(queued: true, at: .seconds(1)))
        #expect(abs(slow / fast - Double(slowLatency) / 2) < 1e-9)
        let rawFast = try #require(c.members[0].recentSpeed(queued: false, at: .seconds(1)))
        let rawSlow = try #require(c.members[1].recentSpeed(queued: false, at: .seconds(1)))
        #expect(abs(rawSlow / rawFast - Double(slowLatency)) < 1e-9, "with nobody waiting: raw latency per token")
        let refill = try #require(grant(take(&c, now: .seconds(1))))
        #expect(refill.member == 0, "the lower used share of its limit")
        // Member 0 is full; member 1 has a free slot. With nobody waiting, raw latency per token
        // decides: member 1 is 2× or 8× slower, and the call waits for member 0.
        let next = take(&c, now: .seconds(1))
        guard case .wait(let waiter) = next else {
            Issue.record("a call went to the straggler with no queue: \(next)")
            return
        }
        if slowLatency == 2 {
            // Now a call waits: twice the latency per token with twice the requests in flight is
            // as fast (by raw latency per token member 1 stayed 2× slower, and the call would
            // wait for member 0 while fewer than 4 calls wait). A slot frees on member 1.
            let other = try #require(grants.first { $0.member == 1 && $0 != last1 })
            let freed = c.release(other, .cancelled, now: .seconds(2)).resolutions
            #expect(freed.map(\.id) == [waiter])
            if case .granted(let g)? = freed.first?.outcome { #expect(g.member == 1) } else { Issue.record("not granted: \(freed)") }
            return
        }
        // 4× slower: with 4 fast slots the straggler waits for a queue of 4 × (4 − 1) calls.
        for _ in 0..<12 { _ = take(&c, now: .seconds(1)) }
        #expect(c.queuedCount == 13)
        let freed = c.release(refill, .success(latency: .seconds(1), usage: usage), now: .seconds(2)).resolutions
        var members: [Int] = []
        for r in freed { if case .granted(let g) = r.outcome { members.append(g.member) } }
        #expect(members == [0, 1], "member 0 takes the head; with 12 still waiting the straggler takes the next")
    }

    @Test("every path frees the learned slot: success, failure, cancellation, never sent")
    func everyPathFreesItsSlot() throws {
        var c = fleetCore([DeploymentSettings(maxConcurrency: 1)])
        let results: [AttemptResult] = [
            success(), .failure(ModelError(.serverError, "boom", status: 500), .retryable), .cancelled, .notSent,
        ]
        for (i, result) in results.enumerated() {
            let g = try #require(grant(take(&c, prompt(1), now: .seconds(Int64(i)))))
            guard case .wait = take(&c, prompt(1), now: .seconds(Int64(i))) else {
                Issue.record("the slot should be taken")
                return
            }
            let freed = c.release(g, result, now: .seconds(Int64(i))).resolutions
            #expect(freed.count == 1, "after \(result)")
            if case .granted(let next)? = freed.first?.outcome {
                _ = c.release(next, success(), now: .seconds(Int64(i)))
            }
            #expect(c.members[0].limiter.snapshot.inFlight == 0)
        }
    }
}

/// The share of a prompt the member's index held at dispatch rides on the grant, so the learned
/// limit can discount the prefill the server's cache saved when the server reports no cached tokens.
@Suite("Fleet dispatch: cached share")
struct CachedShareTests {
    @Test("a grant carries the share of its prompt's blocks the member was sent before")
    func grantCarriesTheCachedShare() throws {
        let t = FleetDispatchTests()
        var c = t.fleetCore([.default])
        let first = try #require(grant(t.take(&c, t.prompt(1, [7]))))
        #expect(first.cachedShare == 0, "nothing was sent there yet")
        let second = try #require(grant(t.take(&c, t.prompt(1, [8]))))
        #expect(second.cachedShare == 0.75, "the persona's three blocks of four")
        let third = try #require(grant(t.take(&c, t.prompt(1, [8]))))
        #expect(third.cachedShare == 1)
        let keyOnly = try #require(grant(t.take(&c, PromptFingerprint(blocks: [], key: 42))))
        #expect(keyOnly.cachedShare == 0, "no blocks, no share")
        var plain = BalancerCore(
            names: ["m0"], deployments: [.default], settings: BalancerSettings(strategy: .leastBusy), now: .zero, seed: 1)
        _ = try #require(grant(t.take(&plain, t.prompt(1))))
        let again = try #require(grant(t.take(&plain, t.prompt(1))))
        #expect(again.cachedShare == 0, "only the fleet dispatch keeps an index")
    }
}

/// The `affinity` strategy: consistent hashing with bounded loads.
@Suite("Fleet dispatch: affinity strategy")
struct AffinityStrategyTests {
    func affinityCore(_ n: Int, factor: Double = 1.25) -> BalancerCore {
        BalancerCore(
            names: (0..<n).map { "m\($0)" }, deployments: Array(repeating: .default, count: n),
            settings: BalancerSettings(strategy: .affinity, fleet: FleetSettings(affinityLoadFactor: factor)), now: .zero, seed: 1)
    }

    func key(_ k: Int) -> PromptFingerprint { PromptFingerprint(blocks: [], key: PromptFingerprint.hash(key: "agent-\(k)")) }

    @Test("a key keeps its member while loads are even; a member that cools down moves only its own keys")
    func stickyAndStable() throws {
        var c = affinityCore(5)
        var owner: [Int: Int] = [:]
        for k in 0..<200 {
            let g = try #require(grant(c.acquire(excluding: [], tokens: 1, deadline: .seconds(60), now: .zero, fingerprint: key(k)).0))
            owner[k] = g.member
            _ = c.release(g, .success(latency: .seconds(1), usage: .zero), now: .zero)
        }
        #expect(Set(owner.values).count == 5, "keys spread over every member")
        for k in 0..<200 {
            let g = try #require(grant(c.acquire(excluding: [], tokens: 1, deadline: .seconds(60), now: .zero, fingerprint: key(k)).0))
            #expect(g.member == owner[k])
            _ = c.release(g, .success(latency: .seconds(1), usage: .zero), now: .zero)
        }
        // Cool the first key's member down (401), then look again.
        let first = try #require(grant(c.acquire(excluding: [], tokens: 1, deadline: .seconds(60), now: .zero, fingerprint: key(0)).0))
        _ = c.release(first, .failure(ModelError(.authentication, "no", status: 401), .coolAndMove), now: .zero)
        let gone = owner[0] ?? -1
        for k in 0..<200 {
            let g = try #require(grant(c.acquire(excluding: [], tokens: 1, deadline: .seconds(60), now: .seconds(1), fingerprint: key(k)).0))
            if owner[k] == gone { #expect(g.member != gone) } else { #expect(g.member == owner[k], "key \(k) moved") }
            _ = c.release(g, .success(latency: .seconds(1), usage: .zero), now: .seconds(1))
        }
    }

    @Test("with Zipf-skewed keys no member ever holds more than c × the average load", arguments: [1.25, 1.5])
    func boundedLoads(factor: Double) throws {
        let n = 8
        var c = affinityCore(n, factor: factor)
        var random = SplitMix64(seed: 42)
        // Zipf(1.1) over 1,000 keys by inversion of the cumulative weights.
        let weights = (1...1_000).map { 1 / pow(Double($0), 1.1) }
        let total = weights.reduce(0, +)
        var cumulative: [Double] = []
        var sum = 0.0
        for w in weights {
            sum += w / total
            cumulative.append(sum)
        }
        var held: [Grant] = []
        let ring = AffinityRing(names: (0..<n).map { "m\($0)" }, loadFactor: factor)
        for _ in 0..<5_000 {
            let u = Double(random.next() >> 11) / Double(1 << 53)
            let k = cumulative.firstIndex { $0 >= u } ?? 999
            let before = c.members.reduce(0) { $0 + $1.inFlight }
            let g = try #require(grant(c.acquire(excluding: [], tokens: 1, deadline: .seconds(60), now: .zero, fingerprint: key(k)).0))
            #expect(c.members[g.member].inFlight <= ring.bound(total: before, members: n))
            held.append(g)
            if held.count > 64 {
                let i = Int(random.next() % UInt64(held.count))
                _ = c.release(held.remove(at: i), .success(latency: .seconds(1), usage: .zero), now: .zero)
            }
        }
    }
}
