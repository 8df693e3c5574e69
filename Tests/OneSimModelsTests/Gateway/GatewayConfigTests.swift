import Foundation
@testable import OneSimModels
@testable import OneSimModelsGateway
import Testing

@Suite("Gateway: the config file's gateway section")
struct GatewayConfigTests {
    static let model = #"{"config_name": "chat", "model_type": "openai_chat", "api_key": "k"}"#

    @Test func printingASectionOrAConfigurationNeverShowsAKey() throws {
        let json = #"[{"gateway": {"master_key": "sk-master-SECRET", "keys": [{"key": "sk-team-SECRET", "name": "team-a", "rpm": 5}]}}]"#
        let section = try #require(try GatewaySection.load(data: Data(json.utf8), source: "test.json", environment: [:]))
        var configuration = Gateway.Configuration()
        configuration.keys = section
        var dumped = ""
        dump(section, to: &dumped)
        dump(configuration, to: &dumped)
        let printed = [String(describing: section), String(reflecting: section), String(describing: configuration), dumped]
        for text in printed {
            #expect(!text.contains("SECRET"), "\(text)")
        }
        #expect(String(describing: section).contains("team-a"))
    }

    @Test func theLoadersIgnoreAValidSectionInBothForms() throws {
        let manager = ModelManager(environment: [:])
        try manager.loadModelConfigs(json: #"[\#(Self.model), {"gateway": {"master_key": "${UNSET_IN_THIS_PROCESS}", "keys": [{"key": "sk-1", "rpm": 5}]}}]"#)
        #expect(manager.getModelNamesByType(.chat) == ["chat"])
        try manager.loadModelConfigs(
            json: #"{"chat": [\#(Self.model)], "gateway": {"keys": [{"key": "sk-1", "models": ["chat"], "expires": "2026-12-31T00:00:00Z"}]}}"#,
            clearExisting: true)
        #expect(manager.getModelNamesByType(.chat) == ["chat"])
    }

    @Test(arguments: [
        (#"{"gateway": {"keys": [{"key": "sk-1", "rpm": -5}]}}"#, "keys[0].rpm"),
        (#"{"gateway": {"keys": [{"key": "sk-1", "rpm": 1e309}]}}"#, "keys[0].rpm"),
        (#"{"gateway": {"keys": [{"key": "sk-1", "max_cost_usd": "lots"}]}}"#, "keys[0].max_cost_usd"),
        (#"{"gateway": {"keys": [{"key": "sk-1", "expires": "tomorrow"}]}}"#, "keys[0].expires"),
        (#"{"gateway": {"keys": [{"key": "sk-1", "modles": ["a"]}]}}"#, "did you mean 'models'"),
        (#"{"gateway": {"keys": [{"name": "x"}]}}"#, "missing required key 'key'"),
        (#"{"gateway": {"keys": [{"key": 42}]}}"#, "keys[0].key"),
        (#"{"gateway": {"master": "x"}}"#, "unknown key 'master'"),
        (#"{"gateway": {"keys": {"key": "sk-1"}}}"#, "'keys' must be an array"),
        (#"{"gateway": []}"#, "gateway: must be an object"),
        (#"{"gateway": {"keys": [{"key": "sk-1", "name": "a"}, {"key": "sk-2", "name": "a"}]}}"#, "used twice"),
    ])
    func aBadSectionIsAPreciseConfigurationError(_ section: String, _ expected: String) {
        let manager = ModelManager(environment: [:])
        do {
            try manager.loadModelConfigs(json: "[\(Self.model), \(section)]")
            Issue.record("expected an error for \(section)")
        } catch {
            #expect(error.kind == .configuration)
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(!error.message.contains("sk-1"), "\(error.message)")
        }
    }

    @Test func aSecondSectionOrExtraKeysAreRefused() {
        let manager = ModelManager(environment: [:])
        #expect(throws: ModelError.self) {
            try manager.loadModelConfigs(json: #"[\#(Self.model), {"gateway": {}}, {"gateway": {}}]"#)
        }
        #expect(throws: ModelError.self) {
            try manager.loadModelConfigs(json: #"[\#(Self.model), {"gateway": {}, "extra": 1}]"#)
        }
        #expect(throws: ModelError.self) {
            try manager.loadModelConfigs(json: #"{"chat": [\#(Self.model)], "gateways": {}}"#)
        }
    }

    @Test func twoKeysWithTheSameSecretAreRefusedWithoutShowingIt() {
        var settings = Gateway.Configuration(port: 0)
        do {
            try settings.readKeys(json: #"{"gateway": {"keys": [{"key": "${K}"}, {"key": "sk-same"}]}}"#, environment: ["K": "sk-same"])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("keys[1].key"))
            #expect(!error.message.contains("sk-same"))
        }
    }
}
