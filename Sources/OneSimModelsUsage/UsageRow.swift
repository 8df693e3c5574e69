import OneSimModelsCore

/// The finest breakdown of usage: one provider model, served through one config by one
/// provider, for one kind of call. Every other breakdown is a sum over these.
package struct UsageKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The provider's model name (`gpt-4o`, ...).
    package var modelName: String
    /// The config that made the calls.
    package var configName: String
    /// The provider (`openai`, `vllm`, ...).
    package var provider: String
    /// Chat (including streamed chat) or embedding.
    package var kind: ModelKind

    /// The key of calls to `modelName` through `configName`; names are kept as given (no case
    /// folding), so keys differing only in case are different rows.
    package init(modelName: String, configName: String, provider: String, kind: ModelKind) {
        self.modelName = modelName
        self.configName = configName
        self.provider = provider
        self.kind = kind
    }

    /// The key of `record`.
    package init(_ record: CallRecord) {
        self.init(modelName: record.modelName, configName: record.configName, provider: record.provider, kind: record.kind)
    }

    /// Ordered by model, config, provider, then kind.
    package static func < (lhs: UsageKey, rhs: UsageKey) -> Bool {
        (lhs.modelName, lhs.configName, lhs.provider, lhs.kind.rawValue)
            < (rhs.modelName, rhs.configName, rhs.provider, rhs.kind.rawValue)
    }

    /// `"model [config, provider, kind]"`.
    package var description: String { "\(modelName) [\(configName), \(provider), \(kind.rawValue)]" }
}

/// Usage of one key.
package struct UsageRow: Sendable, Hashable {
    /// Which model, config, provider and kind.
    package var key: UsageKey
    /// Tokens, requests and errors of the calls with `key`.
    package var usage: UsageBucket

    /// A row holding `usage` for `key`.
    package init(key: UsageKey, usage: UsageBucket) {
        self.key = key
        self.usage = usage
    }

    /// The bucket's keys plus `model_name`, `config_name`, `provider` and `kind`.
    package var json: JSONValue {
        var object = usage.json.objectValue ?? [:]
        object["model_name"] = .string(key.modelName)
        object["config_name"] = .string(key.configName)
        object["provider"] = .string(key.provider)
        object["kind"] = .string(key.kind.rawValue)
        return .object(object)
    }

    /// Reads what `json` writes.
    package init(json: JSONValue) throws(ModelError) {
        func string(_ name: String) throws(ModelError) -> String {
            guard let s = json[name]?.stringValue else {
                throw ModelError(.decoding, "token usage row needs a string '\(name)', got \(json[name]?.description ?? "nothing")")
            }
            return s
        }
        let kindName = try string("kind")
        guard let kind = ModelKind(rawValue: kindName) else {
            throw ModelError(.decoding, "token usage row has unknown kind '\(kindName)' (expected chat or embedding)")
        }
        key = UsageKey(
            modelName: try string("model_name"), configName: try string("config_name"), provider: try string("provider"),
            kind: kind)
        usage = try UsageBucket(json: json)
    }
}
