import OneSimModels

// Samples that only the DocC articles (Sources/OneSimModels/OneSimModels.docc/) show, verbatim
// inside functions so they compile; `ArticleExamplesTests` runs them against the simulator.

enum ArticleSnippets {
    /// RoutingForLLMFleets.md, "Sending the agents".
    static func fleet() async throws -> BalancerStats? {
        let fleet = try getModel("fleet")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for agent in 1...200 {
                group.addTask {
                    let reply = try await fleet.acall(fleet.format(UserMessage("Agent \(agent): what do you do next?")))
                    print(reply.modelInfo.member ?? "", reply.text ?? "")
                }
            }
            try await group.waitForAll()
        }

        if let balancer = fleet as? LoadBalancer {
            let stats = balancer.stats()
            print(stats.queued, stats.queueTimeouts)
            for member in stats.members {
                print(member.configName, member.requests, "peak in flight", member.peakInFlight, "of", member.maxConcurrency ?? 0)
            }
        }
        return (fleet as? LoadBalancer)?.stats()
    }
}
