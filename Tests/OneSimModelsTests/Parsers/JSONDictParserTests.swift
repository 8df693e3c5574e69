import Foundation
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

private struct Person: Codable, Sendable, Equatable, JSONSchemaDescribing {
    var name: String
    var age: Int
    var tags: [String]?

    static let jsonSchema: JSONValue = [
        "type": "object",
        "properties": [
            "name": ["type": "string"],
            "age": ["type": "integer"],
            "tags": ["type": "array", "items": ["type": "string"]],
        ],
        "required": ["name", "age"],
    ]
}

@Suite("JSONDictParser")
struct JSONDictParserTests {
    @Test func readsAnObject() throws {
        let parser = JSONDictParser(requiredKeys: ["name", "description"])
        let response = ModelResponse(text: "```json\n{\"name\": \"x\", \"description\": \"y\", \"extra\": 1}\n```")
        let parsed = try parser.parse(response)
        #expect(parsed.parsed == ["name": "x", "description": "y", "extra": 1])
    }

    @Test func notADictionary() {
        let parser = JSONDictParser()
        #expect(
            thrownParseErrorKind { _ = try parser.parse("```json\n[1, 2]\n```") } == .notADictionary(found: "array"))
        #expect(
            thrownParseErrorKind { _ = try parser.parse("```json\n\"s\"\n```") } == .notADictionary(found: "string"))
        #expect(thrownParseErrorKind { _ = try parser.parse("[1, 2, 3]") } == .notADictionary(found: "array"))
    }

    @Test func fallbacksPreferAnObject() throws {
        // Lenient fallbacks pass over an array when an object is required.
        let text = "{\"answer\": 1} and the list [1, 2, 3, 4, 5, 6, 7, 8, 9]"
        #expect(try JSONDictParser().parse(text) == ["answer": 1])
        // Any type will do, but loose objects come before loose arrays, and the first one wins.
        #expect(try JSONBlockParser().parse(text) == ["answer": 1])
        #expect(try JSONBlockParser().parse("The list [1, 2, 3, 4, 5, 6, 7, 8, 9] and [0]") == [1, 2, 3, 4, 5, 6, 7, 8, 9])
    }

    @Test func missingKeysAreListedInRequiredOrder() {
        let parser = JSONDictParser(requiredKeys: ["c", "a", "b", "d"])
        let kind = thrownParseErrorKind { _ = try parser.parse("```json\n{\"a\": 1}\n```") }
        #expect(kind == .missingKeys(["c", "b", "d"]))
    }

    @Test func missingKeysMessageKeepsTheOriginalWording() throws {
        let parser = JSONDictParser(requiredKeys: ["name", "description"])
        do {
            _ = try parser.parse("```json\n{}\n```")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("Missing required keys in response: name, description."))
        }
    }

    @Test func instructionNamesTheRequiredKeys() {
        let parser = JSONDictParser(requiredKeys: ["name", "description"])
        #expect(
            parser.formatInstruction
                == "Respond with a JSON object in a markdown code block as follows:\n```json\n{your_json_object}\n```\n"
                + "The JSON object must contain the keys: \"name\", \"description\".")
        #expect(JSONDictParser().formatInstruction == JSONBlockParser().formatInstruction)
    }

    @Test func instructionShowsTheSchema() {
        let parser = JSONDictParser(schema: ResponseSchema(Person.self))
        let instruction = parser.formatInstruction
        #expect(instruction.contains("The JSON object must follow this JSON Schema:\n{\n  \"properties\": {"))
        #expect(instruction.contains("\"age\": {\n      \"type\": \"integer\"\n    }"))
        #expect(instruction.contains("\"required\": [\n    \"name\",\n    \"age\"\n  ]"))
    }

    @Test func schemaValidation() throws {
        let parser = JSONDictParser(schema: ResponseSchema(Person.jsonSchema))
        #expect(try parser.parse("{\"name\": \"Ada\", \"age\": 36}") == ["name": "Ada", "age": 36])
        #expect(
            thrownParseErrorKind { _ = try parser.parse("{\"name\": \"Ada\", \"age\": \"old\"}") }
                == .typeMismatch(path: "age", expected: "integer", found: "string \"old\""))
        #expect(thrownParseErrorKind { _ = try parser.parse("{\"name\": \"Ada\"}") } == .missingKeys(["age"]))
        #expect(
            thrownParseErrorKind { _ = try parser.parse("{\"name\": \"A\", \"age\": 1, \"tags\": [\"x\", 2]}") }
                == .typeMismatch(path: "tags[1]", expected: "string", found: "number 2"))
    }

    @Test func schemaKeywords() throws {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "mood": ["enum": ["happy", "sad"]],
                "v": ["const": 1],
                "n": ["type": ["integer", "null"]],
                "inner": ["type": "object", "properties": ["x": ["type": "number"]], "required": ["x"]],
            ],
            "additionalProperties": false,
        ]
        let parser = JSONDictParser(schema: ResponseSchema(schema))
        #expect(
            try parser.parse("{\"mood\": \"sad\", \"v\": 1, \"n\": null, \"inner\": {\"x\": 2.5}}").objectValue?.count
                == 4)
        #expect(try parser.parse("{\"n\": 3.0}") == ["n": 3.0])
        let bad: [(String, ParseError.Kind)] = [
            (
                "{\"mood\": \"meh\"}",
                .typeMismatch(path: "mood", expected: "one of \"happy\", \"sad\"", found: "string \"meh\"")
            ),
            ("{\"v\": 2}", .typeMismatch(path: "v", expected: "1", found: "number 2")),
            ("{\"n\": 1.5}", .typeMismatch(path: "n", expected: "integer or null", found: "number 1.5")),
            ("{\"inner\": {}}", .missingKeys(["inner.x"])),
            (
                "{\"other\": 1}",
                .typeMismatch(path: "other", expected: "no such key (allowed: inner, mood, n, v)", found: "number 1")
            ),
        ]
        for (text, kind) in bad {
            #expect(thrownParseErrorKind { _ = try parser.parse(text) } == kind, "\(text)")
        }
    }

    @Test func schemaWithADecodableType() throws {
        let parser = JSONDictParser(schema: ResponseSchema(Person.self, jsonSchema: ["type": "object"]))
        #expect(try parser.parse("{\"name\": \"Ada\", \"age\": 36}") == ["name": "Ada", "age": 36])
        #expect(thrownParseErrorKind { _ = try parser.parse("{\"name\": \"Ada\"}") } == .missingKeys(["age"]))
        #expect(
            thrownParseErrorKind { _ = try parser.parse("{\"name\": 5, \"age\": 1}") }
                == .typeMismatch(path: "name", expected: "String", found: "number 5"))
    }

    @Test func typedDecoding() throws {
        let parser = JSONDictParser(requiredKeys: ["name"])
        let response = ModelResponse(text: "```json\n{\"name\": \"Ada\", \"age\": 36, \"tags\": [\"math\"]}\n```")
        let person = try parser.parse(response, as: Person.self)
        #expect(person == Person(name: "Ada", age: 36, tags: ["math"]))
        #expect(try JSONBlockParser().parse("[1, 2]", as: [Int].self) == [1, 2])
        #expect(try JSONBlockParser().parse("{\"age\": 3.0, \"name\": \"x\"}", as: Person.self).age == 3)
        #expect(
            thrownParseErrorKind {
                _ = try JSONBlockParser().parse("[{\"name\": \"A\", \"age\": \"x\"}]", as: [Person].self)
            }
                == .typeMismatch(path: "[0].age", expected: "Int", found: "string \"x\""))
        #expect(
            thrownParseErrorKind { _ = try parser.parse(ModelResponse(text: nil), as: Person.self) } == .emptyResponse)
    }

    @Test func typedDecodingWithACustomDecoder() throws {
        struct Snake: Decodable, Equatable { var firstName: String }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        #expect(
            try JSONBlockParser().parse("{\"first_name\": \"A\"}", as: Snake.self, decoder: decoder)
                == Snake(firstName: "A"))
    }

    @Test func filtersAsTheOriginal() {
        let data: JSONValue = ["thought": "t", "speech": "s", "action": "a"]
        let all = JSONDictParser()
        #expect(all.toContent(data) == data)
        #expect(all.toMetadata(data) == nil)
        let one = JSONDictParser(keysToContent: "speech", keysToMetadata: ["thought", "missing"])
        #expect(one.toContent(data) == "s")
        #expect(one.toMetadata(data) == ["thought": "t"])
        let none = JSONDictParser(keysToContent: false, keysToMetadata: true)
        #expect(none.toContent(data) == nil)
        #expect(none.toMetadata(data) == data)
        #expect(JSONDictParser(keysToContent: "absent").toContent(data) == nil)
        #expect(JSONDictParser(keysToContent: ["speech"]).toContent("not an object") == nil)
    }

    @Test func strictModeIsPassedOn() {
        let parser = JSONDictParser(requiredKeys: ["a"], strict: true)
        #expect(parser.blockParser.strict)
        #expect(thrownParseErrorKind { _ = try parser.parse("{\"a\": 1}") } == .startTagNotFound(tag: "```json"))
    }
}
