import OneSimModelsCore

import Foundation

/// The `gateway` section of a config file: the keys `onesim-models serve` accepts, with their
/// limits and budgets.
///
/// It sits in the same file as the model configs, as one more entry of the array
/// (`{"gateway": {...}}`) or as a `"gateway"` key beside `"chat"` and `"embedding"`. The model
/// loaders skip it but check its shape (so a typo fails early everywhere); `${ENV}` references
/// in it are expanded only when a gateway reads it, so processes that only load the models need
/// not have the gateway's secrets. Secrets never appear in a message.
package struct GatewaySection: Sendable {
    /// One client key and what it may do.
    package struct Key: Sendable {
        /// The secret the client sends as `Authorization: Bearer ...`.
        package var secret: String
        /// A name for logs and usage (`key-1`, `key-2`, ... when absent).
        package var name: String
        /// The models (configs, balancers or model names) it may call; `nil`: all.
        package var models: Set<String>?
        package var rpm: Int?
        package var tpm: Int?
        package var maxConcurrency: Int?
        package var maxCostUSD: Double?
        package var maxTokens: Int?
        package var expires: Date?
    }

    /// The key that may read `/v1/usage` (and call every model).
    package var masterKey: String?
    /// Client keys, in file order.
    package var keys: [Key]

    /// Whether any key is configured.
    package var hasKeys: Bool { masterKey != nil || !keys.isEmpty }

    static let sectionKeys: Set<String> = ["master_key", "keys"]
    static let keyKeys: Set<String> = [
        "key", "name", "models", "rpm", "tpm", "max_concurrency", "max_cost_usd", "max_tokens", "expires",
    ]

    /// Finds the section in a config document: `{"gateway": ...}` as an array entry, or the
    /// `"gateway"` key of the categorised form. `nil` when there is none.
    package static func find(in document: JSONValue) -> JSONValue? {
        switch document {
        case .array(let items):
            for item in items {
                if case .object(let object) = item, object.count == 1, let section = object["gateway"] { return section }
            }
            return nil
        case .object(let object) where object["config_name"] == nil:
            return object["gateway"]
        default:
            return nil
        }
    }

    /// Reads the section from a config file's bytes, expanding `${ENV}` from `environment`.
    /// `nil` when the file has no `gateway` section.
    package static func load(data: Data, source: String, environment: [String: String]) throws(ModelError) -> GatewaySection? {
        if let problem = ConfigParser.invalidUTF8(in: data) {
            throw ModelError(.configuration, "\(source): \(problem)")
        }
        let value: JSONValue
        do { value = try JSONCodec.parse(data) } catch {
            throw ModelError(.configuration, "\(source): invalid JSON at \(error)")
        }
        guard let section = find(in: value) else { return nil }
        return try parse(section, source: source, environment: environment)
    }

    /// Checks and reads a section. With `environment` nil, `${ENV}` references are left as they
    /// are (the loaders' check); otherwise they are expanded and an unset one is an error.
    package static func parse(
        _ value: JSONValue, source: String, environment: [String: String]?
    ) throws(ModelError) -> GatewaySection {
        func fail(_ message: String) -> ModelError { ModelError(.configuration, "\(source): gateway: \(message)") }
        guard case .object(let object) = value else {
            throw fail("must be an object with 'master_key' and 'keys', got \(value.typeName)")
        }
        for key in object.keys.sorted() where !sectionKeys.contains(key) {
            throw fail("unknown key '\(key)'\(KeySuggestion.hint(for: key, in: sectionKeys))")
        }
        let expander = environment.map { ConfigParser(source: source, environment: $0, registry: ModelTypeRegistry()) }
        func secret(_ raw: JSONValue, key: String) throws(ModelError) -> String {
            guard let s = raw.stringValue, !s.isEmpty else {
                throw fail("key '\(key)' must be a non-empty string, got \(raw.typeName)")
            }
            guard let expander else { return s }
            let expanded: String
            do { expanded = try expander.expandString(s, path: key) } catch let error as ConfigParser.EnvError {
                throw fail("key '\(key)' references ${\(error.name)}, which is not set")
            } catch { throw fail("key '\(key)' cannot be expanded") }
            guard !expanded.isEmpty else { throw fail("key '\(key)' is empty after ${ENV} expansion") }
            return expanded
        }
        var section = GatewaySection(masterKey: nil, keys: [])
        if let raw = object["master_key"], !raw.isNull {
            section.masterKey = try secret(raw, key: "master_key")
        }
        if let raw = object["keys"], !raw.isNull {
            guard case .array(let items) = raw else { throw fail("key 'keys' must be an array of key objects, got \(raw.typeName)") }
            var names = Set<String>()
            for (i, item) in items.enumerated() {
                let at = "keys[\(i)]"
                guard case .object(let entry) = item else { throw fail("\(at) must be an object, got \(item.typeName)") }
                for key in entry.keys.sorted() where !keyKeys.contains(key) {
                    throw fail("unknown key '\(at).\(key)'\(KeySuggestion.hint(for: key, in: keyKeys))")
                }
                guard let rawSecret = entry["key"], !rawSecret.isNull else { throw fail("\(at): missing required key 'key'") }
                var key = Key(secret: try secret(rawSecret, key: "\(at).key"), name: "key-\(i + 1)")
                if let raw = entry["name"], !raw.isNull {
                    guard let s = raw.stringValue, !s.isEmpty, s.count <= 200 else {
                        throw fail("key '\(at).name' must be a non-empty string of at most 200 characters, got \(raw.typeName)")
                    }
                    key.name = s
                }
                guard !names.contains(key.name) else { throw fail("key '\(at).name': the name '\(key.name)' is used twice") }
                names.insert(key.name)
                if let raw = entry["models"], !raw.isNull {
                    guard case .array(let models) = raw, models.allSatisfy({ !($0.stringValue ?? "").isEmpty }) else {
                        throw fail("key '\(at).models' must be an array of model or config names, got \(ConfigParser.shown(raw))")
                    }
                    key.models = Set(models.compactMap(\.stringValue))
                }
                for field in ["rpm", "tpm", "max_concurrency", "max_tokens"] {
                    guard let raw = entry[field], !raw.isNull else { continue }
                    guard let n = raw.intValue, n > 0, n < 9_000_000_000_000_000 else {
                        throw fail("key '\(at).\(field)' must be a positive integer below 9e15, got \(ConfigParser.shown(raw))")
                    }
                    switch field {
                    case "rpm": key.rpm = n
                    case "tpm": key.tpm = n
                    case "max_concurrency": key.maxConcurrency = n
                    default: key.maxTokens = n
                    }
                }
                if let raw = entry["max_cost_usd"], !raw.isNull {
                    guard let d = raw.doubleValue, d.isFinite, d >= 0 else {
                        throw fail("key '\(at).max_cost_usd' must be a number ≥ 0, got \(ConfigParser.shown(raw))")
                    }
                    key.maxCostUSD = d
                }
                if let raw = entry["expires"], !raw.isNull {
                    guard let s = raw.stringValue, let date = parseDate(s) else {
                        throw fail("key '\(at).expires' must be an ISO 8601 date and time such as \"2026-12-31T00:00:00Z\", got \(ConfigParser.shown(raw))")
                    }
                    key.expires = date
                }
                section.keys.append(key)
            }
        }
        // Two identical secrets would make a key's identity ambiguous (checked only once expanded).
        if environment != nil {
            var seen: [String: String] = [:]
            if let master = section.masterKey { seen[master] = "master_key" }
            for (i, key) in section.keys.enumerated() {
                if let earlier = seen[key.secret] { throw fail("keys[\(i)].key is the same secret as \(earlier)") }
                seen[key.secret] = "keys[\(i)].key"
            }
        }
        return section
    }

    /// An ISO 8601 date-time (`2026-12-31T00:00:00Z`, with or without fractional seconds).
    static func parseDate(_ s: String) -> Date? {
        guard s.count <= 64 else { return nil }
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: s) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: s)
    }
}
