import Foundation
import OneSimModels
import OneSimModelsSimulator

/// A config of `type` pointing at `simulator`'s root, as JSON text.
func providerConfig(
    _ name: String, type: String, _ simulator: Simulator, model: String, key: String? = "sim-key-0123456",
    extra: String = "", clientExtra: String = ""
) -> String {
    let keyField = key.map { #", "api_key": "\#($0)""# } ?? ""
    return """
        {"config_name": "\(name)", "model_type": "\(type)", "model_name": "\(model)"\(keyField),
         "client_args": {"base_url": "\(simulator.rootURL)"\(clientExtra)}\(extra)}
        """
}

/// The last request's JSON body as a `JSONValue` (sorted, comparable), or `nil`.
func lastBody(_ simulator: Simulator) -> JSONValue? {
    guard let request = simulator.requests.last else { return nil }
    return try? JSONCodec.parse(request.body)
}

/// A tiny PNG header: enough for MIME detection.
let tinyPNG: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]

/// The weather tool of the providers' documentation examples.
let weatherTool = ToolDefinition(
    name: "get_weather", description: "Get the current weather in a given location",
    parameters: [
        "type": "object",
        "properties": [
            "location": ["type": "string", "description": "The city and state, e.g. San Francisco, CA"],
            "unit": ["type": "string", "enum": ["celsius", "fahrenheit"]],
        ],
        "required": ["location"],
    ])

/// Collects a stream's deltas and the error that ended it, if any.
func drain(_ stream: ModelStream) async -> (deltas: [ModelDelta], error: ModelError?) {
    var deltas: [ModelDelta] = []
    do {
        for try await delta in stream { deltas.append(delta) }
        return (deltas, nil)
    } catch let error as ModelError {
        return (deltas, error)
    } catch {
        return (deltas, ModelError(.decoding, "unexpected error type: \(error)"))
    }
}
