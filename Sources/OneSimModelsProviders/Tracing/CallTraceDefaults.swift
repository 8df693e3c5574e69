import OneSimModelsCore

/// What every client span of one endpoint says before its call, worked out once when the
/// endpoint is built: the span name, the GenAI names, the server's address and port, and the
/// config's `generate_args` sampling values (a call's own options win over them).
package struct CallTraceDefaults: Sendable {
    /// `{gen_ai.operation.name} {gen_ai.request.model}`, e.g. `chat gpt-4o`.
    let spanName: String
    /// `chat` or `embeddings`.
    let operation: String
    /// `gen_ai.provider.name` (`openai`, `gcp.gemini`, `vllm`, ...).
    let provider: String
    /// `gen_ai.request.model`: the config's model name.
    let model: String
    /// `server.address`, the host of the base URL (`nil` when it has none).
    let serverAddress: String?
    /// `server.port`: the base URL's port, else the scheme's (443, 80).
    let serverPort: Int?
    let maxTokens: Int?
    let temperature: Double?
    let topP: Double?
    let seed: Int?

    /// The defaults of `identity` served from `baseURL` with `generateArgs`. Values of the
    /// wrong type or out of range are left out (they come from a config file).
    package init(identity: EndpointIdentity, baseURL: String = "", generateArgs: [String: JSONValue] = [:]) {
        operation = GenAINames.operation(identity.kind)
        provider = GenAINames.provider(identity.provider)
        model = identity.modelName
        spanName = operation + " " + identity.modelName
        (serverAddress, serverPort) = Self.server(of: baseURL)
        func int(_ keys: String...) -> Int? {
            for key in keys { if case .int(let v)? = generateArgs[key] { return v } }
            return nil
        }
        func double(_ keys: String...) -> Double? {
            for key in keys {
                switch generateArgs[key] {
                case .double(let v)? where v.isFinite: return v
                case .int(let v)?: return Double(v)
                default: continue
                }
            }
            return nil
        }
        maxTokens = int("max_tokens", "max_completion_tokens", "maxOutputTokens", "num_predict")
        temperature = double("temperature")
        topP = double("top_p", "topP")
        seed = int("seed")
    }

    /// The host and port of a URL (`http://127.0.0.1:8000/v1` → `127.0.0.1`, 8000): the scheme's
    /// port when none is written; `(nil, nil)` for a URL the transport would refuse
    /// (`URLCheck`). IPv6 brackets are dropped.
    static func server(of url: String) -> (String?, Int?) {
        guard case .success(let authority) = URLCheck.authority(of: url) else { return (nil, nil) }
        return (authority.host, authority.effectivePort)
    }
}
