import OneSimModels
import OneSimModelsSimulator

/// Runs `body` with `count` started simulators (one per deployment) and a fresh manager.
func withSimulators<T>(
    _ count: Int, _ configuration: Simulator.Configuration = .init(),
    _ body: ([Simulator], ModelManager) async throws -> T
) async throws -> T {
    var simulators: [Simulator] = []
    for _ in 0..<count {
        let sim = Simulator(configuration: configuration)
        try await sim.start()
        simulators.append(sim)
    }
    let manager = ModelManager(httpSettings: .patientTests, environment: [:])
    do {
        let result = try await body(simulators, manager)
        await manager.shutdown()
        for sim in simulators { await sim.stop() }
        return result
    } catch {
        await manager.shutdown()
        for sim in simulators { await sim.stop() }
        throw error
    }
}

/// A chat config at an arbitrary base URL.
func memberConfig(_ name: String, baseURL: String, model: String = "sim-chat", extra: String = "") -> String {
    """
    {"config_name": "\(name)", "model_type": "openai_chat", "model_name": "\(model)", "api_key": "k",
     "client_args": {"base_url": "\(baseURL)", "max_retries": 0}\(extra)}
    """
}
