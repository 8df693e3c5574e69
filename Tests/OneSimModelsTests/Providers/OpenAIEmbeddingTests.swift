import OneSimModelsSimulator
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("OpenAI embeddings over HTTP", .timeLimit(.minutes(3)))
struct OpenAIEmbeddingTests {
    @Test func vectorsComeBackInInputOrder() async throws {
        try await withSimulator(.init(embeddingDimensions: 16)) { sim, m in
            try m.loadModelConfigs(json: embeddingConfig("e", sim))
            let model = try m.getEmbeddingModel(configName: "e")
            let texts = ["alpha", "beta gamma", "delta"]
            let response = try await model.acall(texts: texts)
            #expect(response.embeddings.count == 3)
            for (text, vector) in zip(texts, response.embeddings) {
                let expected = SimulatorText.embedding(text, dimensions: 16)
                #expect(vector == expected)  // the simulator answers in reverse; we sort by index
            }
            #expect(response.usage.promptTokens == 4)
            #expect(response.modelInfo.configName == "e")
            let body = try #require(sim.requests.last?.json)
            #expect(body["input"] as? [String] == texts)
            #expect(body["model"] as? String == "sim-embedding")
            #expect(m.tokenTracker.stats().configUsage["e"]?.promptTokens == 4)
        }
    }

    @Test func oneTextGivesOneFlatVector() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: embeddingConfig("e", sim))
            let response = try await m.getEmbeddingModel(configName: "e").acall(text: "just one")
            #expect(response.embedding == SimulatorText.embedding("just one", dimensions: 8))
        }
    }

    @Test func base64EncodingIsDecoded() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: embeddingConfig("e", sim, extra: #", "generate_args": {"encoding_format": "base64", "dimensions": 4}"#))
            let response = try await m.getEmbeddingModel(configName: "e").acall(texts: ["x", "y"])
            #expect(response.embeddings == [SimulatorText.embedding("x", dimensions: 4), SimulatorText.embedding("y", dimensions: 4)])
        }
    }

    @Test func emptyInputAndChatOnEmbeddingAreErrors() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim) )
            try m.loadModelConfigs(json: embeddingConfig("e", sim))
            let empty = await captureModelError { _ = try await m.getModel(configName: "e").acall(texts: []) }
            #expect(empty?.kind == .badRequest)
            let wrong = await captureModelError { _ = try await m.getModel(configName: "c").acall(texts: ["x"]) }
            #expect(wrong?.kind == .unsupported)
            #expect(sim.requestCount == 0)
        }
    }
}
