import Foundation
import Synchronization
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// A model-type factory is user code: the manager runs it outside its lock.
@Suite("Model-type factories run outside the manager's lock")
struct FactoryOutsideLockTests {
    /// Lets a factory registered before the manager exists reach it.
    final class ManagerBox: Sendable {
        let manager = Mutex<ModelManager?>(nil)
    }

    @Test func aFactoryThatCallsGetModelDoesNotDeadlock() async throws {
        let box = ManagerBox()
        let registry = ModelTypeRegistry()
        registry.register(ModelTypeDescriptor(modelType: "alias_chat", kind: .chat, provider: "alias", extraKeys: ["target"]) { config, _ in
            // A wrapper type that builds on another config: calls back into the manager.
            guard let manager = box.manager.withLock({ $0 }) else { throw ModelError(.configuration, "no manager") }
            let target = config.options["target"]?.stringValue ?? ""
            return try manager.getModel(configName: target)
        })
        let manager = ModelManager(environment: [:], registry: registry)
        box.manager.withLock { $0 = manager }
        try manager.loadModelConfigs(json: """
            [{"config_name": "base", "model_type": "openai_chat", "model_name": "m"},
             {"config_name": "alias", "model_type": "alias_chat", "target": "base"}]
            """)
        // On its own thread, so a deadlock fails the test instead of hanging the test runner.
        let result = Mutex<Result<String, ModelError>?>(nil)
        let thread = Thread {
            do throws(ModelError) {
                let model = try manager.getModel(configName: "alias")
                result.withLock { $0 = .success(model.configName) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
        }
        thread.start()
        var waited = 0
        while result.withLock({ $0 }) == nil && waited < 60_000 {
            try await Task.sleep(for: .milliseconds(1))
            waited += 1
        }
        let outcome = try #require(result.withLock { $0 }, "getModel deadlocked inside the factory")
        #expect(try outcome.get() == "base")
        // Built once and cached: the same instance again, and the balancer over both works too.
        #expect(try manager.getModel(configName: "alias").configName == "base")
        #expect(try manager.getModel().configName == "chat_load_balancer")
        await manager.shutdown()
    }
}
