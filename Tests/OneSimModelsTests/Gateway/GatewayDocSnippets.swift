import OneSimModels
import OneSimModelsGateway

// The Swift samples of Gateway.md (Sources/OneSimModels/OneSimModels.docc/), verbatim, so they
// compile with the public API alone; `GatewayDocTests` runs them.

/// Gateway.md, "Starting it".
func serveInProcess(configFile: String) async throws {
    let manager = ModelManager()
    try manager.loadModelConfigs(path: configFile)
    var settings = Gateway.Configuration(host: "127.0.0.1", port: 0)
    try settings.readKeys(fromConfigFile: configFile)
    let gateway = try Gateway(manager: manager, configuration: settings)
    let port = try await gateway.start()
    print("gateway on http://127.0.0.1:\(port)/v1")
    // ... serve until done; `try await gateway.run()` instead serves until SIGTERM or SIGINT.
    await gateway.stop()
    await manager.shutdown()
}

/// Gateway.md, "Pointing clients at it".
func callThroughTheGateway(gatewayURL: String) async throws -> String {
    let manager = ModelManager()
    try manager.loadModelConfigs(json: """
        {"config_name": "via-gateway", "model_type": "openai_chat", "model_name": "lb",
         "api_key": "sk-team-a", "client_args": {"base_url": "\(gatewayURL)"}}
        """)
    let model = try manager.getModel(configName: "via-gateway")
    let reply = try await model.acall(model.format(UserMessage("What do you do next?")), options: CallOptions(affinityKey: "agent-17"))
    await manager.shutdown()
    return reply.text ?? ""
}
