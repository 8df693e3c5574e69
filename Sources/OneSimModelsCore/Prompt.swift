/// Anything `format(...)` accepts: a message, an array of them, nested arrays, or an optional
/// (where `nil` is skipped).
public protocol PromptComponent: Sendable {
    /// Appends this component's messages, in order, to `messages`.
    func appendMessages(to messages: inout [Message])
}

extension Message: PromptComponent {
    /// Appends this message.
    public func appendMessages(to messages: inout [Message]) { messages.append(self) }
}

extension Array: PromptComponent where Element: PromptComponent {
    /// Appends every element's messages, depth first.
    public func appendMessages(to messages: inout [Message]) {
        for element in self { element.appendMessages(to: &messages) }
    }
}

extension Optional: PromptComponent where Wrapped: PromptComponent {
    /// Appends the wrapped messages; `nil` adds nothing.
    public func appendMessages(to messages: inout [Message]) {
        if let wrapped = self { wrapped.appendMessages(to: &messages) }
    }
}

extension Prompt: PromptComponent {
    /// Appends this prompt's messages.
    public func appendMessages(to messages: inout [Message]) { messages.append(contentsOf: self.messages) }
}

/// A formatted conversation, ready for any provider.
///
/// `format(...)` produces it; the provider that serves the call encodes it into its own wire
/// format when the request is sent, so one prompt can go through a balancer whose members
/// speak different protocols. A string literal is a one-message user prompt.
public struct Prompt: Sendable, Hashable, ExpressibleByArrayLiteral, ExpressibleByStringInterpolation {
    /// The messages, in order.
    public var messages: [Message]

    /// A prompt of these messages.
    public init(_ messages: [Message]) { self.messages = messages }

    /// A prompt of these components, flattened in order.
    public init(components: [any PromptComponent]) {
        var messages: [Message] = []
        for component in components { component.appendMessages(to: &messages) }
        self.messages = messages
    }

    /// A prompt of these messages.
    public init(arrayLiteral elements: Message...) { self.messages = elements }

    /// A prompt of one user message.
    public init(stringLiteral value: String) { self.messages = [UserMessage(value)] }

    /// A prompt from OpenAI-style dictionaries (`["role": "user", "content": "Hi"]`), as the
    /// original's `acall(messages=[...])`. Throws a configuration error for an unknown role.
    public init(dictionaries: [[String: String]]) throws(ModelError) {
        var messages: [Message] = []
        for (i, d) in dictionaries.enumerated() {
            let roleName = d["role"] ?? "user"
            guard let role = Role(rawValue: roleName) else {
                throw ModelError(
                    .badRequest,
                    "message \(i): unknown role '\(roleName)' (valid: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            messages.append(Message(role: role, content: .text(d["content"] ?? ""), name: d["name"], toolCallID: d["tool_call_id"]))
        }
        self.messages = messages
    }
}
