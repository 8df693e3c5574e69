import Foundation
import OneSimModels
import OneSimModelsSimulator

/// Runs `body` with a started simulator and a fresh manager (empty environment), and always
/// shuts both down.
func withSimulator<T>(
    _ configuration: Simulator.Configuration = .init(), environment: [String: String] = [:],
    _ body: (Simulator, ModelManager) async throws -> T
) async throws -> T {
    let simulator = Simulator(configuration: configuration)
    try await simulator.start()
    let manager = ModelManager(httpSettings: .patientTests, environment: environment)
    do {
        let result = try await body(simulator, manager)
        await manager.shutdown()
        await simulator.stop()
        return result
    } catch {
        await manager.shutdown()
        await simulator.stop()
        throw error
    }
}

/// A chat config pointing at `simulator`, as JSON text.
func chatConfig(
    _ name: String, _ simulator: Simulator, model: String = "sim-chat", extra: String = "", clientExtra: String = ""
) -> String {
    """
    {"config_name": "\(name)", "model_type": "openai_chat", "model_name": "\(model)", "api_key": "sk-test-secret-key-123",
     "client_args": {"base_url": "\(simulator.baseURL)"\(clientExtra)}\(extra)}
    """
}

/// An embedding config pointing at `simulator`, as JSON text.
func embeddingConfig(_ name: String, _ simulator: Simulator, model: String = "sim-embedding", extra: String = "") -> String {
    """
    {"config_name": "\(name)", "model_type": "openai_embedding", "model_name": "\(model)", "api_key": "sk-test-secret-key-123",
     "client_args": {"base_url": "\(simulator.baseURL)"}\(extra)}
    """
}

/// A port on 127.0.0.1 where nothing listens (bound, then released).
func deadPort() async throws -> Int {
    let simulator = Simulator()
    let port = try await simulator.start()
    await simulator.stop()
    return port
}

/// Calls `body` and returns the `ModelError` it throws; records a failure if it throws nothing else.
func captureModelError(_ body: () async throws -> Void) async -> ModelError? {
    do {
        try await body()
        return nil
    } catch let error as ModelError {
        return error
    } catch {
        return ModelError(.decoding, "unexpected error type: \(error)")
    }
}

/// A temporary directory removed when the test ends.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("onesim-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

extension HTTPSettings {
    /// The default settings with a connect timeout of five minutes: on a loaded 2-core machine
    /// the test process may not get to accept or complete a loopback connection for seconds,
    /// and a connect timeout is a hang guard in these tests, never what they check.
    static var patientTests: HTTPSettings {
        var settings = HTTPSettings()
        settings.timeout.connect = .seconds(300)
        return settings
    }
}
