extension ModelConfig: CustomDebugStringConvertible, CustomReflectable {
    /// As `description`: never the key.
    public var debugDescription: String { description }

    /// The fields of `redacted` (key and secret headers as `***`, `base_url` without user-info),
    /// so `dump(config)` and `Mirror(reflecting: config)` show no secret.
    public var customMirror: Mirror {
        var safe = redacted
        safe.clientArgs.baseURL = safe.clientArgs.baseURL.map(redactedURL)
        return Mirror(
            self,
            children: [
                "configName": safe.configName, "modelType": safe.modelType, "modelName": safe.modelName as Any,
                "apiKey": safe.apiKey as Any, "organization": safe.organization as Any, "clientArgs": safe.clientArgs,
                "generateArgs": safe.generateArgs, "stream": safe.stream, "options": safe.options, "source": safe.source,
            ], displayStyle: .struct)
    }
}
