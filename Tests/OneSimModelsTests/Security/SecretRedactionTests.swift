import Foundation
import OneSimModelsSimulator
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

private let key = "sk-live-SECRET-91"

/// An `openai_chat` config at `sim`'s `/v1` with `key` (none when nil) and, unless `retries`,
/// `max_retries: 0`.
private func openAIConfig(_ name: String, _ sim: Simulator, model: String, key: String?, retries: Bool = true) -> String {
    let keyField = key.map { #", "api_key": "\#($0)""# } ?? ""
    let retryField = retries ? "" : #", "max_retries": 0"#
    return """
        {"config_name": "\(name)", "model_type": "openai_chat", "model_name": "\(model)"\(keyField),
         "client_args": {"base_url": "\(sim.baseURL)"\(retryField)}}
        """
}

@Suite("Secrets never reach errors", .timeLimit(.minutes(3)))
struct SecretRedactionTests {
    @Test(arguments: [400, 401, 429, 500])
    func aKeyEchoedInEveryErrorFieldAndTheRequestIDIsScrubbed(status: Int) async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: openAIConfig("e1", sim, model: "gpt-4o", key: key, retries: false))
            sim.enqueue(.fail(.raw(status: status, body: echoingErrorBody(key), headers: ["x-request-id": "req-\(key)"])))
            let error = await captureModelError { _ = try await m.getModel(configName: "e1").acall("hi") }
            #expect(error?.status == status)
            #expect(error?.requestID == "req-***")
            #expect(error?.providerCode == "***")
            expectScrubbed(error, [key])
        }
    }

    @Test func aKeyFromTheEnvironmentIsScrubbed() async throws {
        let envKey = "sk-env-SECRET-OPENAI-77"
        try await withSimulator(environment: ["OPENAI_API_KEY": envKey]) { sim, m in
            try m.loadModelConfigs(json: openAIConfig("env", sim, model: "gpt-4o", key: nil, retries: false))
            sim.enqueue(.fail(.raw(status: 401, body: echoingErrorBody(envKey), headers: ["x-request-id": envKey])))
            let error = await captureModelError { _ = try await m.getModel(configName: "env").acall("hi") }
            #expect(sim.requests.last?.headers["authorization"] == "Bearer \(envKey)")
            expectScrubbed(error, [envKey])
        }
    }

    @Test func azureApiKeyIsScrubbed() async throws {
        let azureKey = "azure-SECRET-key-5150"
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: providerConfig("az", type: "azure_openai_chat", sim, model: "gpt-4o", key: azureKey, clientExtra: #", "max_retries": 0"#))
            sim.enqueue(.fail(.raw(status: 400, body: echoingErrorBody(azureKey), headers: ["x-request-id": azureKey])))
            let error = await captureModelError { _ = try await m.getModel(configName: "az").acall("hi") }
            #expect(error?.status == 400)
            expectScrubbed(error, [azureKey])
        }
    }

    @Test func theAttemptsOfABalancerAreScrubbed() async throws {
        let keys = ["sk-live-SECRET-A1", "sk-live-SECRET-B2"]
        try await withSimulators(2) { sims, m in
            for (i, sim) in sims.enumerated() {
                try m.loadModelConfigs(json: openAIConfig("m\(i)", sim, model: "shared", key: keys[i], retries: false))
                sim.setFaultRate(
                    SimulatorFaultRate(
                        rate: 1, fault: .raw(status: 500, body: echoingErrorBody(keys[i]), headers: ["x-request-id": "req-\(keys[i])"])))
            }
            let error = await captureModelError { _ = try await m.getModel(modelName: "shared").acall("hi") }
            #expect(error?.kind == .allAttemptsFailed)
            #expect(error?.attempts.isEmpty == false)
            expectScrubbed(error, keys)
        }
    }

    @Test func errorEventsInAStreamAreScrubbed() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: openAIConfig("s", sim, model: "gpt-4o", key: key))
            let event = #"{"error": {"message": "bad key "# + key + #"", "type": "t-"# + key + #"", "code": ""# + key + #""}}"#
            let chunk = #"{"choices": [{"index": 0, "delta": {"content": "partial "# + key + #""}}]}"#
            sim.enqueue(.fail(.raw(body: "data: \(chunk)\n\ndata: \(event)\n\n", headers: ["content-type": "text/event-stream"])))
            let (deltas, error) = await drain(try await m.getModel(configName: "s").stream("hi"))
            #expect(deltas.count == 1)
            #expect(error?.kind == .serverError)
            // The partial text is the model's output, delivered already as deltas: not altered.
            #expect(error?.partialText == deltas.map(\.text).joined())
            var rest = error
            rest?.partialText = nil
            expectScrubbed(rest, [key])
        }
    }

    @Test func anthropicErrorsAreScrubbed() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: providerConfig("a", type: "anthropic_chat", sim, model: "claude-x", key: key, clientExtra: #", "max_retries": 0"#))
            let body = #"{"type": "error", "error": {"type": "authentication_error "# + key + #"", "message": "invalid x-api-key "# + key + #""}, "request_id": "req_"# + key + #""}"#
            sim.enqueue(.fail(.raw(status: 401, body: body, headers: ["request-id": "req_\(key)"])))
            let error = await captureModelError { _ = try await m.getModel(configName: "a").acall("hi") }
            #expect(error?.kind == .authentication)
            expectScrubbed(error, [key])
        }
    }

    @Test func credentialsInABaseURLNeverReachAMessage() async throws {
        let port = try await deadPort()
        let password = "sk-live-SECRET-70"
        try await withSimulator { _, m in
            try m.loadModelConfigs(
                json: """
                    {"config_name": "u", "model_type": "openai_chat", "model_name": "gpt-4o",
                     "client_args": {"base_url": "http://user:\(password)@127.0.0.1:\(port)/v1", "max_retries": 0}}
                    """)
            let error = await captureModelError { _ = try await m.getModel(configName: "u").acall("hi") }
            #expect(error?.message.contains("127.0.0.1") == true, "\(error?.message ?? "no error")")
            expectScrubbed(error, [password, "user:\(password)"])
        }
    }

    @Test func redactedURLStripsUserInfoOnly() {
        #expect(redactedURL("http://user:pw-secret@127.0.0.1:9/v1/x") == "http://***@127.0.0.1:9/v1/x")
        #expect(redactedURL("https://token@host") == "https://***@host")
        #expect(redactedURL("https://api.openai.com/v1?to=a@b") == "https://api.openai.com/v1?to=a@b")
        #expect(
            SecretRedaction.scrub("connection to http://u:p@h:1/v1 failed; mail a@b", secrets: [])
                == "connection to http://***@h:1/v1 failed; mail a@b")
        #expect(SecretRedaction.userInfoSecrets(in: "http://u:p%40ss-word@h/v1").contains("p@ss-word"))
        #expect(SecretRedaction.userInfoSecrets(in: "http://h/v1").isEmpty)
    }
}
