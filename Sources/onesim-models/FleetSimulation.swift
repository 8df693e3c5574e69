import Foundation
import OneSimModels
import OneSimModelsSimulator

/// The balancer's own decisions (its `BalancerCore`, exactly as a `LoadBalancer` runs it) against
/// simulated vLLM-like servers (`FleetServerModel`), in virtual time: deterministic, and a
/// thousand-call step takes milliseconds, so every strategy can be compared on every fleet.
///
/// Each step's calls are released at once; a call granted to a member is submitted to that
/// member's server model, and its completion releases the grant with the server's latency and
/// usage. With `metricsInterval`, every member's server reports its load (running, waiting,
/// KV-cache use) at that interval, as a `metrics_url` scraper would. Nothing here sleeps.
package struct FleetSimulation {
    /// What to compare.
    package struct Options: Sendable {
        /// The balancer's strategy.
        package var strategy: BalancerStrategy
        /// The fleet dispatch's knobs.
        package var fleet = FleetSettings()
        /// `max_concurrency` of every member = its server's `max_num_seqs` (hand-written limits).
        package var limitToSlots = false
        /// How often servers report their load (`metrics_url`); `nil` for never.
        package var metricsInterval: Duration?

        package init(strategy: BalancerStrategy, fleet: FleetSettings = FleetSettings(), limitToSlots: Bool = false, metricsInterval: Duration? = nil) {
            self.strategy = strategy
            self.fleet = fleet
            self.limitToSlots = limitToSlots
            self.metricsInterval = metricsInterval
        }
    }

    /// What a run measured.
    package struct Outcome: Sendable {
        /// Each step's makespan and capacity bound, in seconds.
        package var steps: [(makespan: Double, ideal: Double)] = []
        /// Calls served per member.
        package var callsPerMember: [Int]
        /// The most calls any member's server held at once (running + waiting).
        package var peakPerMember: [Int]
        /// Prompt tokens found in the servers' prefix caches ÷ prompt tokens looked up.
        package var cacheHitRate: Double
        /// Call latencies (seconds), sorted.
        package var latencies: [Double]
        /// The hit rate the capacity bound assumes: every prompt token but each call's charged
        /// ones and each shared block's first prefill per server.
        package var idealHitRate: Double = 0
        /// Per step, the capacity bound that credits only personas as cached (histories are
        /// prefilled again), and the hit rate it assumes: the literal definition.
        package var personaOnlyIdeals: [Double] = []
        package var personaOnlyHitRate: Double = 0

        /// Σ makespans ÷ Σ persona-only capacity bounds.
        package var personaOnlyRatio: Double {
            let ideal = personaOnlyIdeals.reduce(0, +)
            return ideal > 0 ? steps.reduce(0) { $0 + $1.makespan } / ideal : 0
        }

        /// Σ makespans ÷ Σ capacity bounds.
        package var ratio: Double {
            let ideal = steps.reduce(0) { $0 + $1.ideal }
            return ideal > 0 ? steps.reduce(0) { $0 + $1.makespan } / ideal : 0
        }

        /// The latency at quantile `q` (0...1).
        package func latency(_ q: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            let i = min(max(Int((Double(latencies.count - 1) * q).rounded()), 0), latencies.count - 1)
            return latencies[i]
        }
    }

    struct Prepared {
        let fingerprint: PromptFingerprint
        let blocks: [UInt64]
        let promptTokens: Int
        let outputTokens: Int
    }

    /// Runs `workload` on `servers` with `options`.
    package static func run(_ workload: FleetWorkload, servers: [FleetServerConfig], options: Options) throws -> Outcome {
        var models: [FleetServerModel] = []
        for server in servers { models.append(try FleetServerModel(config: server)) }
        let deployments = servers.map { server in
            DeploymentSettings(
                maxConcurrency: options.limitToSlots ? server.maxNumSeqs : nil,
                metricsURL: options.metricsInterval == nil ? nil : "http://\(server.name)/metrics",
                metricsInterval: options.metricsInterval ?? .seconds(1))
        }
        var core = BalancerCore(
            names: servers.map(\.name), deployments: deployments,
            settings: BalancerSettings(
                strategy: options.strategy, queueTimeout: .seconds(1_000_000), panicThreshold: 0, fleet: options.fleet),
            now: .zero, seed: 1)
        let blockTokens = servers.first?.blockTokens ?? 16
        var outcome = Outcome(callsPerMember: Array(repeating: 0, count: servers.count), peakPerMember: Array(repeating: 0, count: servers.count), cacheHitRate: 0, latencies: [])
        var now: Duration = .zero
        var nextReport = options.metricsInterval.map { _ in Duration.zero }
        var previousSplit = FleetCapacity.split([], blockTokens: servers.first?.blockTokens ?? 16)
        var previousPersonaSplit = previousSplit
        var seen: [FleetCapacity.Call] = []
        var nextID: UInt64 = 1

        for step in workload.steps {
            let stepStart = now
            var prepared: [UInt64: Prepared] = [:]
            var waiting: [UInt64: UInt64] = [:]  // waiter id -> call id
            var running: [UInt64: (grant: Grant, started: Duration)] = [:]
            var left = step.count

            func dispatch(_ grant: Grant, _ id: UInt64, at time: Duration) {
                guard let call = prepared[id] else { return }
                _ = models[grant.member].submit(
                    FleetRequest(id: id, promptBlocks: call.blocks, promptTokens: call.promptTokens, outputTokens: call.outputTokens),
                    at: time)
                running[id] = (grant, time)
                outcome.callsPerMember[grant.member] += 1
                outcome.peakPerMember[grant.member] = max(
                    outcome.peakPerMember[grant.member], models[grant.member].running + models[grant.member].waiting)
            }
            func deliver(_ resolutions: [Resolution], at time: Duration) {
                for r in resolutions {
                    guard let id = waiting.removeValue(forKey: r.id) else { continue }
                    if case .granted(let g) = r.outcome { dispatch(g, id, at: time) }
                }
            }

            for call in step {
                let id = nextID
                nextID += 1
                let messages = call.messages.map { (role: $0.role, content: $0.content) }
                let (blocks, tokens) = FleetPromptBlocks.make(messages, blockTokens: blockTokens)
                let prompt = Prompt(call.messages.map { Message(role: Role(rawValue: $0.role) ?? .user, content: .text($0.content)) })
                let output = call.maxTokens ?? 64
                prepared[id] = Prepared(
                    fingerprint: PromptFingerprint(prompt: prompt, affinityKey: call.affinityKey), blocks: blocks, promptTokens: tokens,
                    outputTokens: output)
                seen.append(FleetCapacity.Call(blocks: blocks, promptTokens: tokens, outputTokens: output, key: call.affinityKey))
                let (decision, early) = core.acquire(
                    excluding: [], tokens: Double(tokens + output), deadline: now + .seconds(1_000_000), now: now,
                    fingerprint: prepared[id]?.fingerprint ?? .none)
                deliver(early, at: now)
                switch decision {
                case .done(.granted(let g)): dispatch(g, id, at: now)
                case .wait(let waiter): waiting[waiter] = id
                case .done: throw FleetConfigError("call \(id) could not be placed: \(decision)")
                }
            }

            var guardSteps = 0
            while left > 0 {
                guardSteps += 1
                if guardSteps > 50_000_000 { throw FleetConfigError("the simulation did not finish") }
                var next: Duration? = models.compactMap { $0.nextEventTime() }.min()
                if let report = nextReport, !running.isEmpty || !waiting.isEmpty { next = min(next ?? report, report) }
                if let wake = core.nextWake() { next = min(next ?? wake, wake) }
                guard let time = next else { throw FleetConfigError("the simulation stalled with \(left) calls left") }
                now = max(now, time)
                for i in models.indices {
                    for done in models[i].advance(to: now) {
                        guard let run = running.removeValue(forKey: done.id) else { continue }
                        left -= 1
                        let latency = now - run.started
                        outcome.latencies.append(latency.seconds)
                        let (resolutions, _) = core.release(
                            run.grant,
                            .success(latency: latency, usage: Usage(promptTokens: done.promptTokens, completionTokens: done.outputTokens, cachedPromptTokens: done.cachedTokens)),
                            now: now)
                        deliver(resolutions, at: now)
                    }
                }
                if let report = nextReport, let interval = options.metricsInterval, now >= report {
                    for i in models.indices {
                        core.members[i].limiter.observe(
                            ServerLoad(running: models[i].running, waiting: models[i].waiting, kvCacheUsage: models[i].kvCacheUsage),
                            at: now)
                    }
                    deliver(core.capacityFreed(now: now), at: now)
                    nextReport = now + interval
                }
                if let wake = core.nextWake(), wake <= now { deliver(core.tick(now: now), at: now) }
            }
            let split = FleetCapacity.split(seen, blockTokens: blockTokens)
            let ideal = FleetCapacity.idealMakespan(
                FleetCapacity.difference(split, previousSplit), servers: servers, from: stepStart.seconds)
            previousSplit = split
            outcome.steps.append(((now - stepStart).seconds, ideal))
            let personaSplit = FleetCapacity.split(seen, blockTokens: blockTokens, historyIsCached: false)
            outcome.personaOnlyIdeals.append(
                FleetCapacity.idealMakespan(
                    FleetCapacity.difference(personaSplit, previousPersonaSplit), servers: servers, from: stepStart.seconds))
            previousPersonaSplit = personaSplit
        }
        // After the last step the running splits cover every call.
        outcome.idealHitRate = FleetCapacity.idealHitRate(previousSplit, servers: servers.count) ?? 0
        outcome.personaOnlyHitRate = FleetCapacity.idealHitRate(previousPersonaSplit, servers: servers.count) ?? 0
        let queries = models.reduce(0) { $0 + $1.prefixQueries }
        outcome.cacheHitRate = queries > 0 ? Double(models.reduce(0) { $0 + $1.prefixHits }) / Double(queries) : 0
        outcome.latencies.sort()
        return outcome
    }
}
