/// A request as a fleet server sees it: its prompt as cache blocks and token counts.
package struct FleetRequest: Sendable, Hashable {
    /// The caller's id (unique among requests in the model at the same time).
    package var id: UInt64
    /// Chained hashes of the prompt's full blocks, in prompt order (see ``FleetPromptBlocks``).
    package var promptBlocks: [UInt64]
    /// Prompt tokens (at least the tokens of `promptBlocks`).
    package var promptTokens: Int
    /// Output tokens to produce.
    package var outputTokens: Int

    package init(id: UInt64, promptBlocks: [UInt64], promptTokens: Int, outputTokens: Int) {
        self.id = id
        self.promptBlocks = promptBlocks
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
    }
}

/// A finished request.
package struct FleetCompletion: Sendable, Hashable {
    package var id: UInt64
    /// When it finished (model time).
    package var finishedAt: Duration
    package var promptTokens: Int
    /// Prompt tokens found in the prefix cache when it was admitted.
    package var cachedTokens: Int
    package var outputTokens: Int
    /// Time spent in the server's queue before it started running.
    package var queuedFor: Duration
}
