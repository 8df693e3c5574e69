import Foundation
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Config loading and validation")
struct ConfigLoadingTests {
    func manager(_ env: [String: String] = [:]) -> ModelManager { ModelManager(environment: env) }

    func loadError(_ json: String, env: [String: String] = [:]) -> ModelError? {
        let m = manager(env)
        do {
            try m.loadModelConfigs(json: json)
            return nil
        } catch { return error }
    }

    @Test func loadsOneConfigAListAndTheCategorisedShape() throws {
        let m = manager()
        try m.loadModelConfigs(json: #"{"config_name": "one", "model_type": "openai_chat", "model_name": "gpt-4o"}"#)
        try m.loadModelConfigs(json: """
            [{"config_name": "two", "model_type": "openai_chat"}, {"config_name": "emb", "model_type": "openai_embedding"}]
            """)
        try m.loadModelConfigs(json: """
            {"chat": [{"config_name": "c", "provider": "openai", "model_name": "gpt-4o", "generate_args": {"temperature": 0}}],
             "embedding": [{"config_name": "e", "model_type": "openai_embedding", "model_name": "bge"}]}
            """)
        #expect(Set(m.modelConfigs.keys) == ["one", "two", "emb", "c", "e"])
        #expect(m.getConfig("c")?.modelType == "openai_chat")
        #expect(m.getConfig("c")?.generateArgs["temperature"] == .int(0))
        #expect(m.getModelNamesByType(.chat) == ["one", "two", "c"])
        #expect(m.getModelNamesByType(.embedding) == ["emb", "e"])
        #expect(m.getModelConfigName(.chat) == "chat_load_balancer")
    }

    @Test func unknownKeySuggestsTheNearest() {
        let error = loadError(#"{"config_name": "x", "model_type": "openai_chat", "generate_arg": {}}"#)
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("config 'x'") == true)
        #expect(error?.message.contains("unknown key 'generate_arg'") == true)
        #expect(error?.message.contains("did you mean 'generate_args'") == true)
    }

    @Test func unknownClientArgKeyIsNamedWithItsPath() {
        let error = loadError(#"{"config_name": "x", "model_type": "openai_chat", "client_args": {"timout": 5}}"#)
        #expect(error?.message.contains("client_args.timout") == true)
        #expect(error?.message.contains("did you mean 'timeout'") == true)
    }

    @Test func wrongTypesAreNamed() {
        #expect(loadError(#"{"config_name": "x", "model_type": "openai_chat", "stream": "yes"}"#)?.message
            .contains("key 'stream' must be a boolean, got string") == true)
        #expect(loadError(#"{"config_name": "x", "model_type": "openai_chat", "generate_args": []}"#)?.message
            .contains("'generate_args' must be an object") == true)
        #expect(loadError(#"{"config_name": "x", "model_type": "openai_chat", "client_args": {"timeout": "long"}}"#)?
            .message.contains("client_args.timeout") == true)
        #expect(loadError(#"{"config_name": 5, "model_type": "openai_chat"}"#)?.message
            .contains("'config_name' must be a string") == true)
    }

    @Test func missingFieldsAndUnknownTypes() {
        #expect(loadError(#"{"model_type": "openai_chat"}"#)?.message.contains("missing required key 'config_name'") == true)
        #expect(loadError(#"{"config_name": "x"}"#)?.message.contains("missing required key 'model_type'") == true)
        let error = loadError(#"{"config_name": "x", "model_type": "opnai_chat"}"#)
        #expect(error?.message.contains("unknown model_type 'opnai_chat'") == true)
        #expect(error?.message.contains("did you mean 'openai_chat'") == true)
    }

    @Test func invalidJSONReportsLineAndColumn() {
        let error = loadError("[\n  {\"config_name\": \"x\",\n   \"model_type\" \"openai_chat\"}\n]")
        #expect(error?.message.contains("line 3, column 17") == true)
    }

    @Test func duplicateNamesInOneLoadAreRejected() {
        let error = loadError("""
            [{"config_name": "x", "model_type": "openai_chat"}, {"config_name": "x", "model_type": "openai_chat"}]
            """)
        #expect(error?.message.contains("'x' is used twice") == true)
    }

    @Test func loadingIsAllOrNothing() throws {
        let m = manager()
        try m.loadModelConfigs(json: #"{"config_name": "keep", "model_type": "openai_chat"}"#)
        #expect(throws: ModelError.self) {
            try m.loadModelConfigs(json: """
                [{"config_name": "new1", "model_type": "openai_chat"}, {"config_name": "bad", "model_type": "nope"}]
                """)
        }
        #expect(Set(m.modelConfigs.keys) == ["keep"])
    }

    @Test func environmentReferencesAreExpanded() throws {
        let m = manager(["HOST": "http://h:1/v1", "KEY": "sk-env"])
        try m.loadModelConfigs(json: """
            {"config_name": "x", "model_type": "openai_chat", "api_key": "${KEY}",
             "client_args": {"base_url": "${HOST}", "default_headers": {"x-team": "${TEAM:-research}"}}}
            """)
        let config = try #require(m.state.withLock { $0.configs["x"] })
        #expect(config.apiKey == "sk-env")
        #expect(config.clientArgs.baseURL == "http://h:1/v1")
        #expect(config.clientArgs.defaultHeaders["x-team"] == "research")
        let error = loadError(#"{"config_name": "y", "model_type": "openai_chat", "api_key": "${NOPE}"}"#)
        #expect(error?.message.contains("${NOPE}") == true)
        #expect(error?.message.contains("'api_key'") == true)
    }

    @Test func getConfigRedactsTheKey() throws {
        let m = manager()
        try m.loadModelConfigs(json: #"{"config_name": "x", "model_type": "openai_chat", "api_key": "sk-very-secret"}"#)
        let config = try #require(m.getConfig("x"))
        #expect(config.apiKey == "***")
        #expect(!config.description.contains("sk-very-secret"))
        #expect(!"\(m.modelConfigs)".contains("sk-very-secret"))
    }

    @Test func missingFileIsAConfigurationError() {
        let m = manager()
        let error = #expect(throws: ModelError.self) { try m.loadModelConfigs(path: "/nonexistent/models.json") }
        #expect(error?.message.contains("/nonexistent/models.json") == true)
        #expect(error?.message.contains("does not exist") == true)
    }

    @Test func loadsFromAFilePath() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("models.json").path
        try Data(#"[{"config_name": "f", "model_type": "vllm_chat", "model_name": "qwen"}]"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        let m = manager()
        try m.loadModelConfigs(path: path)
        #expect(m.getConfig("f")?.modelName == "qwen")
        #expect(m.getConfig("f")?.source == path)
    }

    @Test func categorisedSectionMustMatchTheModelType() {
        let error = loadError(#"{"chat": [{"config_name": "e", "model_type": "openai_embedding"}]}"#)
        #expect(error?.message.contains("is a embedding model, not chat") == true || error?.message.contains("embedding model, not chat") == true)
    }

    @Test func timeoutForms() throws {
        let m = manager()
        try m.loadModelConfigs(json: """
            [{"config_name": "a", "model_type": "openai_chat", "client_args": {"timeout": 30}},
             {"config_name": "b", "model_type": "openai_chat", "client_args": {"timeout": {"connect": 2, "read": 10, "total": 60}}}]
            """)
        let (a, b) = m.state.withLock { ($0.configs["a"]!, $0.configs["b"]!) }
        #expect(a.clientArgs.timeout.total == .seconds(30))
        #expect(b.clientArgs.timeout == TimeoutSettings(connect: .seconds(2), read: .seconds(10), total: .seconds(60)))
    }
}
