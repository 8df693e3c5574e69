import OneSimModels

// The README's load-balancing samples, verbatim inside functions so they compile.

enum BalancingSnippets {
    static func buildInCode(qwenA: any ModelAdapter, qwenB: any ModelAdapter, gpt4oMini: any ModelAdapter) async throws -> LoadBalancer {
        let balancer = LoadBalancer(
            configName: "agents",
            kind: .chat,
            members: [
                BalancerMember(adapter: qwenA, deployment: DeploymentSettings(rpm: 3000, maxConcurrency: 64)),
                BalancerMember(adapter: qwenB, deployment: DeploymentSettings(weight: 0.5, maxConcurrency: 32)),
            ],
            settings: BalancerSettings(
                strategy: try BalancerStrategy(parsing: "least_busy"),
                cooldownTime: .seconds(5), allowedFails: 3, queueTimeout: .seconds(60), retryPolicy: RetryPolicy(maxRetries: 2)),
            fallbacks: [gpt4oMini])

        let reply = try await balancer.acall(balancer.format(
            SystemMessage("You are a villager."), UserMessage("What do you do today?")))
        print(reply.text ?? "", reply.modelInfo.member ?? "")   // which member answered
        return balancer
    }

    static func unknownStrategy() {
        do { _ = try StrategyName(parsing: "fastest") }
        catch { print(error.message) }  // unknown load balancing strategy 'fastest' (valid: fleet, affinity, round_robin, random, weighted, least_busy, latency, usage)
    }

    /// Prefer the cheapest member (config order), use the others only when it cannot serve.
    struct PriorityOrder: RoutingStrategy {
        var name: String { "priority" }
        mutating func pick(from candidates: [RoutingCandidate], using generator: inout some RandomNumberGenerator) -> Int {
            0  // candidates come in config order
        }
    }

    static func customStrategy(members: [BalancerMember]) -> LoadBalancer {
        let lb = LoadBalancer(configName: "cheap-first", kind: .chat, members: members,
                              settings: BalancerSettings(strategy: .custom(PriorityOrder())))
        return lb
    }

    static func allAttemptsFailed(balancer: LoadBalancer, prompt: Prompt) async throws {
        do {
            _ = try await balancer.acall(prompt)
        } catch let error as ModelError where error.kind == .allAttemptsFailed {
            print(error.status as Any, error.requestID as Any)      // the last provider error's fields
            for attempt in error.attempts { print(attempt) }       // "qwen-a: server_error (503): ..."
        }
    }

    static func statistics(balancer: LoadBalancer) {
        let stats = balancer.stats()
        print(stats)   // one line per member
        // load balancer 'agents' (least_busy): 0 queued, 0 queue timeouts
        //   qwen-a: 5210 req, 5201 ok, 9 failed (server_error 9), in flight 3/64 (peak 64), cooldowns 1, avg latency 840.0 ms, tokens 812345+120456
        //   qwen-b: 2611 req, 2611 ok, 0 failed, in flight 1/32 (peak 32), cooldowns 0, avg latency 1020.0 ms, tokens 401234+60321

        if let a = stats[member: "qwen-a"] {
            print(a.inFlight, a.requests, a.successes, a.failuresByKind, a.cooldowns,
                  a.isCoolingDown, a.averageLatency as Any, a.latencyPerOutputToken as Any, a.usage.totalTokens)
        }
    }
}
