import Foundation
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Token usage export")
struct UsageExportTests {
    func sampleTracker() -> TokenUsageTracker {
        let t = TokenUsageTracker(label: "test-host:1")
        t.record(usageRecord(model: "gpt-4o", config: "a", provider: "openai", prompt: 1000, completion: 500, latency: .milliseconds(250)))
        t.record(usageRecord(model: "gpt-4o", config: "a", provider: "openai", error: .rateLimited))
        t.record(usageRecord(model: "local", config: "needs, \"quotes\"", provider: "vllm", prompt: 7, completion: 3))
        t.record(usageRecord(model: "emb", config: "e", provider: "openai", kind: .embedding, prompt: 9))
        return t
    }

    @Test func jsonExportRoundTrips() throws {
        let dir = try usageTemporaryDirectory()
        let tracker = sampleTracker()
        let path = try tracker.export(to: dir.appendingPathComponent("usage.json").path)
        #expect(path == dir.appendingPathComponent("usage.json").path)

        let loaded = try TokenUsageStats.load(from: path)
        let current = tracker.stats()
        #expect(loaded.rows == current.rows)
        #expect(loaded.totalTokens == 1519)
        #expect(loaded.requestCount == 3)
        #expect(loaded.errorsByKind == ["rate_limited": 1])
        #expect(loaded.sources.map(\.id) == [tracker.sourceID])
        #expect(loaded.sources[0].label == "test-host:1")
        #expect(loaded.sources[0].sequence == 4)
        // Loading it again and merging with the live tracker's snapshot counts nothing twice.
        #expect(loaded.merging(current).totalTokens == current.totalTokens)
    }

    @Test func jsonExportHasTheOriginalShapeAndTheCostEstimate() throws {
        let dir = try usageTemporaryDirectory()
        let path = try sampleTracker().export(to: dir.appendingPathComponent("usage.json").path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\n  \""))  // indented
        let json = try JSONCodec.parse(text)
        for key in [
            "total_prompt_tokens", "total_completion_tokens", "total_tokens", "request_count", "model_usage",
            "elapsed_time_seconds", "tokens_per_second", "cost_estimate",
        ] {
            #expect(json[key] != nil, "missing \(key)")
        }
        let cost = try #require(json["cost_estimate"]?["total_cost_usd"]?.doubleValue)
        #expect(abs(cost - (1000 * 2.5e-6 + 500 * 1e-5)) < 1e-12)
        #expect(json["cost_estimate"]?["unpriced_models"] == ["emb", "local"])
    }

    @Test func csvExportHasOneLinePerRowAndACostColumn() throws {
        let dir = try usageTemporaryDirectory()
        let path = try sampleTracker().export(to: dir.appendingPathComponent("usage.csv").path)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first.map(String.init) == TokenUsageStats.csvColumns.joined(separator: ","))
        #expect(lines.count == 5)  // header, 3 rows, final empty string after the last newline
        #expect(lines.last == "")
        #expect(lines[1].hasPrefix("emb,e,openai,embedding,1,0,9,0,9,"))
        let gpt = lines[2].split(separator: ",").map(String.init)
        #expect(Array(gpt.prefix(9)) == ["gpt-4o", "a", "openai", "chat", "1", "1", "1000", "500", "1500"])
        #expect(Double(gpt[9]) == 0.25)
        #expect(abs((Double(gpt[11]) ?? 0) - 0.0075) < 1e-12)
        #expect(lines[3].hasPrefix(#"local,"needs, ""quotes""",vllm,chat,1,0,7,3,10,"#))
        #expect(lines[3].hasSuffix(","))  // unpriced: empty cost
    }

    @Test func formatComesFromTheExtensionUnlessGiven() throws {
        #expect(UsageExportFormat(path: "a/b.CSV") == .csv)
        #expect(UsageExportFormat(path: "a/b.json") == .json)
        #expect(UsageExportFormat(path: "a/b.txt") == .json)
        let dir = try usageTemporaryDirectory()
        let path = try sampleTracker().export(to: dir.appendingPathComponent("usage.json").path, format: .csv)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("model_name,config_name"))
    }

    @Test func defaultFileNameFollowsTheOriginal() {
        let name = TokenUsageStats.defaultExportPath()
        #expect(name.wholeMatch(of: /token_usage_\d{8}_\d{6}\.json/) != nil)
        #expect(TokenUsageStats.defaultExportPath(format: .csv).hasSuffix(".csv"))
    }

    @Test func anUnwritablePathIsAConfigurationError() throws {
        let dir = try usageTemporaryDirectory()
        let path = dir.appendingPathComponent("missing-dir/usage.json").path
        let error = #expect(throws: ModelError.self) { try sampleTracker().export(to: path) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains(path) == true)
    }

    @Test func statsRoundTripThroughTheirDictionary() throws {
        let stats = sampleTracker().stats()
        let decoded = try TokenUsageStats(json: stats.dictionary)
        #expect(decoded == stats)
        let text = String(decoding: JSONCodec.encode(stats.dictionary), as: UTF8.self)
        #expect(try TokenUsageStats(json: JSONCodec.parse(text)) == stats)
    }
}
