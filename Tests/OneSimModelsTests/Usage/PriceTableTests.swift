import Foundation
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Price table")
struct PriceTableTests {
    let bundled = PriceTable.bundled

    @Test func bundledTableLoadsWithItsDateAndTheCommonModels() throws {
        let asOf = try #require(bundled.asOf)
        #expect(asOf.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil)
        let required = [
            "gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o1", "o1-mini", "o3", "o3-mini",
            "o4-mini", "gpt-4", "gpt-4-turbo", "gpt-3.5-turbo", "text-embedding-3-small", "text-embedding-3-large",
            "text-embedding-ada-002", "claude-3-5-sonnet", "claude-3-7-sonnet", "claude-sonnet-4", "claude-3-5-haiku",
            "claude-3-haiku", "claude-opus-4", "claude-opus-4-1", "claude-3-opus", "gemini-1.5-flash", "gemini-1.5-pro",
            "gemini-2.0-flash", "gemini-2.5-flash", "gemini-2.5-pro", "text-embedding-004",
        ]
        for name in required {
            #expect(bundled.models[name] != nil, "bundled table misses \(name)")
        }
        for (name, price) in bundled.models {
            #expect(price.inputCostPerToken >= 0 && price.inputCostPerToken < 1e-3, "odd input price of \(name)")
            #expect(price.outputCostPerToken >= 0 && price.outputCostPerToken < 1e-3, "odd output price of \(name)")
            if name.contains("embedding") { #expect(price.outputCostPerToken == 0, "\(name) has an output price") }
        }
    }

    @Test func exactNamesMatchExactly() throws {
        let m = try #require(bundled.match(modelName: "gpt-4o"))
        #expect(m.rule == .exact)
        #expect(m.price == .perMillionTokens(input: 2.5, output: 10))
        #expect(bundled.price(modelName: "gpt-4o-mini") == .perMillionTokens(input: 0.15, output: 0.6))
        #expect(bundled.price(modelName: "GPT-4o") == bundled.price(modelName: "gpt-4o"))
        // A dated entry listed on its own wins over its base.
        #expect(bundled.match(modelName: "gpt-4o-2024-05-13")?.rule == .exact)
        #expect(bundled.price(modelName: "gpt-4o-2024-05-13") == .perMillionTokens(input: 5, output: 15))
    }

    @Test func datedVersionsFallBackToTheirBaseName() {
        let cases: [(String, String)] = [
            ("gpt-4o-2024-08-06", "gpt-4o"), ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"), ("gpt-4-0613", "gpt-4"),
            ("gpt-4.1-2025-04-14", "gpt-4.1"), ("o3-2025-04-16", "o3"), ("o1-2024-12-17", "o1"),
            ("gpt-3.5-turbo-0125", "gpt-3.5-turbo"), ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet"),
            ("claude-3-5-sonnet-latest", "claude-3-5-sonnet"), ("claude-sonnet-4-20250514", "claude-sonnet-4"),
            ("claude-opus-4-1-20250805", "claude-opus-4-1"), ("claude-opus-4-5-20251101", "claude-opus-4-5"),
            ("gemini-1.5-pro-002", "gemini-1.5-pro"), ("gemini-1.5-flash-latest", "gemini-1.5-flash"),
            ("gemini-2.0-flash-lite-001", "gemini-2.0-flash-lite"), ("claude-3-opus@20240229", "claude-3-opus"),
        ]
        for (name, base) in cases {
            let match = bundled.match(modelName: name)
            #expect(match?.key == base, "\(name) should price as \(base), got \(match?.key ?? "nothing")")
            #expect(match?.rule == .versionPrefix, "\(name)")
        }
        // Opus 4.5 is not Opus 4's price: the longest listed base wins, minor versions are not stripped.
        #expect(bundled.price(modelName: "claude-opus-4-5-20251101") == .perMillionTokens(input: 5, output: 25))
    }

    @Test func neverMatchesByLooseSubstring() {
        let table: PriceTable = [
            "gpt-4": .perMillionTokens(input: 30, output: 60), "gpt-4o": .perMillionTokens(input: 2.5, output: 10),
        ]
        #expect(table.match(modelName: "gpt-4o-mini") == nil)
        #expect(table.match(modelName: "gpt-4-turbo") == nil)
        #expect(table.match(modelName: "gpt-4-32k") == nil)
        #expect(table.match(modelName: "my-gpt-4o") == nil)
        #expect(table.match(modelName: "gpt-4o-audio-preview") == nil)
        #expect(table.match(modelName: "gpt-4o-2024-08-06")?.key == "gpt-4o")
        #expect(table.match(modelName: "gpt-4-0314")?.key == "gpt-4")
        #expect(bundled.price(modelName: "gpt-4o-mini") != bundled.price(modelName: "gpt-4"))
    }

    @Test func unknownModelsAreUnpriced() {
        for name in ["qwen2.5-7b-instruct", "Qwen/Qwen2.5-7B-Instruct", "sim-chat", "", "llama3:8b", "gpt-4o-mini-tts"] {
            #expect(bundled.match(modelName: name) == nil, "\(name) should be unpriced")
        }
    }

    @Test func aProviderPathPrefixIsIgnored() {
        #expect(bundled.match(modelName: "models/gemini-1.5-flash")?.key == "gemini-1.5-flash")
        #expect(bundled.match(modelName: "openai/gpt-4o-2024-11-20")?.key == "gpt-4o")
    }

    @Test func versionSuffixGrammar() {
        #expect(PriceTable.versionBase(of: "gpt-4o-2024-08-06") == "gpt-4o")
        #expect(PriceTable.versionBase(of: "x-20240620") == "x")
        #expect(PriceTable.versionBase(of: "x-0613") == "x")
        #expect(PriceTable.versionBase(of: "x-002") == "x")
        #expect(PriceTable.versionBase(of: "x@20240620") == "x")
        #expect(PriceTable.versionBase(of: "x-latest") == "x")
        for none in ["x-12", "x-12345", "x-mini", "x-1", "latest", "2024-08-06", "x-2024-8-06", "x-preview"] {
            #expect(PriceTable.versionBase(of: none) == nil, "\(none)")
        }
    }

    @Test func configPricesWinOverModelPrices() {
        var table: PriceTable = ["gpt-4o": .perMillionTokens(input: 2.5, output: 10)]
        table.setPrice(.perMillionTokens(input: 1, output: 1), forConfig: "azure-4o")
        #expect(table.match(modelName: "gpt-4o", configName: "azure-4o")?.rule == .config)
        #expect(table.price(modelName: "gpt-4o", configName: "azure-4o") == .perMillionTokens(input: 1, output: 1))
        #expect(table.price(modelName: "gpt-4o", configName: "other") == .perMillionTokens(input: 2.5, output: 10))
        #expect(table.price(modelName: "unpriced-model", configName: "azure-4o") == .perMillionTokens(input: 1, output: 1))
    }

    @Test func readsConfigOptions() throws {
        let both = try ModelPrice.configured(
            in: ["input_cost_per_token": 0.000001, "output_cost_per_token": 0.000002], configName: "c")
        #expect(both == ModelPrice(inputCostPerToken: 0.000001, outputCostPerToken: 0.000002))
        #expect(try ModelPrice.configured(in: ["weight": 2], configName: "c") == nil)
        let onlyInput = try ModelPrice.configured(
            in: ["input_cost_per_token": 0], configName: "c", fallback: .perMillionTokens(input: 9, output: 7))
        #expect(onlyInput == ModelPrice(inputCostPerToken: 0, outputCostPerToken: 7e-6))
        #expect(try ModelPrice.configured(in: ["output_cost_per_token": 1], configName: "c") == ModelPrice(inputCostPerToken: 0, outputCostPerToken: 1))

        for bad: JSONValue in [-1, "0.1", true, [1]] {
            let error = #expect(throws: ModelError.self) {
                _ = try ModelPrice.configured(in: ["input_cost_per_token": bad], configName: "my-config")
            }
            #expect(error?.kind == .configuration)
            #expect(error?.message.contains("input_cost_per_token") == true)
            #expect(error?.message.contains("my-config") == true)
        }
    }

    @Test func configPricesFillTheMissingSideFromTheTable() throws {
        let config = ModelConfig(
            configName: "cheap-4o", modelType: "openai_chat", modelName: "gpt-4o-2024-08-06",
            options: ["input_cost_per_token": 0.000001])
        let price = try #require(try ModelPrice.configured(in: config))
        #expect(price == ModelPrice(inputCostPerToken: 0.000001, outputCostPerToken: 0.00001))

        let broken = ModelConfig(configName: "broken", modelType: "openai_chat", options: ["input_cost_per_token": -5])
        let plain = ModelConfig(configName: "plain", modelType: "openai_chat", modelName: "gpt-4o")
        let table = PriceTable.configuredPrices(in: [config, broken, plain])
        #expect(table.configs == ["cheap-4o": price])
        #expect(table.models.isEmpty)
    }

    @Test func overridingReplacesEntriesAndHidesTheirDatedVersions() {
        let perCall: PriceTable = ["gpt-4o": .perMillionTokens(input: 1, output: 2)]
        let merged = perCall.overriding(bundled)
        #expect(merged.price(modelName: "gpt-4o") == .perMillionTokens(input: 1, output: 2))
        #expect(merged.price(modelName: "gpt-4o-2024-05-13") == .perMillionTokens(input: 1, output: 2))
        #expect(merged.price(modelName: "gpt-4o-2024-08-06") == .perMillionTokens(input: 1, output: 2))
        #expect(merged.price(modelName: "gpt-4o-mini") == bundled.price(modelName: "gpt-4o-mini"))
        #expect(merged.asOf == bundled.asOf)

        var configs = PriceTable()
        configs.setPrice(.perMillionTokens(input: 3, output: 3), forConfig: "a")
        let layered = PriceTable(configs: ["b": .perMillionTokens(input: 4, output: 4)]).overriding(configs.overriding(bundled))
        #expect(layered.price(modelName: "x", configName: "a") == .perMillionTokens(input: 3, output: 3))
        #expect(layered.price(modelName: "x", configName: "b") == .perMillionTokens(input: 4, output: 4))
    }

    @Test func readsTableJSONInEachAcceptedShape() throws {
        let sectioned = try PriceTable(json: JSONCodec.parse("""
            {"as_of": "2025-01-01", "_comment": "x",
             "models": {"My-Model": {"input_cost_per_token": 0.5, "output_cost_per_token": 1, "note": "ignored"}},
             "configs": {"cfg": {"input_cost_per_token": 2}}}
            """))
        #expect(sectioned.asOf == "2025-01-01")
        #expect(sectioned.price(modelName: "my-model") == ModelPrice(inputCostPerToken: 0.5, outputCostPerToken: 1))
        #expect(sectioned.configs["cfg"] == ModelPrice(inputCostPerToken: 2, outputCostPerToken: 0))

        // The original's price_config: USD per 1,000 tokens as {"prompt", "completion"}.
        let original = try PriceTable(json: JSONCodec.parse(#"{"gpt-4": {"prompt": 0.005, "completion": 0.015}}"#))
        let p = try #require(original.price(modelName: "gpt-4"))
        #expect(abs(p.inputCostPerToken - 0.000005) < 1e-15)
        #expect(abs(p.outputCostPerToken - 0.000015) < 1e-15)

        for bad in [#"[1]"#, #"{"m": 3}"#, #"{"m": {"input_cost_per_token": -1}}"#, #"{"m": {"other": 1}}"#, #"{"models": []}"#] {
            #expect(throws: ModelError.self, "\(bad)") { _ = try PriceTable(json: JSONCodec.parse(bad)) }
        }
    }

    @Test func readsATableFile() throws {
        let dir = try usageTemporaryDirectory()
        let path = dir.appendingPathComponent("prices.json").path
        try Data(#"{"models": {"m": {"input_cost_per_token": 1}}}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try PriceTable(contentsOf: path).price(modelName: "m") == ModelPrice(inputCostPerToken: 1))
        #expect(throws: ModelError.self) { _ = try PriceTable(contentsOf: dir.appendingPathComponent("missing.json").path) }
    }

    @Test func responsesReportTheirOwnCost() throws {
        let response = ModelResponse(
            usage: Usage(promptTokens: 1000, completionTokens: 1000),
            modelInfo: ModelInfo(modelName: "gpt-4o-2024-08-06", configName: "a", provider: "openai"))
        let cost = try #require(response.cost())
        #expect(abs(cost - (1000 * 2.5e-6 + 1000 * 1e-5)) < 1e-12)

        let unpriced = ModelResponse(
            usage: Usage(promptTokens: 5), modelInfo: ModelInfo(modelName: "sim-chat", configName: "s", provider: "openai"))
        #expect(unpriced.cost() == nil)

        // Through a balancer, the serving member's config price applies.
        var table = PriceTable()
        table.setPrice(ModelPrice(inputCostPerToken: 0.01, outputCostPerToken: 0.02), forConfig: "member-a")
        let balanced = ModelResponse(
            usage: Usage(promptTokens: 10, completionTokens: 10),
            modelInfo: ModelInfo(modelName: "sim-chat", configName: "lb", provider: "openai", balancer: "lb", member: "member-a"))
        #expect(abs((balanced.cost(using: table) ?? 0) - 0.3) < 1e-12)
    }

    @Test func namesAreTrimmedAndLowercasedOnlyWhenTheyNeedIt() {
        for name in ["gpt-4o", "openai/gpt-4o-mini", "qwen2.5-72b", ""] {
            #expect(PriceTable.normalized(name) == name)
        }
        #expect(PriceTable.normalized("GPT-4o") == "gpt-4o")
        #expect(PriceTable.normalized(" gpt-4o\t") == "gpt-4o")
        #expect(PriceTable.normalized("\u{00A0}Ünïcode-Model") == "ünïcode-model")
        // Whatever the path, the table sees the same name.
        let table: PriceTable = ["gpt-4o": .perMillionTokens(input: 5, output: 5)]
        #expect(table.price(modelName: "  GPT-4o ") == table.price(modelName: "gpt-4o"))
        #expect(table.price(modelName: "GPT-4o") != nil)
    }
}
