import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Messages and prompts")
struct MessageTests {
    @Test func factoriesTakeContentFirst() {
        let system = SystemMessage("You are helpful.")
        #expect(system.role == .system)
        #expect(system.text == "You are helpful.")
        #expect(system.name == nil)
        let named = UserMessage("Hi", name: "alice")
        #expect(named.role == .user)
        #expect(named.name == "alice")
        #expect(named.description == "alice: Hi")
        #expect(AssistantMessage("Hello").role == .assistant)
        #expect(ToolMessage("42", toolCallID: "call_1").toolCallID == "call_1")
    }

    @Test func imagesBecomeParts() {
        let message = UserMessage("What is this?", images: ["/tmp/a.png", "/tmp/b.jpg"])
        guard case .parts(let parts) = message.content else {
            Issue.record("expected parts")
            return
        }
        #expect(parts == [.text("What is this?"), .imageFile(path: "/tmp/a.png"), .imageFile(path: "/tmp/b.jpg")])
        #expect(message.text == "What is this?")
    }

    @Test func formatFlattensNestedArraysAndSkipsNil() {
        struct Echo: ModelAdapter {
            let configName = "echo"
        }
        let a = SystemMessage("a")
        let b = UserMessage("b")
        let c = AssistantMessage("c")
        let missing: Message? = nil
        let prompt = Echo().format(a, [b, c], [[b]], missing)
        #expect(prompt.messages.map(\.text) == ["a", "b", "c", "b"])
    }

    @Test func promptFromDictionaries() throws {
        let prompt = try Prompt(dictionaries: [
            ["role": "system", "content": "You are a helpful assistant."],
            ["role": "user", "content": "Hello", "name": "bob"],
        ])
        #expect(prompt.messages.count == 2)
        #expect(prompt.messages[1].name == "bob")
        let error = #expect(throws: ModelError.self) { try Prompt(dictionaries: [["role": "wizard", "content": "x"]]) }
        #expect(error?.message.contains("wizard") == true)
    }

    @Test func stringLiteralPromptIsOneUserMessage() {
        let prompt: Prompt = "Hello"
        #expect(prompt.messages == [UserMessage("Hello")])
    }
}
