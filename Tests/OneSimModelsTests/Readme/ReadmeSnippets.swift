import OneSimModels
import OneSimModelsSimulator

// The README's code samples, verbatim inside functions so they compile with the suite.
// `ReadmeExamplesTests` runs the ones that can run against the simulator.

enum ReadmeSnippets {
    static func basicExample() async throws -> String {
        // Get a configured model
        let model = try getModel("my_model_config")

        // Create messages
        let systemMsg = SystemMessage("You are a helpful assistant.")
        let userMsg = UserMessage("Tell me about language models.")

        // Generate a response
        let response = try await model.acall(model.format(systemMsg, userMsg))

        // Get the response text
        print(response.text ?? "")
        return response.text ?? ""
    }

    static func configuration() throws {
        let manager = getModelManager()
        try manager.loadModelConfigs(path: "path/to/config.json")
    }

    static func loadBalancing() async throws {
        // Configure a chat load balancer
        try configureLoadBalancer(
            modelConfigs: ["gpt-4", "gpt-3.5-turbo"],  // models to balance between
            strategy: "round_robin",                    // see the strategies below
            configName: "load_balancer",
            modelType: .chat)

        // Configure an embedding load balancer
        try configureLoadBalancer(
            modelConfigs: ["text-embedding-ada-002", "text-embedding-3-small"],
            strategy: "round_robin",
            configName: "embedding_load_balancer",
            modelType: .embedding)

        // Defaults: the chat and embedding balancers
        let llmModel = try getModel()                  // "chat_load_balancer"
        let embeddingModel = try getEmbeddingModel()   // "embedding_load_balancer"

        // Or by name
        let namedLLM = try getModel("load_balancer")
        let namedEmbedding = try getModel("embedding_load_balancer")

        // Use a balancer like any model
        let reply = try await namedLLM.acall(messages: [
            ["role": "system", "content": "You are a helpful assistant."],
            ["role": "user", "content": "Hello, please introduce yourself."],
        ])
        let embeddings = try await namedEmbedding.acall(texts: ["This is a text"])
        print(reply.text ?? "", embeddings.embedding?.count ?? 0)
        _ = (llmModel, embeddingModel)
    }

    /// The README's `@main struct Main`'s body.
    static func completeLoadBalancingExample() async throws {
        let manager = getModelManager()
        try manager.loadModelConfigs([
            "config_name": "gpt-4", "model_type": "openai_chat", "model_name": "gpt-4", "api_key": "your_api_key",
        ])
        try manager.loadModelConfigs([
            "config_name": "gpt-3.5-turbo", "model_type": "openai_chat", "model_name": "gpt-3.5-turbo",
            "api_key": "your_api_key",
        ])
        try configureLoadBalancer(modelConfigs: ["gpt-4", "gpt-3.5-turbo"], strategy: "round_robin")

        let loadBalancer = try getModel()
        let messages = [
            SystemMessage("You are a helpful assistant."),
            UserMessage("Hello, please introduce yourself."),
        ]
        let formatted = loadBalancer.format(messages)
        let response = try await loadBalancer.acall(formatted)
        print("Response: \(response.text ?? "")")
        print("Model used: \(response.modelInfo.modelName) via \(response.modelInfo.member ?? "?")")

        // The second request goes to the next model
        let second = try await loadBalancer.acall(formatted)
        print("Second response model: \(second.modelInfo.modelName)")
    }

    static func synchronousCall() throws -> String {
        // Synchronous code (a command-line tool, a thread of your own)
        let model = try getModel("gpt-4")
        let formatted = model.format(
            SystemMessage("You are a helpful assistant."),
            UserMessage("Briefly explain the difference between synchronous and asynchronous programming."))
        let response = try model(formatted)  // blocks this thread until the reply arrives
        print(response.text ?? "")
        return response.text ?? ""
    }

    struct ShoutingAdapter: ModelAdapter {
        let configName = "shout"

        func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
            let last = prompt.messages.last?.text ?? ""
            return ModelResponse(text: last.uppercased())
        }
    }

    static func customAdapter() async throws -> String {
        let shout = ShoutingAdapter()
        let loud = try await shout.acall(shout.format(UserMessage("hello")))  // "HELLO"
        return loud.text ?? ""
    }

    static func registerCustomType() {
        getModelManager().registry.register(
            ModelTypeDescriptor(modelType: "shout_chat", kind: .chat, provider: "shout") { config, _ in
                ShoutingAdapter()
            })
    }

    static func simulator() async throws {
        let simulator = Simulator()
        let port = try await simulator.start()          // 127.0.0.1, a free port
        simulator.enqueue(.fail(.status(429, retryAfter: 1)), .reply("scripted answer"))
        // ... point a config's base_url at simulator.baseURL ...
        await simulator.stop()
        _ = port
    }

    static func errors(model: any ModelAdapter) async throws {
        do {
            _ = try await model.acall("Hello")
        } catch let error as ModelError where error.kind == .rateLimited {
            print("throttled; retry after \(error.retryAfter.map { "\($0)" } ?? "a while")")
        }
    }
}

// Asynchronous code
func generateResponse() async throws -> String {
    let model = try getModel("gpt-4")
    let formatted = model.format(
        SystemMessage("You are a helpful assistant."),
        UserMessage("Briefly explain the difference between synchronous and asynchronous programming."))
    return try await model.acall(formatted).text ?? ""
}
