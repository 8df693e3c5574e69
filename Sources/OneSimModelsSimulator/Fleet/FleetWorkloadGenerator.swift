/// The built-in agent workload of `bench`: `agents` agents, each with one of `personas` personas
/// (agent `i` has persona `i mod personas`), over `steps` steps.
///
/// A persona is a system prompt of about `personaTokens` tokens (the fleet tokenizer's bytes ÷ 4)
/// of deterministic pseudo-text. At step `s` agent `i` sends its persona, then its history
/// (each earlier step's user turn and a short assistant reply), then this step's user turn; so
/// its prompt grows every step and its previous prompt is a prefix of the next one.
/// `max_tokens` is drawn uniformly from `maxTokens`; `affinity_key` is `"agent-<i>"`.
/// Everything follows from `seed`: the same arguments give the same workload.
package struct FleetWorkloadGenerator: Sendable, Hashable {
    package var agents: Int
    package var personas: Int
    package var personaTokens: Int
    package var maxTokens: ClosedRange<Int>
    package var steps: Int
    package var seed: UInt64

    /// Accepted ranges (callers check flags against them).
    package static let agentsRange = 1...1_000_000
    package static let personasRange = 1...10_000
    package static let personaTokensRange = 1...100_000
    package static let stepsRange = 1...10_000
    /// Calls (agents × steps) the generator makes at most.
    package static let maximumCalls = 10_000_000

    package init(agents: Int, personas: Int, personaTokens: Int, maxTokens: ClosedRange<Int>, steps: Int, seed: UInt64) {
        self.agents = agents
        self.personas = personas
        self.personaTokens = personaTokens
        self.maxTokens = maxTokens
        self.steps = steps
        self.seed = seed
    }

    static let words = [
        "river", "market", "harvest", "lantern", "council", "orchard", "merchant", "winter", "village", "garden",
        "letter", "bridge", "festival", "weaver", "forest", "ledger", "tavern", "quarry", "mill", "harbor",
        "shepherd", "caravan", "mountain", "scholar", "kitchen", "archive", "meadow", "workshop", "temple", "granary",
    ]

    /// About `tokens` tokens (4 bytes each) of pseudo-text drawn from `rng`.
    static func text(tokens: Int, rng: inout SplitMix64) -> String {
        let bytes = tokens * FleetPromptBlocks.bytesPerToken
        var out = ""
        out.reserveCapacity(bytes + 16)
        while out.utf8.count < bytes {
            if !out.isEmpty { out += " " }
            out += words[Int(rng.next() % UInt64(words.count))]
        }
        return out
    }

    /// The workload, one step per list; nil when the arguments are out of range.
    package func make() -> FleetWorkload? {
        guard Self.agentsRange.contains(agents), Self.personasRange.contains(personas),
            Self.personaTokensRange.contains(personaTokens), Self.stepsRange.contains(steps),
            maxTokens.lowerBound >= 1, maxTokens.upperBound <= FleetChatJob.maximumOutputTokens,
            agents.multipliedReportingOverflow(by: steps).partialValue <= Self.maximumCalls,
            !agents.multipliedReportingOverflow(by: steps).overflow
        else { return nil }
        var personaTexts: [String] = []
        for p in 0..<personas {
            var rng = SplitMix64(seed: seed ^ (0xA5A5_0000 &+ UInt64(p)) &* 0x9E37_79B9_7F4A_7C15)
            personaTexts.append("You are persona \(p). " + Self.text(tokens: personaTokens, rng: &rng))
        }
        var rng = SplitMix64(seed: seed)
        var histories = [[FleetWorkload.Message]](repeating: [], count: agents)
        var result: [[FleetWorkload.Call]] = []
        let span = UInt64(maxTokens.upperBound - maxTokens.lowerBound) + 1
        for step in 0..<steps {
            var calls: [FleetWorkload.Call] = []
            calls.reserveCapacity(agents)
            for agent in 0..<agents {
                let user = FleetWorkload.Message(
                    role: "user", content: "Step \(step). Agent \(agent) observes: " + Self.text(tokens: 24, rng: &rng))
                let messages = [FleetWorkload.Message(role: "system", content: personaTexts[agent % personas])]
                    + histories[agent] + [user]
                let max = maxTokens.lowerBound + Int(rng.next() % span)
                calls.append(.init(messages: messages, maxTokens: max, affinityKey: "agent-\(agent)"))
                histories[agent].append(user)
                histories[agent].append(.init(role: "assistant", content: "Agent \(agent) acts: " + Self.text(tokens: 8, rng: &rng)))
            }
            result.append(calls)
        }
        return FleetWorkload(steps: result)
    }
}
