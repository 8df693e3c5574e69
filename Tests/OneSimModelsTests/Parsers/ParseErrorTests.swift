import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("ParseError")
struct ParseErrorTests {
    /// The `ParseError` that `body` throws, if any.
    func caught(_ body: () throws -> Void) -> ParseError? {
        do {
            try body()
            return nil
        } catch {
            return error as? ParseError
        }
    }

    @Test func invalidJSONHasPositionAndACaretSnippet() throws {
        let text = "Here:\n```json\n{\"a\": 1,\n \"b\": [1, 2 3 4 x]}\n```"
        let e = try #require(caught { _ = try JSONBlockParser(strict: true).parse(text) })
        guard case .invalidJSON(let reason, let line, let column, let offset) = e.kind else {
            Issue.record("expected invalid JSON, got \(e.kind)")
            return
        }
        #expect(line == 4)
        #expect(column == 13)
        #expect(offset == Array(text.utf8).firstIndex(of: UInt8(ascii: "3")))
        #expect(reason.contains("expected ',' or ']'"))
        #expect(e.snippet == "     \"b\": [1, 2 3 4 x]}\n                ^")
        #expect(e.message.hasPrefix("Failed to parse JSON at line 4, column 13 (offset \(offset)): "))
        #expect(e.message.hasSuffix("\n" + e.snippet!))
    }

    @Test func snippetIsCutAroundLongLines() throws {
        let long = String(repeating: "a", count: 200)
        let text = "```json\n[\"\(long)\", oops, \"\(long)\"]\n```"
        let e = try #require(caught { _ = try JSONBlockParser(strict: true).parse(text) })
        let lines = try #require(e.snippet).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("    …"))
        #expect(lines[0].hasSuffix("…"))
        #expect(lines[0].contains("oops"))
        // The caret sits under the "o" of "oops".
        let caret = try #require(lines[1].firstIndex(of: "^"))
        let column = lines[1].distance(from: lines[1].startIndex, to: caret)
        let o = lines[0].index(lines[0].startIndex, offsetBy: column)
        #expect(lines[0][o...].hasPrefix("oops"))
    }

    @Test func snippetCaretCountsCharactersNotBytes() throws {
        let text = "```json\n{\"名前\": 'x' ,, }\n```"
        let e = try #require(caught { _ = try JSONBlockParser(strict: true).parse(text) })
        #expect(e.snippet == "    {\"名前\": 'x' ,, }\n" + String(repeating: " ", count: 11) + "^")
    }

    @Test func messagesSayWhatToDo() throws {
        let start = try #require(caught { _ = try JSONBlockParser().parse("I would rather not.") })
        #expect(start.message.hasPrefix("Start tag '```json' not found in response."))
        #expect(start.message.contains("put the JSON in a markdown code block"))
        #expect(start.message.hasSuffix("(the response begins: \"I would rather not.\")"))

        let end = try #require(caught { _ = try JSONBlockParser(strict: true).parse("```json\n{}") })
        #expect(end.message.contains("End tag '```' not found"))
        #expect(end.message.contains("raise maxTokens"))

        let empty = try #require(caught { _ = try TagParser(tagStart: "<a>", tagEnd: "</a>").parse("") })
        #expect(empty.message.hasPrefix("Response text is empty."))
        #expect(empty.message.contains("finishReason"))

        let dict = try #require(caught { _ = try JSONDictParser().parse("```json\n[]\n```") })
        #expect(
            dict.message
                == "Expected a JSON dictionary (an object in {...}), got an array. Reply with a single JSON object.")

        let tags = try #require(
            caught {
                _ = try MultiTagParser(tagStart: "<t:", tagEnd: "</t>", namedTags: true, requiredTags: ["x"]).parse("-")
            })
        #expect(tags.message.contains("add a '<t:NAME>...</t>' block for each of x"))

        let type = try #require(caught { _ = try JSONValue.string("x").decoded(as: Int.self) })
        #expect(
            type.message
                == "Wrong type at (root): expected Int, found string \"x\". Make the JSON match the expected structure."
        )
    }

    @Test func responsePreviewIsShortAndOnOneLine() throws {
        let text = "line one\nline two " + String(repeating: "z", count: 100)
        let e = try #require(caught { _ = try TagParser(tagStart: "<a>", tagEnd: "</a>").parse(text) })
        let snippet = try #require(e.snippet)
        #expect(!snippet.contains("\n"))
        #expect(snippet.hasPrefix("line one line two"))
        #expect(snippet.count == 61)
        #expect(snippet.hasSuffix("…"))
    }

    @Test func errorsAreValues() {
        let a = ParseError(.missingKeys(["a"]))
        #expect(a == ParseError(.missingKeys(["a"])))
        #expect(a != ParseError(.missingKeys(["b"])))
        #expect(a.description == a.message)
        #expect(a.message == "Missing required keys in response: a.")
    }
}
