import Foundation
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// Runs the README token usage samples that need no model server and write no files; the export
/// sample's behaviour is checked on a temporary directory instead.
@Suite("Usage docs examples")
struct UsageDocTests {
    @Test func readingAndCostSamplesRun() {
        UsageDocSnippets.readingTheCounts()
        UsageDocSnippets.cost()
    }

    @Test func mergingTheSharedSnapshotIntoItselfCountsNothingTwice() throws {
        let (received, combined) = try UsageDocSnippets.severalProcesses()
        #expect(received.sources.count == 1)
        // Other tests may use the shared tracker meanwhile; still, no source is ever counted twice.
        #expect(Set(combined.sources.map(\.id)).count == combined.sources.count)
        #expect(combined.sources.count <= 2)
    }

    @Test func budgetSampleComputesSpending() throws {
        let status = try UsageDocSnippets.budgets()
        #expect(abs(status.spentCostUSD - (1180 * 2.5e-6 + 420 * 1e-5)) < 1e-12)
        #expect(status.spentTokens == 1600)
        #expect(status.inFlight == 0)
        #expect(status.remainingTokens == 2_000_000 - 1600)
    }

    @Test func exportSampleWritesJSONAndCSVByExtension() throws {
        // Same calls as the export sample, in a temporary directory.
        let dir = try usageTemporaryDirectory()
        let m = ModelManager.shared
        let jsonPath = try m.exportTokenUsageStats(to: dir.appendingPathComponent("usage.json").path)
        let csvPath = try m.exportTokenUsageStats(to: dir.appendingPathComponent("usage.csv").path)
        #expect(try TokenUsageStats.load(from: jsonPath).sources.count == 1)
        #expect(try String(contentsOfFile: csvPath, encoding: .utf8).hasPrefix("model_name,config_name,"))
    }
}
