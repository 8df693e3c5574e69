import OneSimModelsSimulator
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsProviders

/// A non-streamed call's body is collected on the request's event loop (`ResponseCollector`):
/// bounded by `maxResponseBytes`, cancelled with its task.
@Suite("Response collector over HTTP", .timeLimit(.minutes(3)))
struct ResponseCollectorTests {
    /// Test settings with a response limit of `limit` bytes.
    private func limited(_ limit: Int) -> HTTPSettings {
        var settings = HTTPSettings.patientTests
        settings.maxResponseBytes = limit
        return settings
    }

    @Test func aBodyOverTheLimitFailsTheCallAndTheNextCallWorks() async throws {
        try await withSimulator(httpSettings: limited(2048)) { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim, clientExtra: #", "max_retries": 0"#))
            sim.enqueue(.reply(String(repeating: "apple ", count: 1000)))
            let error = await captureModelError { _ = try await m.getModel(configName: "c").acall("hi") }
            #expect(error?.kind == .decoding)
            #expect(error?.message.contains("larger than the limit") == true)
            #expect(try await m.getModel(configName: "c").acall("again").text == "again")
        }
    }

    @Test func aBodyUnderTheLimitArrivesWhole() async throws {
        try await withSimulator(httpSettings: limited(64 << 10)) { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim, clientExtra: #", "max_retries": 0"#))
            let text = String(repeating: "pear ", count: 2000)
            sim.enqueue(.reply(text))
            #expect(try await m.getModel(configName: "c").acall("hi").text == text)
        }
    }

    @Test func cancellingTheCallingTaskCancelsACallWaitingForItsBody() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim, clientExtra: #", "max_retries": 0, "timeout": {"read": 3600}"#))
            sim.enqueue(.fail(.stallBody()))
            let model = try m.getModel(configName: "c")
            let call = Task { try await model.acall("hi") }
            try await waitUntil("the server sent its head and stalls") { sim.stalls == 1 }
            call.cancel()
            let error = await captureModelError { _ = try await call.value }
            #expect(error?.kind == .cancelled)
        }
    }
}
