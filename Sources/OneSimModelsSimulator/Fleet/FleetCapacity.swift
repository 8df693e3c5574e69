/// The capacity bound of a workload on a fleet: the shortest makespan any routing could reach,
/// the denominator of the benchmark figure "makespan ÷ ideal".
///
/// Formula. Each server `s` works on `m_s = maxNumSeqs` requests at once at its full-batch rate
/// `cap_s(t) = m_s × speed_s(t) / (1 + batchSlowdown_s × (m_s − 1))` batch-1 seconds per
/// second (the most throughput it has), with `C_s(T) = ∫₀ᵀ cap_s(t) dt` (speed changes make it
/// piecewise linear). The workload's prompt blocks are split in two:
/// - shared blocks, used by two or more agents (affinity keys; a call without a key is its own
///   agent): a persona. Every server pays their prefill once:
///   `P_s = sharedBlocks × blockTokens × prefill_s`;
/// - everything else is prefilled once over the whole fleet: a call pays for the prompt tokens
///   after the leading run of its blocks that are shared or were sent before (an agent's previous
///   prompt counts as cached), plus its decode:
///   `W_s = Σ_calls (chargedPromptTokens × prefill_s + outputTokens × decode_s)`.
///
/// If servers share work in the best proportions, server `s` finishes the fraction
/// `(C_s(T) − P_s)⁺ ÷ W_s` of the workload by time `T`; the bound is the least `T` with
/// `Σ_s (C_s(T) − P_s)⁺ ÷ W_s ≥ 1`. With equal servers and no speed changes this is
/// `T = (W + n × P) ÷ (n × cap)`. It ignores queueing, cache misses from eviction and the
/// indivisibility of requests, so real makespans are above it (1.0 is the physical limit).
package enum FleetCapacity {
    /// One call of a workload, as the bound sees it.
    package struct Call: Sendable, Hashable {
        package var blocks: [UInt64]
        package var promptTokens: Int
        package var outputTokens: Int
        /// The agent the call belongs to; nil: a one-off call.
        package var key: String?
        package init(blocks: [UInt64], promptTokens: Int, outputTokens: Int, key: String?) {
            self.blocks = blocks
            self.promptTokens = promptTokens
            self.outputTokens = outputTokens
            self.key = key
        }
    }

    /// The split of a workload's prompt tokens used by the bound.
    package struct Split: Sendable, Hashable {
        /// Tokens of shared blocks (paid once per server).
        package var sharedTokens: Int
        /// Prompt tokens paid once over the fleet.
        package var chargedPromptTokens: Int
        /// Output tokens.
        package var outputTokens: Int
        /// All prompt tokens.
        package var promptTokens: Int
    }

    /// The split of the calls added by a later step: `later` (the workload up to that step)
    /// minus `earlier` (up to the step before), field by field.
    package static func difference(_ later: Split, _ earlier: Split) -> Split {
        Split(
            sharedTokens: max(0, later.sharedTokens - earlier.sharedTokens),
            chargedPromptTokens: max(0, later.chargedPromptTokens - earlier.chargedPromptTokens),
            outputTokens: max(0, later.outputTokens - earlier.outputTokens),
            promptTokens: max(0, later.promptTokens - earlier.promptTokens))
    }

    /// The best prefix-cache hit rate a fleet of `servers` servers can reach on a split workload:
    /// every prompt token hits except the once-paid ones and each shared block once per server.
    /// Nil when the workload has no prompt tokens.
    package static func idealHitRate(_ split: Split, servers: Int) -> Double? {
        guard split.promptTokens > 0 else { return nil }
        let missed = Double(split.chargedPromptTokens) + Double(split.sharedTokens) * Double(max(1, servers))
        return max(0, min(1, 1 - missed / Double(split.promptTokens)))
    }

    /// Splits `calls` (in sending order) into shared and once-paid prompt tokens. With
    /// `historyIsCached` false, only shared blocks (personas) count as cached: an agent's
    /// previous prompt is prefilled again, the bound exactly as fleet issue 14 words it ("each
    /// persona's prefill paid once per server"); the default also credits histories.
    package static func split(_ calls: [Call], blockTokens: Int, historyIsCached: Bool = true) -> Split {
        var owners: [UInt64: Int] = [:]  // block → first agent index, or -1 once two agents use it
        var agentIndex: [String: Int] = [:]
        var agents: [Int] = []
        agents.reserveCapacity(calls.count)
        for (i, call) in calls.enumerated() {
            let agent: Int
            if let key = call.key {
                if let known = agentIndex[key] { agent = known } else {
                    agent = agentIndex.count + calls.count
                    agentIndex[key] = agent
                }
            } else {
                agent = i
            }
            agents.append(agent)
            for block in call.blocks {
                if let owner = owners[block] {
                    if owner != agent { owners[block] = -1 }
                } else {
                    owners[block] = agent
                }
            }
        }
        var seen = Set<UInt64>()
        var split = Split(sharedTokens: 0, chargedPromptTokens: 0, outputTokens: 0, promptTokens: 0)
        let tokensPerBlock = max(1, blockTokens)
        split.sharedTokens = saturatingMultiply(owners.values.lazy.filter { $0 == -1 }.count, tokensPerBlock)
        for call in calls {
            var run = 0
            for block in call.blocks {
                guard owners[block] == -1 || (historyIsCached && seen.contains(block)) else { break }
                run += 1
            }
            let prompt = max(0, call.promptTokens)
            split.chargedPromptTokens = saturatingAdd(
                split.chargedPromptTokens, max(0, prompt - min(prompt, saturatingMultiply(run, tokensPerBlock))))
            split.outputTokens = saturatingAdd(split.outputTokens, max(0, call.outputTokens))
            split.promptTokens = saturatingAdd(split.promptTokens, prompt)
            for block in call.blocks { seen.insert(block) }
        }
        return split
    }

    /// The capacity bound, in seconds, of `calls` on `servers` (see the type's formula);
    /// 0 for an empty workload or fleet.
    package static func idealMakespan(_ calls: [Call], servers: [FleetServerConfig], blockTokens: Int) -> Double {
        idealMakespan(split(calls, blockTokens: blockTokens), servers: servers)
    }

    /// The capacity bound, in seconds, of a split workload on `servers`, for a workload released
    /// `start` seconds after the servers started (speed changes are at times from their start).
    package static func idealMakespan(_ split: Split, servers: [FleetServerConfig], from start: Double = 0) -> Double {
        let start = start.isFinite ? max(0, start) : 0
        func work(_ server: FleetServerConfig, until time: Double) -> Double {
            FleetCapacity.work(server, until: start + time) - FleetCapacity.work(server, until: start)
        }
        guard !servers.isEmpty else { return 0 }
        let terms: [(w: Double, p: Double, server: FleetServerConfig)] = servers.map { s in
            let w = Double(split.chargedPromptTokens) * s.prefillSecondsPerToken + Double(split.outputTokens) * s.decodeSecondsPerToken
            return (w, Double(split.sharedTokens) * s.prefillSecondsPerToken, s)
        }
        guard terms.contains(where: { $0.w > 0 }) else {
            // Only shared prefill (or nothing): the fastest server does it alone.
            return terms.map { t in solve(t.server, start: start) { c in c >= t.p } }.min() ?? 0
        }
        func done(_ time: Double) -> Bool {
            var fraction = 0.0
            for t in terms where t.w > 0 {
                fraction += max(0, work(t.server, until: time) - t.p) / t.w
            }
            return fraction >= 1
        }
        var high = 1.0
        var doublings = 0
        while !done(high) && doublings < 80 {
            high *= 2
            doublings += 1
        }
        var low = 0.0
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if done(mid) { high = mid } else { low = mid }
            if high - low <= high * 1e-12 { break }
        }
        return high
    }

    /// The least time at which `condition(work until time)` holds, for one server.
    private static func solve(_ server: FleetServerConfig, start: Double, _ condition: (Double) -> Bool) -> Double {
        func work(_ server: FleetServerConfig, until time: Double) -> Double {
            FleetCapacity.work(server, until: start + time) - FleetCapacity.work(server, until: start)
        }
        var high = 1.0
        var doublings = 0
        while !condition(work(server, until: high)) && doublings < 80 {
            high *= 2
            doublings += 1
        }
        var low = 0.0
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if condition(work(server, until: mid)) { high = mid } else { low = mid }
            if high - low <= high * 1e-12 { break }
        }
        return condition(0) ? 0 : high
    }

    /// `C_s(T)`: batch-1 seconds of work server `s` can do at full batch from 0 to `time`.
    package static func work(_ server: FleetServerConfig, until time: Double) -> Double {
        let m = server.maxNumSeqs
        let perSpeed = Double(m) / (1 + server.batchSlowdown * Double(max(0, m - 1)))
        var total = 0.0
        var t = 0.0
        var speed = server.speed
        for change in server.speedChanges {
            let at = FleetTime.seconds(change.at)
            if at >= time { break }
            total += perSpeed * speed * (at - t)
            t = at
            speed = change.speed
        }
        total += perSpeed * speed * max(0, time - t)
        return total
    }

    static func saturatingMultiply(_ a: Int, _ b: Int) -> Int {
        let (p, o) = a.multipliedReportingOverflow(by: b)
        return o ? Int.max : p
    }
}
