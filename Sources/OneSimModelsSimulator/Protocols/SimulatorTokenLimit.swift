/// OpenAI's rule for the token limit field: the reasoning models (`o1`, `o3`, `o4`, `gpt-5`
/// families) reject `max_tokens` with a 400 `unsupported_parameter` and take only
/// `max_completion_tokens`; other models take both.
enum SimulatorTokenLimit {
    /// Whether `model` is one of the reasoning families.
    static func isReasoningModel(_ model: String) -> Bool {
        let name = model.lowercased()
        return ["o1", "o3", "o4", "gpt-5"].contains { family in
            guard name.hasPrefix(family) else { return false }
            let rest = name.dropFirst(family.count)
            return rest.isEmpty || ["-", ".", ":", "_"].contains(rest.first)
        }
    }

    /// Throws OpenAI's error when `body` sends `max_tokens` to a reasoning model.
    static func check(_ body: [String: Any], model: String) throws {
        guard body["max_tokens"] != nil, isReasoningModel(model) else { return }
        throw SimulatorRequestError(
            status: 400,
            message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
            code: "unsupported_parameter", param: "max_tokens")
    }
}
