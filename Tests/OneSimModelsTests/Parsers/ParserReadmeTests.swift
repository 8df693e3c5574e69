import Synchronization
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// A model that answers from a script and remembers the prompts: a stand-in for `getModel(...)`.
private struct ReadmeModel: ModelAdapter {
    final class Calls: Sendable {
        let prompts = Mutex<[Prompt]>([])
    }

    let configName = "readme"
    let replies: [String]
    let calls = Calls()

    func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        let n = calls.prompts.withLock { prompts in
            prompts.append(prompt)
            return prompts.count - 1
        }
        return ModelResponse(text: replies[min(n, replies.count - 1)])
    }
}

private let characterReply = "Here it is:\n```json\n{\"name\": \"Ada\", \"description\": \"A mathematician.\"}\n```"

/// Each parser example of the README, as written there.
@Suite("README parser examples")
struct ParserReadmeTests {
    @Test func reasoningModels() throws {
        let reply = "<think>Maybe {\"name\": \"draft\"}?</think>\n{\"name\": \"final\"}"
        let answer = try JSONDictParser(requiredKeys: ["name"]).parse(reply)
        // answer == ["name": "final"]
        let everything = JSONBlockParser(reasoningTags: [])  // reads reasoning like any other text

        #expect(answer == ["name": "final"])
        #expect(try everything.parse(reply) == ["name": "draft"])
    }

    @Test func structuredReplies() async throws {
        let model = ReadmeModel(replies: [characterReply])

        let parser = JSONDictParser(requiredKeys: ["name", "description"])
        let instruction = parser.formatInstruction

        // Include the instruction in the prompt
        let userMsg = UserMessage("Generate JSON data. \(instruction)")

        // Generate and parse
        let response = try await model.acall(model.format(userMsg))
        let parsedResponse = try parser.parse(response)

        print(parsedResponse.parsed!)  // Structured data, e.g. {"description":"...","name":"..."}

        #expect(parsedResponse.parsed == ["name": "Ada", "description": "A mathematician."])
        #expect(model.calls.prompts.withLock { $0 }[0].messages[0].text.hasSuffix("\"name\", \"description\"."))
        #expect(
            instruction == """
                Respond with a JSON object in a markdown code block as follows:
                ```json
                {your_json_object}
                ```
                The JSON object must contain the keys: "name", "description".
                """)
    }

    @Test func typedResults() async throws {
        let response = ModelResponse(text: characterReply)
        let parser = JSONDictParser(requiredKeys: ["name", "description"])

        struct Profile: Decodable, Sendable {
            var name: String
            var description: String
        }

        let profile = try parser.parse(response, as: Profile.self)
        print(profile.name)

        #expect(profile.name == "Ada")
        #expect(profile.description == "A mathematician.")
    }

    @Test func schema() throws {
        let response = ModelResponse(text: "```json\n{\"name\": \"Ada\", \"age\": 36}\n```")

        struct Person: Codable, Sendable, JSONSchemaDescribing {
            var name: String
            var age: Int
            static let jsonSchema: JSONValue = [
                "type": "object",
                "properties": ["name": ["type": "string"], "age": ["type": "integer"]],
                "required": ["name", "age"],
            ]
        }

        let personParser = JSONDictParser(schema: ResponseSchema(Person.self))
        let person = try personParser.parse(response, as: Person.self)

        #expect(person.age == 36)
        #expect(personParser.formatInstruction.contains("\"required\": [\n    \"name\",\n    \"age\"\n  ]"))
        #expect(thrownParseErrorKind { _ = try personParser.parse("{\"name\": \"Ada\"}") } == .missingKeys(["age"]))
    }

    @Test func lenientAndStrict() throws {
        let lenient = try JSONBlockParser().parse("Sure! {'mood': 'happy', 'ok': True,}")
        // lenient == ["mood": "happy", "ok": true]

        let strict = JSONBlockParser(strict: true)  // exact tags and strict JSON only
        let value = try strict.parse("```json\n{\"mood\": \"happy\"}\n```")

        #expect(lenient == ["mood": "happy", "ok": true])
        #expect(value == ["mood": "happy"])
        #expect(
            thrownParseErrorKind { _ = try strict.parse("Sure! {'mood': 'happy', 'ok': True,}") }
                == .startTagNotFound(tag: "```json"))
    }

    @Test func askAgain() async throws {
        let model = ReadmeModel(replies: ["I'd rather chat.", characterReply])
        let parser = JSONDictParser(requiredKeys: ["name", "description"])
        let userMsg = UserMessage("Generate JSON data. \(parser.formatInstruction)")
        var printed = false

        do {
            let reply = try await model.acall(model.format(userMsg), parser: parser, maxParseRetries: 2)
            print(reply.parsed!)
            printed = true
        } catch let error as ParseRetryError {
            for e in error.errors { print(e.message) }
        }

        #expect(printed)
        #expect(model.calls.prompts.withLock { $0.count } == 2)

        let stubborn = ReadmeModel(replies: ["no"])
        await #expect(throws: ParseRetryError.self) {
            _ = try await stubborn.acall(stubborn.format(userMsg), parser: parser, maxParseRetries: 2)
        }
        #expect(stubborn.calls.prompts.withLock { $0.count } == 3)
    }

    @Test func errors() {
        let parser = JSONDictParser(requiredKeys: ["name", "description"])
        let response = ModelResponse(text: "```json\n{\"name\": \"Ada\"}\n```")
        var seen: [String] = []

        do {
            _ = try parser.parse(response)
        } catch {
            switch error.kind {
            case .missingKeys(let keys):
                print("missing:", keys)
                seen = keys
            case .invalidJSON(_, let line, let column, _): print("bad JSON at \(line):\(column)")
            default: break
            }
            print(error.message)
        }

        #expect(seen == ["description"])
    }

    @Test func allParsers() throws {
        let code = try CodeBlockParser(language: "python").parse("```python\nprint(1)\n```")
        // code == "print(1)"
        let tags = try MultiTagParser(tagStart: "<tag:", tagEnd: "</tag>", namedTags: true, requiredTags: ["plan"])
            .parse("<tag:plan>walk</tag> <tag:mood>calm</tag>")
        // tags == ["plan": "walk", "mood": "calm"]

        #expect(code == "print(1)")
        #expect(tags == ["plan": "walk", "mood": "calm"])
    }
}

/// The README's error-handling sample, verbatim (compiled; `ParserReadmeTests.errors` runs its logic).
private func readmeParseErrorSample(parser: JSONDictParser, response: ModelResponse) {
    do {
        _ = try parser.parse(response)
    } catch {
        switch error.kind {
        case .missingKeys(let keys): print("missing:", keys)
        case .invalidJSON(_, let line, let column, _): print("bad JSON at \(line):\(column)")
        default: break
        }
        print(error.message)
    }
}
