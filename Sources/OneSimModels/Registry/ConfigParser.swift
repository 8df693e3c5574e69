import OneSimModelsCore
import OneSimModelsProviders
import OneSimModelsRouting
import OneSimModelsUsage

import Foundation

/// Turns config JSON into validated `ModelConfig`s, or one clear error.
///
/// Accepts one config object, an array of them, or the categorised
/// `{"chat": [...], "embedding": [...]}` shape. Every problem names the config (or its entry
/// number) and the key: unknown or misspelled keys (with the nearest known key), wrong types,
/// missing fields, unknown model types, undefined `${ENV}` references and duplicate names.
/// Parsing never mutates its input and returns all configs or none.
struct ConfigParser {
    /// Where the JSON came from (`"config.json"`, `"JSON"`), for messages.
    var source: String
    /// Environment for `${VAR}` expansion.
    var environment: [String: String]
    /// Registered model types.
    var registry: ModelTypeRegistry

    static let balancerType = "load_balancer"
    static let commonKeys: Set<String> = [
        "config_name", "model_type", "model_name", "model", "provider", "category", "api_key", "organization",
        "client_args", "generate_args", "stream", "model_path", "max_length",
    ]
    /// Per-deployment keys every model accepts (used when it is a balancer member).
    static let deploymentKeys: Set<String> = Set(["weight", "rpm", "tpm", "max_concurrency", "cooldown_time", "metrics_url", "metrics_interval"])
        .union(PriceConfigKeys.all)
    /// Keys of a `load_balancer` entry.
    static let balancerKeys: Set<String> = [
        "config_name", "model_type", "category", "provider", "models", "strategy", "max_retries", "fallbacks",
        "cooldown_time", "allowed_fails", "queue_timeout", "max_cost_usd", "max_tokens", "panic_threshold",
        "lookahead", "max_skips", "balance_abs_threshold", "balance_rel_threshold", "prefix_index_blocks",
        "affinity_load_factor",
    ]
    static let clientArgKeys: Set<String> = [
        "base_url", "api_key", "organization", "timeout", "connect_timeout", "read_timeout", "max_retries",
        "default_headers",
    ]

    /// Parses any accepted shape.
    func parse(_ value: JSONValue) throws(ModelError) -> [ModelConfig] {
        var entries: [(JSONValue, String, ModelKind?)] = []
        switch value {
        case .array(let items):
            var gatewayAt: Int?
            for (i, item) in items.enumerated() {
                if case .object(let object) = item, object["gateway"] != nil, object["config_name"] == nil {
                    // The gateway's section: checked here, used only by `onesim-models serve`.
                    guard object.count == 1 else {
                        throw fail("entry \(i + 1): a gateway entry holds only the key 'gateway', found also \(object.keys.filter { $0 != "gateway" }.sorted().map { "'\($0)'" }.joined(separator: ", "))")
                    }
                    if let gatewayAt { throw fail("entry \(i + 1): a second gateway entry (the first is entry \(gatewayAt + 1))") }
                    gatewayAt = i
                    _ = try GatewaySection.parse(object["gateway"] ?? .null, source: source, environment: nil)
                    continue
                }
                entries.append((item, "entry \(i + 1)", nil))
            }
        case .object(let object) where object["config_name"] == nil
            && (object["chat"] != nil || object["embedding"] != nil || object["gateway"] != nil):
            for key in object.keys.sorted() where ModelKind(rawValue: key) == nil && key != "gateway" {
                throw fail("top-level key '\(key)' is not a category (valid: chat, embedding, gateway)\(KeySuggestion.hint(for: key, in: ["chat", "embedding", "gateway"]))")
            }
            if let section = object["gateway"] {
                _ = try GatewaySection.parse(section, source: source, environment: nil)
            }
            for kind in ModelKind.allCases {
                guard let section = object[kind.rawValue] else { continue }
                guard case .array(let items) = section else {
                    throw fail("'\(kind.rawValue)' must be an array of configs, got \(section.typeName)")
                }
                for (i, item) in items.enumerated() { entries.append((item, "\(kind.rawValue) entry \(i + 1)", kind)) }
            }
        case .object:
            entries.append((value, "the config", nil))
        default:
            throw fail("expected a config object, an array of configs or {\"chat\": [...], \"embedding\": [...]}, got \(value.typeName)")
        }
        guard !entries.isEmpty else {
            throw fail("holds no model configs; expected a config object, an array of configs or {\"chat\": [...], \"embedding\": [...]} with at least one config")
        }
        var configs: [ModelConfig] = []
        var seen: [String: String] = [:]
        for (item, position, category) in entries {
            let config = try parseEntry(item, position: position, category: category)
            if let earlier = seen[config.configName] {
                throw fail("config name '\(config.configName)' is used twice (\(earlier) and \(position))")
            }
            seen[config.configName] = position
            configs.append(config)
        }
        return configs
    }

    private func fail(_ message: String) -> ModelError {
        ModelError(.configuration, "\(source): \(message)")
    }

    private func parseEntry(_ item: JSONValue, position: String, category: ModelKind?) throws(ModelError) -> ModelConfig {
        guard case .object(let rawObject) = item else {
            throw self.fail("\(position) must be an object, got \(item.typeName)")
        }
        let label = rawObject["config_name"]?.stringValue.map { "config '\($0)' (\(position))" } ?? position
        func fail(_ message: String) -> ModelError { self.fail("\(label): \(message)") }

        let object: [String: JSONValue]
        do { object = try expand(rawObject, path: "") } catch let error as EnvError {
            throw fail("key '\(error.path)' references ${\(error.name)}, which is not set")
        } catch { throw fail("\(error)") }

        func string(_ key: String, in dict: [String: JSONValue], prefix: String = "") throws(ModelError) -> String? {
            guard let value = dict[key], !value.isNull else { return nil }
            guard let s = value.stringValue else { throw fail("key '\(prefix)\(key)' must be a string, got \(value.typeName)") }
            return s.isEmpty ? nil : s
        }

        guard let configName = try string("config_name", in: object) else {
            throw fail("missing required key 'config_name'")
        }
        // model_type, or the original's provider + category.
        var categoryKind = category
        if let c = try string("category", in: object) {
            guard let kind = ModelKind(rawValue: c.lowercased()) else {
                throw fail("key 'category' must be 'chat' or 'embedding', got '\(c)'")
            }
            if let category, category != kind {
                throw fail("key 'category' is '\(c)' but the config is in the '\(category.rawValue)' section")
            }
            categoryKind = kind
        }
        let provider = try string("provider", in: object)
        var modelType = try string("model_type", in: object)
        if modelType == nil, let provider {
            let base = provider.lowercased().hasSuffix("_chat") || provider.lowercased().hasSuffix("_embedding")
                ? provider.lowercased() : "\(provider.lowercased())_\((categoryKind ?? .chat).rawValue)"
            modelType = base
        }
        guard let modelType else { throw fail("missing required key 'model_type' (e.g. 'openai_chat')") }

        if modelType == Self.balancerType {
            return try parseBalancer(object, configName: configName, kind: categoryKind, fail: fail)
        }
        guard let descriptor = registry.descriptor(for: modelType) else {
            throw fail(
                "unknown model_type '\(modelType)'\(KeySuggestion.hint(for: modelType, in: registry.modelTypes + [Self.balancerType])) (registered: \((registry.modelTypes + [Self.balancerType]).joined(separator: ", ")))"
            )
        }
        if let categoryKind, categoryKind != descriptor.kind {
            throw fail("model_type '\(modelType)' is a \(descriptor.kind.rawValue) model, not \(categoryKind.rawValue)")
        }
        let known = Self.commonKeys.union(Self.deploymentKeys).union(descriptor.extraKeys)
        for key in object.keys.sorted() where !known.contains(key) {
            throw fail("unknown key '\(key)'\(KeySuggestion.hint(for: key, in: known))")
        }

        var modelName = try string("model_name", in: object)
        if let alias = try string("model", in: object) {
            if let modelName, modelName != alias {
                throw fail("keys 'model_name' ('\(modelName)') and 'model' ('\(alias)') disagree")
            }
            modelName = alias
        }
        var apiKey = try string("api_key", in: object)
        var organization = try string("organization", in: object)

        var clientArgs = ClientArgs()
        if let raw = object["client_args"], !raw.isNull {
            guard case .object(let args) = raw else { throw fail("key 'client_args' must be an object, got \(raw.typeName)") }
            for key in args.keys.sorted() where !Self.clientArgKeys.contains(key) {
                throw fail("unknown key 'client_args.\(key)'\(KeySuggestion.hint(for: key, in: Self.clientArgKeys))")
            }
            clientArgs.baseURL = try string("base_url", in: args, prefix: "client_args.")
            if let base = clientArgs.baseURL, let problem = URLCheck.problem(in: base) {
                throw fail("key 'client_args.base_url' \(problem)")
            }
            if apiKey == nil { apiKey = try string("api_key", in: args, prefix: "client_args.") }
            if organization == nil { organization = try string("organization", in: args, prefix: "client_args.") }
            if let t = args["timeout"], !t.isNull {
                if t.doubleValue != nil {
                    clientArgs.timeout.total = try Self.seconds(t, key: "client_args.timeout", fail: fail)
                } else if case .object(let parts) = t {
                    for key in parts.keys.sorted() where !["connect", "read", "total"].contains(key) {
                        throw fail("unknown key 'client_args.timeout.\(key)'\(KeySuggestion.hint(for: key, in: ["connect", "read", "total"]))")
                    }
                    if let v = parts["connect"], !v.isNull { clientArgs.timeout.connect = try Self.seconds(v, key: "client_args.timeout.connect", fail: fail) }
                    if let v = parts["read"], !v.isNull { clientArgs.timeout.read = try Self.seconds(v, key: "client_args.timeout.read", fail: fail) }
                    if let v = parts["total"], !v.isNull { clientArgs.timeout.total = try Self.seconds(v, key: "client_args.timeout.total", fail: fail) }
                } else {
                    throw fail("key 'client_args.timeout' must be a number of seconds or {\"connect\", \"read\", \"total\"}, got \(t.typeName)")
                }
            }
            if let v = args["connect_timeout"], !v.isNull { clientArgs.timeout.connect = try Self.seconds(v, key: "client_args.connect_timeout", fail: fail) }
            if let v = args["read_timeout"], !v.isNull { clientArgs.timeout.read = try Self.seconds(v, key: "client_args.read_timeout", fail: fail) }
            if let v = args["max_retries"], !v.isNull {
                guard let n = v.intValue, (0...Self.maxRetriesLimit).contains(n) else {
                    throw fail("key 'client_args.max_retries' must be an integer from 0 to \(Self.maxRetriesLimit), got \(Self.shown(v))")
                }
                clientArgs.maxRetries = n
            }
            if let v = args["default_headers"], !v.isNull {
                guard case .object(let headers) = v else { throw fail("key 'client_args.default_headers' must be an object, got \(v.typeName)") }
                for (name, value) in headers {
                    guard let s = value.stringValue else { throw fail("header 'client_args.default_headers.\(name)' must be a string, got \(value.typeName)") }
                    clientArgs.defaultHeaders[name] = s
                }
            }
        }

        var generateArgs: [String: JSONValue] = [:]
        if let raw = object["generate_args"], !raw.isNull {
            guard case .object(let args) = raw else { throw fail("key 'generate_args' must be an object, got \(raw.typeName)") }
            for reserved in ["model", "messages", "input"] where args[reserved] != nil {
                throw fail("key 'generate_args.\(reserved)' is set by the adapter and cannot be overridden")
            }
            generateArgs = args
        }
        var stream = false
        if let raw = object["stream"], !raw.isNull {
            guard let b = raw.boolValue else { throw fail("key 'stream' must be a boolean, got \(raw.typeName)") }
            stream = b
        }
        // `model_path` and `max_length` are accepted for compatibility with the original's configs; unused.

        var options: [String: JSONValue] = [:]
        for key in descriptor.extraKeys.union(Self.deploymentKeys) {
            if let v = object[key], !v.isNull { options[key] = v }
        }
        try validateDeployment(options, fail: fail)
        _ = try ModelPrice.configured(in: options, configName: configName)
        return ModelConfig(
            configName: configName, modelType: modelType, modelName: modelName, apiKey: apiKey,
            organization: organization, clientArgs: clientArgs, generateArgs: generateArgs, stream: stream,
            options: options, source: source)
    }

    private func parseBalancer(
        _ object: [String: JSONValue], configName: String, kind: ModelKind?, fail: (String) -> ModelError
    ) throws(ModelError) -> ModelConfig {
        for key in object.keys.sorted() where !Self.balancerKeys.contains(key) {
            throw fail("unknown key '\(key)' for a load_balancer\(KeySuggestion.hint(for: key, in: Self.balancerKeys))")
        }
        try Self.validateBalancerOptions(object, configName: configName, requireModels: true, fail: fail)
        var options = object
        for key in ["config_name", "model_type", "category", "provider"] { options[key] = nil }
        if let kind { options["category"] = .string(kind.rawValue) }
        return ModelConfig(configName: configName, modelType: Self.balancerType, options: options, source: source)
    }

    private func validateDeployment(_ options: [String: JSONValue], fail: (String) -> ModelError) throws(ModelError) {
        if let v = options["weight"], !((v.doubleValue ?? -1) >= 0 && (v.doubleValue ?? .infinity).isFinite) {
            throw fail("key 'weight' must be a number ≥ 0, got \(Self.shown(v))")
        }
        for key in ["rpm", "tpm", "max_concurrency"] {
            if let v = options[key], !((v.intValue ?? 0) > 0) {
                throw fail("key '\(key)' must be a positive integer below 9e15, got \(Self.shown(v))")
            }
        }
        if let v = options["cooldown_time"] { _ = try Self.seconds(v, key: "cooldown_time", fail: fail) }
        if let v = options["metrics_url"], !v.isNull {
            guard let url = v.stringValue else { throw fail("key 'metrics_url' must be a URL string, got \(Self.shown(v))") }
            if let problem = URLCheck.problem(in: url) { throw fail("key 'metrics_url': \(problem)") }
        }
        if let v = options["metrics_interval"], !v.isNull {
            guard let seconds = v.doubleValue, seconds.isFinite, seconds >= 0.05, seconds <= 3600 else {
                throw fail("key 'metrics_interval' must be a number of seconds from 0.05 to 3600, got \(Self.shown(v))")
            }
        }
    }

    /// The most retries a config may ask for (`max_retries`, `client_args.max_retries`).
    static let maxRetriesLimit = 1_000

    /// Checks the keys of a load balancer's options (from a config file or
    /// `configureLoadBalancer(options:)`): types, ranges and durations.
    static func validateBalancerOptions(
        _ object: [String: JSONValue], configName: String, requireModels: Bool, fail: (String) -> ModelError
    ) throws(ModelError) {
        if let models = object["models"] ?? (requireModels ? Optional(JSONValue.null) : nil) {
            guard case .array(let items) = models, !items.isEmpty, items.allSatisfy({ $0.stringValue != nil }) else {
                if models.isNull { throw fail("missing required key 'models' (a list of config names)") }
                throw fail("key 'models' must be a non-empty array of config names, got \(shown(models))")
            }
        }
        if let s = object["strategy"], s.stringValue == nil { throw fail("key 'strategy' must be a string, got \(s.typeName)") }
        if let f = object["fallbacks"], !(f.arrayValue?.allSatisfy({ $0.stringValue != nil }) ?? false) {
            throw fail("key 'fallbacks' must be an array of config names, got \(shown(f))")
        }
        for key in ["max_retries", "allowed_fails"] {
            if let v = object[key], !(0...maxRetriesLimit).contains(v.intValue ?? -1) {
                throw fail("key '\(key)' must be an integer from 0 to \(maxRetriesLimit), got \(shown(v))")
            }
        }
        for key in ["cooldown_time", "queue_timeout"] {
            if let v = object[key], !v.isNull { _ = try seconds(v, key: key, fail: fail) }
        }
        if let v = object["panic_threshold"], !(v.doubleValue.map { (0...1).contains($0) } ?? false) {
            throw fail("key 'panic_threshold' must be a number from 0 to 1, got \(shown(v))")
        }
        for (key, range) in FleetSettings.integerRanges {
            if let v = object[key], !range.contains(v.intValue ?? -1) {
                throw fail("key '\(key)' must be an integer from \(range.lowerBound) to \(range.upperBound), got \(shown(v))")
            }
        }
        for (key, range) in FleetSettings.numberRanges {
            if let v = object[key], !(v.doubleValue.map { $0.isFinite && range.contains($0) } ?? false) {
                throw fail("key '\(key)' must be a number from \(range.lowerBound) to \(range.upperBound), got \(shown(v))")
            }
        }
        _ = try BudgetLimits.configured(in: object, configName: configName)
    }

    /// A number of seconds from a config, clamped to `Duration.practicallyForever` (so
    /// `1e10` means "never"); an error naming `key` for a non-number or a negative number.
    static func seconds(_ value: JSONValue, key: String, fail: (String) -> ModelError) throws(ModelError) -> Duration {
        guard let s = value.doubleValue, let duration = Duration.clamped(seconds: s) else {
            throw fail("key '\(key)' must be a non-negative number of seconds, got \(shown(value))")
        }
        return duration
    }

    /// `value` as an error message shows it: JSON text, except numbers too large for a
    /// `Double` (`1e309`), which JSON text would show as `null`.
    static func shown(_ value: JSONValue) -> String {
        if case .double(let d) = value, !d.isFinite { return "\(d < 0 ? "-" : "")1e309 or more (out of range)" }
        if case .double(let d) = value, abs(d) >= 9.0e15 { return "\(d) (out of range)" }
        return value.description
    }

    /// Where `data` stops being UTF-8 (`"invalid UTF-8 at line 3, column 14"`), or `nil` when
    /// it is valid: a config's strings (keys, URLs) must not be silently altered.
    static func invalidUTF8(in data: Data) -> String? {
        var line = 1
        var column = 1
        var index = data.startIndex
        while index < data.endIndex {
            let lead = data[index]
            let length: Int
            switch lead {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return "invalid UTF-8 at line \(line), column \(column)"
            }
            guard data.endIndex - index >= length else { return "invalid UTF-8 at line \(line), column \(column)" }
            if length > 1 {
                let scalar = data[index..<(index + length)]
                guard String(validating: scalar, as: UTF8.self) != nil else {
                    return "invalid UTF-8 at line \(line), column \(column)"
                }
            }
            if lead == 0x0A {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += length
        }
        return nil
    }

    // MARK: ${ENV} expansion

    struct EnvError: Error {
        var path: String
        var name: String
    }

    private func expand(_ object: [String: JSONValue], path: String) throws -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (key, value) in object {
            out[key] = try expand(value, path: path.isEmpty ? key : "\(path).\(key)")
        }
        return out
    }

    private func expand(_ value: JSONValue, path: String) throws -> JSONValue {
        switch value {
        case .string(let s) where s.contains("${"): return .string(try expandString(s, path: path))
        case .array(let a): return .array(try a.enumerated().map { try expand($0.element, path: "\(path)[\($0.offset)]") })
        case .object(let o): return .object(try expand(o, path: path))
        default: return value
        }
    }

    /// Replaces `${NAME}` and `${NAME:-default}`; an unset name without a default is an error.
    func expandString(_ s: String, path: String) throws -> String {
        var result = ""
        var rest = Substring(s)
        while let start = rest.firstRange(of: "${") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                result += rest[start.lowerBound...]
                return result
            }
            let body = rest[start.upperBound..<end]
            var name = Substring(body)
            var fallback: Substring?
            if let sep = body.firstRange(of: ":-") {
                name = body[..<sep.lowerBound]
                fallback = body[sep.upperBound...]
            }
            if let v = environment[String(name)], !v.isEmpty {
                result += v
            } else if let fallback {
                result += fallback
            } else {
                throw EnvError(path: path, name: String(name))
            }
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }
}
