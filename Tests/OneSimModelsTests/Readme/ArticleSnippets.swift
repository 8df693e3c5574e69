import OneSimModels

// Samples that only the DocC articles (Sources/OneSimModels/OneSimModels.docc/) show, verbatim
// inside functions so they compile; `ArticleExamplesTests` runs them against the simulator.

enum ArticleSnippets {
    /// RoutingForLLMFleets.md, "Sending the agents".
    static func fleet() async throws -> BalancerStats? {
        let fleet = try getModel("fleet")
        let personas = ["You are a farmer in a small village.", "You are a merchant at the market."]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for agent in 1...200 {
                group.addTask {
                    let prompt = fleet.format(SystemMessage(personas[agent % personas.count]), UserMessage("Agent \(agent): what do you do next?"))
                    let reply = try await fleet.acall(prompt, options: CallOptions(affinityKey: "agent-\(agent)"))
                    print(reply.modelInfo.member ?? "", reply.text ?? "")
                }
            }
            try await group.waitForAll()
        }

        if let balancer = fleet as? LoadBalancer {
            let stats = balancer.stats()
            print(stats.queued, stats.queueTimeouts)
            for member in stats.members {
                print(member.configName, member.requests, "limit", member.learnedConcurrency ?? 0, "from", member.learnedFrom ?? "-",
                      "server waiting", member.serverLoad?.waiting ?? 0, "prefix match", member.prefixMatchRate ?? 0)
            }
        }
        return (fleet as? LoadBalancer)?.stats()
    }

    /// Tracing.md, "Message contents".
    static func tracingContents() {
        OneSimTracing.recordsContents = true
    }
}

extension ArticleSnippets {
    /// Dashboard.md, "Latency percentiles".
    static func percentiles(_ balancer: LoadBalancer) -> [String] {
        var lines: [String] = []
        for member in balancer.stats().members {
            let p50 = member.recentLatencyP50.map { "\($0)" } ?? "-"
            let p99 = member.recentLatencyP99.map { "\($0)" } ?? "-"
            lines.append("\(member.configName): p50 \(p50), p99 \(p99)")
        }
        return lines
    }
}
