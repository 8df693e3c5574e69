import Foundation
import OneSimModels
import OneSimModelsSimulator

/// Runs `body` with a started simulator and a fresh manager (empty environment, `httpSettings`,
/// `budget`), and always shuts both down.
func withSimulator<T>(
    _ configuration: Simulator.Configuration = .init(), environment: [String: String] = [:],
    httpSettings: HTTPSettings = .patientTests, budget: BudgetLimits? = nil, _ body: (Simulator, ModelManager) async throws -> T
) async throws -> T {
    let simulator = Simulator(configuration: configuration)
    try await simulator.start()
    let manager = ModelManager(httpSettings: httpSettings, environment: environment, budget: budget)
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

/// A port on 127.0.0.1 where nothing listens: bound by a socket that never listens.
func deadPort() async throws -> Int {
    // A TCP socket bound to 127.0.0.1 but never listening: connections to its port are refused,
    // and, unlike a port freed by a stopped server, no other test's server can take the port
    // meanwhile (that made a call here stall on someone else's stalling server). The socket
    // stays open for the rest of the test process.
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SimulatorError.couldNotBind("127.0.0.1", 0) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard bound == 0, named == 0 else {
        close(fd)
        throw SimulatorError.couldNotBind("127.0.0.1", 0)
    }
    return Int(UInt16(bigEndian: address.sin_port))
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
