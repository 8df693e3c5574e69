import OneSimModelsCore

// A gateway section holds its secrets in the clear until the gateway hashes them: every way of
// printing it (`description`, `debugDescription`, `dump`, a debugger's view) masks them.

extension GatewaySection: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    package var description: String {
        "GatewaySection(master_key: \(masterKey == nil ? "none" : SecretRedaction.mask), keys: [\(keys.map(\.description).joined(separator: ", "))])"
    }

    package var debugDescription: String { description }

    package var customMirror: Mirror {
        Mirror(self, children: ["masterKey": masterKey == nil ? "none" : SecretRedaction.mask, "keys": keys])
    }
}

extension GatewaySection.Key: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    package var description: String {
        var parts = ["name: \(name)", "key: \(SecretRedaction.mask)"]
        if let models { parts.append("models: \(models.sorted())") }
        if let rpm { parts.append("rpm: \(rpm)") }
        if let tpm { parts.append("tpm: \(tpm)") }
        if let maxConcurrency { parts.append("max_concurrency: \(maxConcurrency)") }
        if let maxCostUSD { parts.append("max_cost_usd: \(maxCostUSD)") }
        if let maxTokens { parts.append("max_tokens: \(maxTokens)") }
        if let expires { parts.append("expires: \(expires)") }
        return "Key(\(parts.joined(separator: ", ")))"
    }

    package var debugDescription: String { description }

    package var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "name": name, "secret": SecretRedaction.mask, "models": models as Any, "rpm": rpm as Any, "tpm": tpm as Any,
                "maxConcurrency": maxConcurrency as Any, "maxCostUSD": maxCostUSD as Any, "maxTokens": maxTokens as Any,
                "expires": expires as Any,
            ])
    }
}
