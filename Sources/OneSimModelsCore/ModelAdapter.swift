import Foundation

/// A model you can call: a provider adapter, a load balancer, or your own type.
///
/// Write `configName` and the async `acall(_:options:)` (and `acall(texts:options:)` for an
/// embedding model); `format(...)`, the synchronous `callAsFunction` and the rest come from
/// default implementations.
public protocol ModelAdapter: Sendable {
    /// The name this model is registered under.
    var configName: String { get }
    /// The provider's model name; defaults to `configName`.
    var modelName: String { get }
    /// The config's `model_type` (`openai_chat`, `load_balancer`, ...); defaults to `"custom"`.
    var modelType: String { get }
    /// Chat or embedding; defaults to chat.
    var kind: ModelKind { get }

    /// Flattens messages, arrays of messages and nested arrays (skipping `nil`) into a prompt.
    func format(_ components: any PromptComponent...) -> Prompt

    /// Sends a chat prompt and returns the reply.
    func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse

    /// Embeds texts, one vector per text in `embeddings`, in input order.
    func acall(texts: [String], options: CallOptions) async throws -> ModelResponse

    /// Streams a chat reply as it is generated. Cancelling the consuming task (or dropping the
    /// stream) closes the connection; a cancelled stream never counts as a complete reply
    /// (`collect()` then throws `.cancelled`). The default implementation makes one call and
    /// yields its reply as one delta.
    func stream(_ prompt: Prompt, options: CallOptions) async throws -> ModelStream
}

extension ModelAdapter {
    /// `configName`, for adapters whose provider model name is the config name.
    public var modelName: String { configName }
    /// `"custom"`.
    public var modelType: String { "custom" }
    /// `.chat`; embedding adapters override it.
    public var kind: ModelKind { .chat }

    /// Flattens the components, in order, into a prompt.
    public func format(_ components: any PromptComponent...) -> Prompt {
        Prompt(components: components)
    }

    /// One call, yielded as a single delta (for adapters without native streaming).
    public func stream(_ prompt: Prompt, options: CallOptions) async throws -> ModelStream {
        let response = try await acall(prompt, options: options)
        return ModelStream { continuation in
            continuation.yield(ModelDelta(response: response))
            continuation.finish()
        }
    }

    /// Streams with default options (`stream(_:options: .none)`).
    public func stream(_ prompt: Prompt) async throws -> ModelStream {
        try await stream(prompt, options: .none)
    }

    /// A blocking sequence of deltas for synchronous code. Never use it from an async context.
    public func streamSync(_ prompt: Prompt, options: CallOptions = .none) throws -> BlockingStream {
        let stream = try SyncBridge.run { try await self.stream(prompt, options: options) }
        return BlockingStream(stream)
    }

    /// Chat calls are not supported unless the adapter implements them.
    public func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        throw ModelError(.unsupported, "'\(configName)' is an \(kind.rawValue) model and does not answer chat prompts", configName: configName)
    }

    /// Embeddings are not supported unless the adapter implements them.
    public func acall(texts: [String], options: CallOptions) async throws -> ModelResponse {
        throw ModelError(.unsupported, "'\(configName)' is a \(kind.rawValue) model and does not embed texts", configName: configName)
    }

    /// Sends a chat prompt with default options.
    public func acall(_ prompt: Prompt) async throws -> ModelResponse {
        try await acall(prompt, options: .none)
    }

    /// Sends OpenAI-style message dictionaries, as the original's `acall(messages=[...])`.
    public func acall(messages: [[String: String]], options: CallOptions = .none) async throws -> ModelResponse {
        try await acall(try Prompt(dictionaries: messages), options: options)
    }

    /// Embeds texts with default options.
    public func acall(texts: [String]) async throws -> ModelResponse {
        try await acall(texts: texts, options: .none)
    }

    /// Embeds one text; `embedding` holds its vector.
    public func acall(text: String, options: CallOptions = .none) async throws -> ModelResponse {
        try await acall(texts: [text], options: options)
    }

    /// Synchronous call for synchronous code: `model(prompt)`.
    ///
    /// It blocks the calling thread until the async call finishes. Never call it from inside
    /// an async context (a Swift concurrency thread): use `await acall(...)` there.
    public func callAsFunction(_ prompt: Prompt, options: CallOptions = .none) throws -> ModelResponse {
        try SyncBridge.run { try await self.acall(prompt, options: options) }
    }

    /// Synchronous embeddings for synchronous code. Never call it from an async context.
    public func callAsFunction(texts: [String], options: CallOptions = .none) throws -> ModelResponse {
        try SyncBridge.run { try await self.acall(texts: texts, options: options) }
    }
}
