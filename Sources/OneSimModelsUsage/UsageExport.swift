import Foundation
import OneSimModelsCore

/// The file formats token usage can be exported to.
public enum UsageExportFormat: String, Sendable, Hashable, CaseIterable {
    /// The snapshot's `dictionary` plus `cost_estimate`, indented, keys sorted (the original's
    /// shape); readable back with `TokenUsageStats.load(from:)`.
    case json
    /// One line per model, config, provider and kind, with a header line and a `cost_usd`
    /// column (empty when unpriced).
    case csv

    /// The format a path asks for: `.csv` for a `.csv` extension (any case), else `.json`.
    package init(path: String) {
        self = (path as NSString).pathExtension.lowercased() == "csv" ? .csv : .json
    }

    /// The file extension, without the dot.
    package var fileExtension: String { rawValue }
}

extension TokenUsageStats {
    /// The CSV header columns, in order.
    package static let csvColumns = [
        "model_name", "config_name", "provider", "kind", "request_count", "error_count", "prompt_tokens",
        "completion_tokens", "total_tokens", "mean_latency_seconds", "max_latency_seconds", "cost_usd",
    ]

    /// `dictionary` plus `cost_estimate` at `prices`: what a JSON export contains.
    public func exportDictionary(prices: PriceTable = .bundled) -> JSONValue {
        var value = dictionary
        value["cost_estimate"] = estimateCost(prices: prices).json
        return value
    }

    /// The JSON export: indented UTF-8 with sorted keys.
    public func exportJSON(prices: PriceTable = .bundled) -> Data {
        Self.prettyJSON(exportDictionary(prices: prices))
    }

    /// The CSV export: a header line, then one line per row, `\n`-terminated.
    public func exportCSV(prices: PriceTable = .bundled) -> String {
        var out = Self.csvColumns.joined(separator: ",") + "\n"
        for row in rows {
            let u = row.usage
            let cost = prices.price(modelName: row.key.modelName, configName: row.key.configName)
                .map { "\($0.cost(promptTokens: u.promptTokens, completionTokens: u.completionTokens))" } ?? ""
            let fields = [
                row.key.modelName, row.key.configName, row.key.provider, row.key.kind.rawValue, "\(u.requestCount)",
                "\(u.errorCount)", "\(u.promptTokens)", "\(u.completionTokens)", "\(u.totalTokens)",
                "\(u.meanLatencySeconds)", "\(u.maxLatencySeconds)", cost,
            ]
            out += fields.map(Self.csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    /// Writes this snapshot to `path` as `format` (by default chosen by the path's extension:
    /// `.csv` → CSV, anything else → JSON). A small synchronous write: from async code on a
    /// busy pool, call it off the cooperative threads if that matters.
    ///
    /// - Throws: `ModelError.configuration` when the file cannot be written.
    public func write(to path: String, format: UsageExportFormat? = nil, prices: PriceTable = .bundled) throws(ModelError) {
        let data: Data
        switch format ?? UsageExportFormat(path: path) {
        case .json: data = exportJSON(prices: prices)
        case .csv: data = Data(exportCSV(prices: prices).utf8)
        }
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw ModelError(.configuration, "cannot write token usage to '\(path)': \(error.localizedDescription)")
        }
    }

    /// Reads a JSON export (or any snapshot `dictionary`) back; see `init(json:)`.
    public static func load(from path: String) throws(ModelError) -> TokenUsageStats {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ModelError(.configuration, "cannot read token usage from '\(path)': \(error.localizedDescription)")
        }
        let value: JSONValue
        do { value = try JSONCodec.parse(data) } catch {
            throw ModelError(.decoding, "token usage file '\(path)': invalid JSON at \(error)")
        }
        return try TokenUsageStats(json: value)
    }

    /// The original's default file name, `token_usage_<YYYYmmdd_HHMMSS>.json` (local time), in
    /// the current directory; `.csv` for the CSV format.
    package static func defaultExportPath(format: UsageExportFormat = .json, date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd_HHmmss"
        return "token_usage_\(formatter.string(from: date)).\(format.fileExtension)"
    }

    static func prettyJSON(_ value: JSONValue) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data(JSONCodec.encode(value, sortedKeys: true))
    }

    /// `field`, quoted when it holds a comma, quote or line break (RFC 4180).
    static func csvField(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension TokenUsageTracker {
    /// Writes a snapshot to `path` (default: `token_usage_<YYYYmmdd_HHMMSS>.json` in the current
    /// directory) as JSON with `cost_estimate`, or CSV (by `format`, else by the extension),
    /// and returns the path written.
    ///
    /// - Throws: `ModelError.configuration` when the file cannot be written.
    @discardableResult
    public func export(to path: String? = nil, format: UsageExportFormat? = nil, prices: PriceTable = .bundled) throws(ModelError) -> String {
        let target = path ?? TokenUsageStats.defaultExportPath(format: format ?? .json)
        try stats().write(to: target, format: format, prices: prices)
        return target
    }
}
