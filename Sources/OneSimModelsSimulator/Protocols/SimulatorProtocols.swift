import Hummingbird

/// Registers the simulator's provider protocols beyond OpenAI (Anthropic, Gemini, Ollama,
/// Azure OpenAI) on `router`. Every protocol shares the simulator's script, faults, latency,
/// recording and counters; only the wire format differs.
enum SimulatorProtocols {
    static func register(on router: Router<BasicRequestContext>, simulator: Simulator) {
        let pipeline = ProtocolPipeline(simulator: simulator)
        AnthropicProtocol(pipeline: pipeline).register(on: router)
        GeminiProtocol(pipeline: pipeline).register(on: router)
        OllamaProtocol(pipeline: pipeline).register(on: router)
        AzureProtocol(pipeline: pipeline).register(on: router)
    }
}
