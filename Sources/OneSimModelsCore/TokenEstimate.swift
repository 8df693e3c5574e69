/// Rough token counts for charging `tpm` budgets before the real usage is known.
///
/// About four UTF-8 bytes per token plus a few tokens per message and a flat amount per image;
/// the charge is corrected with the provider's reported usage after the call.
package enum TokenEstimate {
    /// Tokens charged per message for role and framing.
    package static let perMessage = 4
    /// Tokens charged per image part.
    package static let perImage = 85

    /// Estimated prompt tokens of `prompt`.
    package static func tokens(in prompt: Prompt) -> Int {
        var total = 0
        for message in prompt.messages {
            total += perMessage
            switch message.content {
            case .text(let text): total += tokens(in: text)
            case .parts(let parts):
                for part in parts {
                    if case .text(let text) = part { total += tokens(in: text) } else { total += perImage }
                }
            }
            for call in message.toolCalls { total += tokens(in: call.name) + tokens(in: call.arguments) }
        }
        return total
    }

    /// Estimated tokens of `texts` (an embedding request).
    package static func tokens(in texts: [String]) -> Int {
        texts.reduce(0) { $0 + tokens(in: $1) }
    }

    /// Estimated tokens of `text`.
    package static func tokens(in text: String) -> Int {
        (text.utf8.count + 3) / 4
    }
}
