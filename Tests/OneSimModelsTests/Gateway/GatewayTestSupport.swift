import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OneSimModels
@testable import OneSimModelsGateway
import OneSimModelsSimulator
import Testing

/// A started gateway over started simulators, called over real HTTP on 127.0.0.1.
struct GatewayHarness: Sendable {
    let gateway: Gateway
    let manager: ModelManager
    let simulators: [Simulator]
    let base: String

    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: String
        var json: JSONValue? { try? JSONCodec.parse(body) }
        var errorCode: String? { json?["error"]?["code"]?.stringValue }
        var errorParam: String? { json?["error"]?["param"]?.stringValue }
        var errorMessage: String { json?["error"]?["message"]?.stringValue ?? "" }
    }

    func send(
        _ method: HTTPMethod, _ path: String, body: String? = nil, bytes: [UInt8]? = nil, headers: [(String, String)] = []
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        } else if let bytes {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: bytes))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
        let collected = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: collected))
    }

    func post(_ path: String, _ body: String, headers: [(String, String)] = []) async throws -> Reply {
        try await send(.POST, path, body: body, headers: headers)
    }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> Reply {
        try await send(.GET, path, headers: headers)
    }

    /// The `data:` payloads of an SSE body, in order.
    static func events(_ body: String) -> [String] {
        body.components(separatedBy: "\n\n").compactMap { block in
            let line = block.trimmingCharacters(in: .whitespacesAndNewlines)
            return line.hasPrefix("data: ") ? String(line.dropFirst(6)) : nil
        }
    }
}

/// Runs `body` with `count` simulators, a manager loaded with `config(simulators)` and a
/// started gateway; always stops all of them.
func withGateway<T>(
    simulators count: Int = 1, _ simulatorConfiguration: Simulator.Configuration = .init(),
    config: ([Simulator]) -> String, keys: String? = nil, environment: [String: String] = [:],
    configure: (inout Gateway.Configuration) -> Void = { _ in },
    _ body: (GatewayHarness) async throws -> T
) async throws -> T {
    var simulators: [Simulator] = []
    for _ in 0..<count {
        let simulator = Simulator(configuration: simulatorConfiguration)
        try await simulator.start()
        simulators.append(simulator)
    }
    let manager = ModelManager(httpSettings: .patientTests, environment: environment)
    var gateway: Gateway?
    do {
        let text = config(simulators)
        try manager.loadModelConfigs(json: text)
        var settings = Gateway.Configuration(port: 0, accessLog: false)
        if let keys { try settings.readKeys(json: keys, environment: environment) }
        configure(&settings)
        let started = try Gateway(manager: manager, configuration: settings)
        gateway = started
        let port = try await started.start()
        let harness = GatewayHarness(gateway: started, manager: manager, simulators: simulators, base: "http://127.0.0.1:\(port)")
        let result = try await body(harness)
        await started.stop()
        await manager.shutdown()
        for simulator in simulators { await simulator.stop() }
        return result
    } catch {
        await gateway?.stop()
        await manager.shutdown()
        for simulator in simulators { await simulator.stop() }
        throw error
    }
}

/// A config of one chat model `chat` and one embedding model `embed` on the first simulator.
func basicGatewayConfig(_ sims: [Simulator], extra: String = "") -> String {
    """
    [\(memberConfig("chat", baseURL: sims[0].baseURL)),
     {"config_name": "embed", "model_type": "openai_embedding", "model_name": "sim-embedding", "api_key": "k",
      "client_args": {"base_url": "\(sims[0].baseURL)", "max_retries": 0}}\(extra)]
    """
}

/// The body of the last request a simulator received, parsed.
func lastUpstreamBody(_ simulator: Simulator) -> JSONValue? {
    guard let request = simulator.requests.last else { return nil }
    return try? JSONCodec.parse(request.body)
}
