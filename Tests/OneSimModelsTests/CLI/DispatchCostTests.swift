import Foundation
import Testing

@testable import OneSimModels
@testable import OneSimModelsRouting
@testable import onesim_models

/// `onesim-models dispatch-cost`: the runs hold the shape they claim to time (its bad flags are
/// in `CommandLineHardeningTests`).
@Suite("dispatch-cost")
struct DispatchCostTests {
    @Test(
        "every strategy runs with the stated calls in flight and waiting",
        arguments: [(3, 0, 0), (3, 50, 2), (5, 200, 8)])
    func runsHoldTheirShape(_ shape: (members: Int, waiters: Int, personas: Int)) {
        let cost = DispatchCost(
            strategies: [("least_busy", .leastBusy), ("fleet", .fleet), ("affinity", .affinity)], decisions: 1_000, repeats: 1)
        let c = DispatchCost.Case(members: shape.members, waiters: shape.waiters, personas: shape.personas)
        for entry in cost.strategies {
            let sample = cost.run(entry.strategy, c, prompts: DispatchCost.prompts(personas: c.personas))
            #expect(sample.nanoseconds.isFinite && sample.nanoseconds > 0, "\(entry.label)")
            #expect(sample.waiting == shape.waiters, "\(entry.label): \(sample.waiting) waiting")
            if shape.waiters > 0 {
                #expect(sample.inFlight == shape.members, "\(entry.label): one call per member")
            }
        }
    }

    @Test("persona prompts share their leading blocks; the short prompt has none")
    func prompts() {
        let prompts = DispatchCost.prompts(personas: 4)
        let a = PromptFingerprint(prompt: prompts[0].0, affinityKey: prompts[0].1)
        let b = PromptFingerprint(prompt: prompts[4].0, affinityKey: prompts[4].1)
        let other = PromptFingerprint(prompt: prompts[1].0, affinityKey: prompts[1].1)
        #expect(a.blocks.count >= 10)
        #expect(a.blocks.dropLast() == b.blocks.dropLast(), "agents 0 and 4 share persona 0")
        #expect(a.key != b.key)
        #expect(a.blocks.first != other.blocks.first)
        #expect(PromptFingerprint(prompt: DispatchCost.prompts(personas: 0)[0].0, affinityKey: nil).blocks.isEmpty)
    }

    @Test func aSmallRunPrintsItsTable() async throws {
        let outcome = try await CommandLineHardeningTests.run([
            "dispatch-cost", "--members", "2", "--waiters", "0,20", "--personas", "0", "--decisions", "1000", "--repeats", "1",
        ])
        #expect(outcome.status == 0, "\(outcome.error)")
        let rows = outcome.output.split(separator: "\n").filter { $0.hasPrefix("| 2 |") }
        #expect(rows.count == 2, "\(outcome.output)")
    }
}
