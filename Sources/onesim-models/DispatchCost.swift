import OneSimModels

/// The balancer's decision alone, timed: a `BalancerCore` (exactly the one a `LoadBalancer`
/// runs under its lock) acquiring and releasing calls in a tight loop on one thread, with no
/// I/O, no tasks and no clock reads but the timer's. One decision is a release (whose freed
/// slot goes to a waiter, if any) and an acquire, plus, for the strategies that match prompts
/// (`fleet`, `affinity`), hashing the call's prompt into its fingerprint, as a `LoadBalancer`
/// does before it takes its lock.
///
/// A run holds `members` calls in flight (one per member) and `waiters` more in the queue
/// (members then take one call each, so every release hands its slot to a waiter and every
/// acquire waits). With `personas` > 0 each call sends one of that many ~800-token personas
/// and a line of its own, under one of 1,000 agent keys, so the fleet dispatch's prefix indexes
/// fill up to their caps as they would in a long simulation; with 0 it sends `bench`'s short
/// prompt (no whole block, no key).
struct DispatchCost {
    struct Case: Hashable {
        var members: Int
        var waiters: Int
        var personas: Int
    }

    /// The strategies compared, in the order they are timed.
    let strategies: [(label: String, strategy: BalancerStrategy)]
    /// Decisions per timed run.
    let decisions: Int
    /// Timed runs per strategy (the fastest counts: interference only adds time).
    let repeats: Int

    /// What one timed run saw.
    struct Sample {
        /// Nanoseconds per decision.
        var nanoseconds: Double
        /// Calls in flight and waiting when the run ended (the case's members and waiters if
        /// the run held its shape).
        var inFlight: Int
        var waiting: Int
    }

    /// Nanoseconds per decision for each strategy in `strategies`, for `c`.
    func measure(_ c: Case) -> [Double] {
        let prompts = Self.prompts(personas: c.personas)
        var best = Array(repeating: Double.infinity, count: strategies.count)
        for _ in 0..<repeats {
            for (i, entry) in strategies.enumerated() {
                best[i] = min(best[i], run(entry.strategy, c, prompts: prompts).nanoseconds)
            }
        }
        return best
    }

    /// One timed run.
    func run(_ strategy: BalancerStrategy, _ c: Case, prompts: [(Prompt, String?)]) -> Sample {
        let names = BenchCommand.memberNames(c.members)
        let deployment = DeploymentSettings(maxConcurrency: c.waiters > 0 ? 1 : nil)
        var core = BalancerCore(
            names: names, deployments: Array(repeating: deployment, count: c.members),
            settings: BalancerSettings(strategy: strategy, queueTimeout: .seconds(1_000_000)), now: .zero, seed: 1)
        let hashes = DispatchMode(strategy).matchesPrompts  // as `LoadBalancer` decides it
        let usage = Usage(promptTokens: 900, completionTokens: 100)
        var now: Duration = .zero
        var next = 0
        func fingerprint() -> PromptFingerprint {
            let (prompt, key) = prompts[next % prompts.count]
            next &+= 1
            return hashes ? PromptFingerprint(prompt: prompt, affinityKey: key) : .none
        }
        func acquire() -> Grant? {
            let decision = core.acquire(excluding: [], tokens: 1_000, deadline: now + .seconds(1_000_000), now: now, fingerprint: fingerprint()).0
            if case .done(.granted(let g)) = decision { return g }
            return nil
        }
        // Fill: one call in flight per member, then the waiters.
        var inFlight: [Grant] = []
        for _ in 0..<(c.members + c.waiters) {
            if let g = acquire() { inFlight.append(g) }
        }
        guard !inFlight.isEmpty else { return Sample(nanoseconds: .nan, inFlight: 0, waiting: core.queuedCount) }
        // Warm up the indexes and latency samples, then time.
        func loop(_ count: Int) {
            for i in 0..<count {
                now += .microseconds(10)
                let slot = i % inFlight.count
                let freed = core.release(inFlight[slot], .success(latency: .milliseconds(100), usage: usage), now: now).resolutions
                // The freed slot goes to a waiter (with waiters) or to the new call (without).
                for r in freed { if case .granted(let g) = r.outcome { inFlight[slot] = g } }
                if let g = acquire() { inFlight[slot] = g }
            }
        }
        loop(min(decisions, 20_000))
        let clock = ContinuousClock()
        let start = clock.now
        loop(decisions)
        let elapsed = clock.now - start
        return Sample(nanoseconds: elapsed.nanoseconds / Double(decisions), inFlight: inFlight.count, waiting: core.queuedCount)
    }

    /// The prompts calls cycle through.
    static func prompts(personas: Int) -> [(Prompt, String?)] {
        guard personas > 0 else { return [(Prompt([UserMessage("Say hello.")]), nil)] }
        let words = ["river", "market", "harvest", "lantern", "council", "orchard", "merchant", "winter"]
        let texts = (0..<personas).map { p in
            "You are persona \(p). " + (0..<530).map { words[($0 &* 7 &+ p) % words.count] }.joined(separator: " ")
        }
        return (0..<1_000).map { agent in
            (Prompt([SystemMessage(texts[agent % personas]), UserMessage("Agent \(agent) observes the market and the weather today.")]),
             "agent-\(agent)")
        }
    }
}

extension Duration {
    /// The duration in nanoseconds.
    var nanoseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1e9 + Double(attoseconds) / 1e9
    }
}
