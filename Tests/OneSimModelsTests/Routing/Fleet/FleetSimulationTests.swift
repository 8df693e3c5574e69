import Foundation
import Testing

@testable import OneSimModelsCore
@testable import OneSimModelsRouting
@testable import OneSimModelsSimulator
@testable import onesim_models

/// The balancer core against simulated servers in virtual time: invariants that must hold on
/// any fleet (deterministic; no clock).
@Suite("Fleet dispatch: simulated fleets")
struct FleetSimulationTests {
    func workload(agents: Int = 300, steps: Int = 1) throws -> FleetWorkload {
        try #require(
            FleetWorkloadGenerator(agents: agents, personas: 6, personaTokens: 400, maxTokens: 20...120, steps: steps, seed: 7).make()
        ).shuffled(seed: 7)
    }

    let unequal = [1.0, 0.5, 0.25].enumerated().map { FleetServerConfig(name: "s\($0.offset)", maxNumSeqs: 8, speed: $0.element) }

    @Test("no server ever holds more than its configured max_concurrency, and every call is served once")
    func configuredLimitsHold() throws {
        let w = try workload()
        for strategy in [BalancerStrategy.fleet, .leastBusy, .roundRobin, .affinity] {
            let outcome = try FleetSimulation.run(w, servers: unequal, options: .init(strategy: strategy, limitToSlots: true))
            #expect(zip(outcome.peakPerMember, unequal).allSatisfy { $0 <= $1.maxNumSeqs }, "\(strategy): \(outcome.peakPerMember)")
            #expect(outcome.callsPerMember.reduce(0, +) == 300)
            #expect(outcome.latencies.count == 300)
        }
    }

    @Test("with server reports, the fleet dispatch keeps server queues near the slot count after the first report")
    func learnsSlotsFromReports() throws {
        let outcome = try FleetSimulation.run(
            try workload(), servers: unequal, options: .init(strategy: .fleet, metricsInterval: .milliseconds(100)))
        // The first dispatch (before any report) may use the initial limit; never more.
        #expect(outcome.peakPerMember.allSatisfy { $0 <= Int(AdaptiveConcurrency.initialLimit) })
        #expect(outcome.callsPerMember[0] > outcome.callsPerMember[2], "the fastest server serves the most")
    }

    @Test("late binding beats binding at arrival on unequal servers, and keeps prefix hits on a small cache")
    func lateBindingWins() throws {
        let w = try workload()
        let rr = try FleetSimulation.run(w, servers: unequal, options: .init(strategy: .roundRobin))
        let fleet = try FleetSimulation.run(w, servers: unequal, options: .init(strategy: .fleet))
        #expect(fleet.ratio < rr.ratio)
        #expect(fleet.ratio >= 1, "nothing beats the capacity bound")
        let small = (0..<3).map { FleetServerConfig(name: "c\($0)", maxNumSeqs: 8, cacheBlocks: 3 * 25 + 64) }
        let rrSmall = try FleetSimulation.run(w, servers: small, options: .init(strategy: .roundRobin))
        let fleetSmall = try FleetSimulation.run(w, servers: small, options: .init(strategy: .fleet))
        #expect(fleetSmall.cacheHitRate > rrSmall.cacheHitRate)
    }

    @Test("over several steps on caches too small for every persona, each persona keeps to a few servers")
    func personasKeepToTheirServers() throws {
        let w = try workload(agents: 300, steps: 3)
        // Room for three of the six personas (25 blocks each) and the running requests' own blocks.
        let small = (0..<3).map { FleetServerConfig(name: "c\($0)", maxNumSeqs: 8, cacheBlocks: 3 * 25 + 64) }
        let fleet = try FleetSimulation.run(w, servers: small, options: .init(strategy: .fleet))
        let leastBusy = try FleetSimulation.run(w, servers: small, options: .init(strategy: .leastBusy, limitToSlots: true))
        #expect(fleet.personaOnlyHitRate > 0.5)
        #expect(fleet.cacheHitRate >= 0.9 * fleet.personaOnlyHitRate, "\(fleet.cacheHitRate) of \(fleet.personaOnlyHitRate)")
        #expect(fleet.cacheHitRate > leastBusy.cacheHitRate + 0.1, "\(fleet.cacheHitRate) against \(leastBusy.cacheHitRate)")
    }

    @Test("the simulation is deterministic")
    func deterministic() throws {
        let w = try workload(agents: 100, steps: 2)
        let a = try FleetSimulation.run(w, servers: unequal, options: .init(strategy: .fleet))
        let b = try FleetSimulation.run(w, servers: unequal, options: .init(strategy: .fleet))
        #expect(a.steps.map(\.makespan) == b.steps.map(\.makespan))
        #expect(a.callsPerMember == b.callsPerMember)
    }
}

@Suite("The reference fleets of fleet-table")
struct ReferenceFleetTests {
    /// F4's caches hold every distinct prompt block of the run spread over its servers (the
    /// capacity bound counts the histories as cached); F4-small's hold far fewer.
    /// Seconds of CPU at fleet-table's real size: run on a thread of its own, so the
    /// concurrency pool stays free for the suites doing HTTP meanwhile.
    @Test func f4sCachesHoldTheHistoriesAndF4SmallsDoNot() async throws {
        typealias Facts = (steps: [Int], capacity: Int, smallCapacity: Int, distinct: Int, servers: [Int])
        let facts = try await withCheckedThrowingContinuation { (done: CheckedContinuation<Facts, any Error>) in
            Thread {
                do {
                    let (servers, workload) = try ReferenceFleet.f4.make(
                        agents: 2_000, personas: 8, personaTokens: 800, historySteps: 3, seed: 1)
                    let (small, smallWorkload) = try ReferenceFleet.f4Small.make(
                        agents: 2_000, personas: 8, personaTokens: 800, historySteps: 3, seed: 1)
                    let distinct = Set(workload.capacityCalls(blockTokens: 16).flatMap(\.blocks)).count
                    done.resume(returning: (
                        [workload.steps.count, smallWorkload.steps.count], servers.reduce(0) { $0 + $1.cacheBlocks },
                        small.reduce(0) { $0 + $1.cacheBlocks }, distinct, [servers.count, small.count]))
                } catch {
                    done.resume(throwing: error)
                }
            }.start()
        }
        #expect(facts.steps == [3, 3])
        #expect(facts.capacity >= facts.distinct, "F4: \(facts.capacity) cached blocks for \(facts.distinct) distinct ones")
        #expect(facts.smallCapacity * 4 < facts.distinct, "F4-small is the tiny-cache stress case")
        #expect(facts.servers[0] == facts.servers[1])
    }
}
