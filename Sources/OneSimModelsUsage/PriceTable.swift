import Foundation
import OneSimModelsCore

/// How a price was found for a call.
package struct PriceMatch: Sendable, Hashable {
    /// Which rule matched.
    package enum Rule: String, Sendable, Hashable {
        /// The config has its own price.
        case config
        /// The model name is in the table as it is.
        case exact
        /// The model name is a table entry plus a version suffix (`gpt-4o-2024-08-06` → `gpt-4o`).
        case versionPrefix = "version_prefix"
    }

    /// The per-token price the call is charged at.
    package var price: ModelPrice
    /// The table key that matched (a config name or a model name).
    package var key: String
    /// Which lookup step found `key` (config, exact model name, or model name minus a version
    /// suffix).
    package var rule: Rule
}

/// Per-token prices by model name and by config name.
///
/// Lookup for a call to model `M` through config `C`, stopping at the first hit:
/// 1. `configs[C]` (a deployment's own price, e.g. from `input_cost_per_token` in its config);
/// 2. `models[M]`, case-insensitively;
/// 3. the entry `K` such that `M` is `K` followed by one version suffix: `-YYYY-MM-DD`,
///    `-YYYYMMDD`, `-MMDD`, `-NNN` or `-latest` (also with `@` instead of `-`), so
///    `gpt-4o-2024-08-06` → `gpt-4o`, `claude-3-5-sonnet-20241022` → `claude-3-5-sonnet`,
///    `gemini-1.5-pro-002` → `gemini-1.5-pro`. Nothing else is stripped: `gpt-4o-mini` is
///    never priced as `gpt-4o` or `gpt-4`;
/// 4. steps 2–3 again with the last path component of `M` (`models/gemini-1.5-pro`,
///    `openai/gpt-4o`).
///
/// Anything else is unpriced. There is no substring matching.
public struct PriceTable: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    /// Prices by lowercased model name.
    public private(set) var models: [String: ModelPrice]
    /// Prices by exact config name.
    public private(set) var configs: [String: ModelPrice]
    /// When the prices were checked (`YYYY-MM-DD`), if known.
    public var asOf: String?

    /// A table with the given prices.
    public init(models: [String: ModelPrice] = [:], configs: [String: ModelPrice] = [:], asOf: String? = nil) {
        self.models = Dictionary(models.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        self.configs = configs
        self.asOf = asOf
    }

    /// A table with no prices and no date: every lookup is unpriced.
    public init() {
        self.init(models: [:])
    }

    /// A table of model prices: `["gpt-4o": .perMillionTokens(input: 2.5, output: 10)]`.
    public init(dictionaryLiteral elements: (String, ModelPrice)...) {
        self.init(models: Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// The table with no prices, same as `PriceTable()`.
    public static let empty = PriceTable()

    /// Sets (or with `nil` removes) the price of a model name.
    public mutating func setPrice(_ price: ModelPrice?, forModel modelName: String) {
        models[modelName.lowercased()] = price
    }

    /// Sets (or with `nil` removes) the price of a config.
    public mutating func setPrice(_ price: ModelPrice?, forConfig configName: String) {
        configs[configName] = price
    }

    /// The price of a call to `modelName` through `configName`, and how it was found.
    package func match(modelName: String, configName: String? = nil) -> PriceMatch? {
        if let configName, let price = configs[configName] {
            return PriceMatch(price: price, key: configName, rule: .config)
        }
        let name = Self.normalized(modelName)
        if let match = matchModel(name) { return match }
        if let slash = name.lastIndex(of: "/") {
            let last = String(name[name.index(after: slash)...])
            if !last.isEmpty { return matchModel(last) }
        }
        return nil
    }

    /// `name` trimmed of spaces and lowercased; the name itself (no copy) when it is already
    /// (the common case: this runs for every reply).
    static func normalized(_ name: String) -> String {
        let clean = name.utf8.allSatisfy { byte in
            byte < 0x80 && !(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
        } && name.utf8.first.map { $0 != UInt8(ascii: " ") && $0 != 0x09 } ?? true
            && name.utf8.last.map { $0 != UInt8(ascii: " ") && $0 != 0x09 } ?? true
        return clean ? name : name.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// The price of a call to `modelName` through `configName`, or `nil` when unpriced.
    public func price(modelName: String, configName: String? = nil) -> ModelPrice? {
        match(modelName: modelName, configName: configName)?.price
    }

    private func matchModel(_ name: String) -> PriceMatch? {
        guard !name.isEmpty else { return nil }
        if let price = models[name] { return PriceMatch(price: price, key: name, rule: .exact) }
        if let base = Self.versionBase(of: name), let price = models[base] {
            return PriceMatch(price: price, key: base, rule: .versionPrefix)
        }
        return nil
    }

    /// `name` without its version suffix, or `nil` when it has none (see the type's rules).
    static func versionBase(of name: String) -> String? {
        let bytes = Array(name.utf8)
        func isDigits(_ range: Range<Int>) -> Bool { range.allSatisfy { bytes[$0] >= 0x30 && bytes[$0] <= 0x39 } }
        func isSeparator(_ i: Int) -> Bool { bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "@") }
        let n = bytes.count
        // -YYYY-MM-DD
        if n > 11, isSeparator(n - 11), isDigits(n - 10..<n - 6), bytes[n - 6] == UInt8(ascii: "-"), isDigits(n - 5..<n - 3),
            bytes[n - 3] == UInt8(ascii: "-"), isDigits(n - 2..<n)
        {
            return String(decoding: bytes[..<(n - 11)], as: UTF8.self)
        }
        guard let sep = bytes.lastIndex(where: { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "@") }), sep > 0 else {
            return nil
        }
        let suffix = sep + 1..<n
        let isVersion = (isDigits(suffix) && [8, 4, 3].contains(suffix.count))
            || String(decoding: bytes[suffix], as: UTF8.self) == "latest"
        return isVersion ? String(decoding: bytes[..<sep], as: UTF8.self) : nil
    }

    /// This table layered over `base`: this table's entries win, and a model entry here also
    /// hides `base`'s dated versions of it (so overriding `gpt-4o` reprices
    /// `gpt-4o-2024-05-13` too, even though `base` lists that version exactly).
    public func overriding(_ base: PriceTable) -> PriceTable {
        var result = base
        if !models.isEmpty {
            result.models = base.models.filter { key, _ in
                guard let stem = Self.versionBase(of: key) else { return true }
                return models[stem] == nil
            }
            result.models.merge(models) { _, mine in mine }
        }
        result.configs.merge(configs) { _, mine in mine }
        result.asOf = asOf ?? base.asOf
        return result
    }

    /// The prices set on `configs` with `input_cost_per_token` / `output_cost_per_token`, keyed
    /// by config name (see `ModelPrice.configured(in:fallback:)`). Configs with invalid prices
    /// are skipped: the config parser reports those when the configs are loaded.
    package static func configuredPrices(in configs: some Sequence<ModelConfig>, fallback: PriceTable = .bundled) -> PriceTable {
        var table = PriceTable()
        for config in configs {
            if let price = try? ModelPrice.configured(in: config, fallback: fallback) {
                table.configs[config.configName] = price
            }
        }
        return table
    }
}

extension PriceTable {
    /// The bundled price table (`Resources/prices.json`): list prices of common OpenAI,
    /// Anthropic and Gemini models, dated by `asOf`. Empty if the resource cannot be read.
    public static let bundled: PriceTable = {
        guard let url = Bundle.module.url(forResource: "prices", withExtension: "json"),
            let table = try? PriceTable(contentsOf: url.path)
        else { return PriceTable() }
        return table
    }()

    /// Reads a price table from a JSON file (see `init(json:)`).
    public init(contentsOf path: String) throws(ModelError) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ModelError(.configuration, "price table '\(path)' cannot be read: \(error.localizedDescription)")
        }
        let value: JSONValue
        do { value = try JSONCodec.parse(data) } catch {
            throw ModelError(.configuration, "price table '\(path)': invalid JSON at \(error)")
        }
        try self.init(json: value)
    }

    /// Reads a price table from JSON:
    /// `{"as_of": "2026-01-01", "models": {"gpt-4o": {"input_cost_per_token": 2.5e-6,
    /// "output_cost_per_token": 1e-5}}, "configs": {...}}`. A bare object of model entries is
    /// accepted too, and so are the original's entries in USD per 1,000 tokens
    /// (`{"prompt": 0.005, "completion": 0.015}`). Keys starting with `_` are comments.
    package init(json: JSONValue) throws(ModelError) {
        guard case .object(let object) = json else {
            throw ModelError(.configuration, "price table must be a JSON object, got \(json.typeName)")
        }
        self.init(asOf: object["as_of"]?.stringValue)
        let sectioned = object["models"] != nil || object["configs"] != nil
        let models = sectioned ? (object["models"] ?? [:]) : json
        guard case .object(let modelEntries) = models else {
            throw ModelError(.configuration, "price table key 'models' must be an object, got \(models.typeName)")
        }
        for (name, entry) in modelEntries where !name.hasPrefix("_") && !(name == "as_of" && !sectioned) {
            setPrice(try Self.price(entry, name: name), forModel: name)
        }
        if let configEntries = object["configs"] {
            guard case .object(let entries) = configEntries else {
                throw ModelError(.configuration, "price table key 'configs' must be an object, got \(configEntries.typeName)")
            }
            for (name, entry) in entries where !name.hasPrefix("_") {
                setPrice(try Self.price(entry, name: name), forConfig: name)
            }
        }
    }

    private static func price(_ entry: JSONValue, name: String) throws(ModelError) -> ModelPrice {
        func number(_ key: String) throws(ModelError) -> Double? {
            guard let value = entry[key], !value.isNull else { return nil }
            guard let d = value.doubleValue, d >= 0, d.isFinite else {
                throw ModelError(.configuration, "price of '\(name)': '\(key)' must be a non-negative number, got \(value)")
            }
            return d
        }
        guard case .object = entry else {
            throw ModelError(.configuration, "price of '\(name)' must be an object, got \(entry.typeName)")
        }
        let input = try number(PriceConfigKeys.input)
        let output = try number(PriceConfigKeys.output)
        if input != nil || output != nil {
            return ModelPrice(inputCostPerToken: input ?? 0, outputCostPerToken: output ?? 0)
        }
        let prompt = try number("prompt")
        let completion = try number("completion")
        guard prompt != nil || completion != nil else {
            throw ModelError(
                .configuration,
                "price of '\(name)' needs 'input_cost_per_token' / 'output_cost_per_token' (USD per token) or 'prompt' / 'completion' (USD per 1,000 tokens)"
            )
        }
        return ModelPrice(inputCostPerToken: (prompt ?? 0) / 1000, outputCostPerToken: (completion ?? 0) / 1000)
    }
}
