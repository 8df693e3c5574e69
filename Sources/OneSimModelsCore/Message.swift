import Foundation

/// Who speaks a message.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    /// Instructions for the model.
    case system
    /// The user's turn.
    case user
    /// The model's turn.
    case assistant
    /// A tool's result, answering an assistant's tool call.
    case tool
}

/// How closely a vision model should look at an image (OpenAI's `detail`).
public enum ImageDetail: String, Sendable, Hashable, Codable {
    /// Let the provider decide.
    case auto
    /// A cheap low-resolution look.
    case low
    /// A detailed look.
    case high
}

/// One part of a multi-part message.
public enum ContentPart: Sendable, Hashable {
    /// Plain text.
    case text(String)
    /// An image read from a file when the request is sent (asynchronously), and sent as a
    /// base64 `data:` URL. A missing or unreadable file fails the call and names the path.
    case imageFile(path: String, detail: ImageDetail? = nil)
    /// An image the provider fetches itself (`https://...` or a `data:` URL).
    case imageURL(String, detail: ImageDetail? = nil)
    /// Image bytes in memory; the MIME type is detected from the bytes when not given.
    case imageData(Data, mimeType: String? = nil, detail: ImageDetail? = nil)
}

/// The content of a message: text, or a list of parts (text and images).
public enum MessageContent: Sendable, Hashable, ExpressibleByStringLiteral {
    /// Plain text.
    case text(String)
    /// Text and image parts, in order.
    case parts([ContentPart])

    /// `.text(value)`, so a string literal can stand for content.
    public init(stringLiteral value: String) { self = .text(value) }

    /// The text of this content: the text itself, or the text parts joined by newlines.
    public var text: String {
        switch self {
        case .text(let s): return s
        case .parts(let parts):
            return parts.compactMap { if case .text(let t) = $0 { return t } else { return nil } }
                .joined(separator: "\n")
        }
    }
}

/// One message of a conversation.
///
/// Build messages with `SystemMessage(_:)`, `UserMessage(_:)` and `AssistantMessage(_:)`, which
/// take the content first; the speaker's `name` is an optional labelled argument.
public struct Message: Sendable, Hashable {
    /// Who speaks; `.tool` messages also need `toolCallID`.
    public var role: Role
    /// What is said.
    public var content: MessageContent
    /// An optional speaker name (sent as OpenAI's `name` field).
    public var name: String?
    /// Tool calls of an assistant message.
    public var toolCalls: [ToolCall]
    /// For a `tool` message: the id of the call it answers.
    public var toolCallID: String?
    /// Caller data kept with the message; never sent to the provider.
    public var metadata: [String: JSONValue]

    /// A message with every field given.
    public init(
        role: Role, content: MessageContent, name: String? = nil, toolCalls: [ToolCall] = [],
        toolCallID: String? = nil, metadata: [String: JSONValue] = [:]
    ) {
        self.role = role
        self.content = content
        self.name = name
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.metadata = metadata
    }

    /// A message whose content is `text` followed by one image part per file path in `images`.
    public init(
        role: Role, _ text: String, name: String? = nil, images: [String], metadata: [String: JSONValue] = [:]
    ) {
        let content: MessageContent =
            images.isEmpty ? .text(text) : .parts([.text(text)] + images.map { .imageFile(path: $0) })
        self.init(role: role, content: content, name: name, metadata: metadata)
    }

    /// The text of the content.
    public var text: String { content.text }
}

extension Message: CustomStringConvertible {
    /// `"<name or role>: <text>"`, as the original.
    public var description: String { "\(name ?? role.rawValue): \(content.text)" }
}

/// A system message. Content comes first; `name` is optional.
public func SystemMessage(_ content: MessageContent, name: String? = nil, metadata: [String: JSONValue] = [:]) -> Message {
    Message(role: .system, content: content, name: name, metadata: metadata)
}

/// A system message from a string.
public func SystemMessage(_ content: String, name: String? = nil, metadata: [String: JSONValue] = [:]) -> Message {
    Message(role: .system, content: .text(content), name: name, metadata: metadata)
}

/// A user message. Content comes first; `name` is optional.
public func UserMessage(_ content: MessageContent, name: String? = nil, metadata: [String: JSONValue] = [:]) -> Message {
    Message(role: .user, content: content, name: name, metadata: metadata)
}

/// A user message from a string, with optional image files sent after the text.
public func UserMessage(
    _ content: String, name: String? = nil, images: [String] = [], metadata: [String: JSONValue] = [:]
) -> Message {
    Message(role: .user, content, name: name, images: images, metadata: metadata)
}

/// An assistant message. Content comes first; `name` is optional.
public func AssistantMessage(
    _ content: MessageContent, name: String? = nil, toolCalls: [ToolCall] = [], metadata: [String: JSONValue] = [:]
) -> Message {
    Message(role: .assistant, content: content, name: name, toolCalls: toolCalls, metadata: metadata)
}

/// An assistant message from a string.
public func AssistantMessage(
    _ content: String, name: String? = nil, toolCalls: [ToolCall] = [], metadata: [String: JSONValue] = [:]
) -> Message {
    Message(role: .assistant, content: .text(content), name: name, toolCalls: toolCalls, metadata: metadata)
}

/// A tool message answering the call with id `toolCallID`.
public func ToolMessage(_ content: String, toolCallID: String, metadata: [String: JSONValue] = [:]) -> Message {
    Message(role: .tool, content: .text(content), toolCallID: toolCallID, metadata: metadata)
}
