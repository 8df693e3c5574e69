import Foundation
import OneSimModelsCore

/// The `azure_openai_chat` and `azure_openai_embedding` model types: Azure OpenAI's deployment
/// URLs, `{base_url}/openai/deployments/{deployment}/chat/completions?api-version=...`, with the
/// key in the `api-key` header. The deployment is the config's `model_name`, `base_url` is the
/// resource endpoint (`https://{resource}.openai.azure.com`, or `AZURE_OPENAI_ENDPOINT`), the
/// key comes from `api_key` or `AZURE_OPENAI_API_KEY`, and `api_version` picks the API version
/// (default `defaultAPIVersion`). Requests and responses are OpenAI's, so the OpenAI codec,
/// stream decoder and error mapper serve them (Azure's content filter errors map to
/// `.contentFiltered`).
package enum AzureOpenAIModelTypes {
    /// The latest generally available data-plane inference API version.
    package static let defaultAPIVersion = "2024-10-21"

    /// Both types, with the extra config key `api_version` (and, for chat, `max_tokens_field`).
    package static let descriptors: [ModelTypeDescriptor] = [
        ModelTypeDescriptor(
            modelType: "azure_openai_chat", kind: .chat, provider: "azure",
            extraKeys: ["api_version", OpenAITokenLimitField.configKey]
        ) {
            config, context in
            try OpenAIChatAdapter(config: config, endpoint: try endpoint(config, kind: .chat, context: context))
        },
        ModelTypeDescriptor(
            modelType: "azure_openai_embedding", kind: .embedding, provider: "azure", extraKeys: ["api_version"]
        ) { config, context in
            OpenAIEmbeddingAdapter(config: config, endpoint: try endpoint(config, kind: .embedding, context: context))
        },
    ]

    /// The OpenAI endpoint of an Azure deployment.
    package static func endpoint(_ config: ModelConfig, kind: ModelKind, context: ProviderContext) throws(ModelError)
        -> OpenAIEndpoint
    {
        guard context.resolve(config.clientArgs.baseURL, env: "AZURE_OPENAI_ENDPOINT") != nil else {
            throw ModelError(
                .configuration,
                "config '\(config.configName)': \(config.modelType) needs client_args.base_url (https://{resource}.openai.azure.com) or AZURE_OPENAI_ENDPOINT",
                configName: config.configName)
        }
        var version = defaultAPIVersion
        if let v = config.options["api_version"] {
            guard let s = v.stringValue, !s.isEmpty else {
                throw ModelError(
                    .configuration, "config '\(config.configName)': key 'api_version' must be a non-empty string, got \(v)",
                    configName: config.configName)
            }
            version = s
        }
        var endpoint = OpenAIEndpoint(
            config: config, kind: kind, provider: "azure", context: context, keyEnv: ["AZURE_OPENAI_API_KEY"],
            baseURLEnv: ["AZURE_OPENAI_ENDPOINT"], defaultBaseURL: "", keyHeader: .named("api-key"))
        let deployment = config.resolvedModelName.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)
            ?? config.resolvedModelName
        endpoint.baseURL += "/openai/deployments/\(deployment)"
        endpoint.urlQuery = "api-version=" + (version.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? version)
        return endpoint
    }
}
