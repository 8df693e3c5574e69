import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("CodeBlockParser and LanguageCodeParser")
struct CodeParserTests {
    @Test func firstBlockOfTheLanguageAsAString() throws {
        let text = "Intro\n```js\nalert(1)\n```\n```python\nprint(1)\n```\n```python\nprint(2)\n```"
        #expect(try CodeBlockParser(language: "python").parse(text) == "print(1)")
        #expect(try CodeBlockParser(language: "python").codeBlocks(in: text) == ["print(1)", "print(2)"])
    }

    @Test func sameShapeWithoutALanguage() throws {
        // The original returned a list here; the result is always the first block's code.
        let text = "```\nfirst\n```\n```sh\nsecond\n```"
        #expect(try CodeBlockParser().parse(text) == "first")
        #expect(try CodeBlockParser().codeBlocks(in: text) == ["first", "second"])
    }

    @Test func parseResponseSetsAString() throws {
        let response = try CodeBlockParser(language: "python").parse(ModelResponse(text: "```python\nx = 1\n```"))
        #expect(response.parsed?.stringValue == "x = 1")
    }

    @Test func languageIsAWholeWordInAnyCase() throws {
        let text = "```python3\nnot this\n```\n```Python\nthis\n```"
        #expect(try CodeBlockParser(language: "python").parse(text) == "this")
        #expect(try CodeBlockParser(language: "python3").parse(text) == "not this")
    }

    @Test func languagesWithRegexCharacters() throws {
        let text = "```c++\nint main() {}\n```\n```c#\nclass A {}\n```"
        #expect(try CodeBlockParser(language: "c++").parse(text) == "int main() {}")
        #expect(
            try LanguageCodeParser(languages: ["c#", "c++"]).parse(text) == [
                "c++": ["int main() {}"], "c#": ["class A {}"],
            ])
    }

    @Test func crlfWorks() throws {
        let text = "Code:\r\n```python\r\nfor i in x:\r\n    print(i)\r\n```\r\n"
        #expect(try CodeBlockParser(language: "python").parse(text) == "for i in x:\r\n    print(i)")
        #expect(try CodeBlockParser().parse(text) == "for i in x:\r\n    print(i)")
    }

    @Test func aFenceInsideTheCodeDoesNotEndTheBlock() throws {
        let text = "```python\ns = \"```\"\nprint(s)\n```"
        #expect(try CodeBlockParser(language: "python").parse(text) == "s = \"```\"\nprint(s)")
    }

    @Test func inlineClosingFence() throws {
        #expect(try CodeBlockParser(language: "python").parse("```python\nprint(1)```") == "print(1)")
        #expect(try CodeBlockParser(language: "python").parse("Run ```python print(1)``` now") == "print(1)")
    }

    @Test func lenientFallsBackToAnUnlabelledBlock() throws {
        #expect(try CodeBlockParser(language: "python").parse("```\nprint(1)\n```") == "print(1)")
        #expect(
            thrownParseErrorKind {
                _ = try CodeBlockParser(language: "python", strict: true).parse("```\nprint(1)\n```")
            }
                == .startTagNotFound(tag: "```python"))
        #expect(
            thrownParseErrorKind { _ = try CodeBlockParser(language: "python").parse("```js\nalert(1)\n```") }
                == .startTagNotFound(tag: "```python"))
    }

    @Test func errors() {
        #expect(thrownParseErrorKind { _ = try CodeBlockParser().parse("") } == .emptyResponse)
        #expect(thrownParseErrorKind { _ = try CodeBlockParser().parse("no code") } == .startTagNotFound(tag: "```"))
        #expect(
            thrownParseErrorKind { _ = try CodeBlockParser(language: "go").parse("```go\nfunc main()") }
                == .endTagNotFound(tag: "```"))
        #expect(
            thrownParseErrorKind { _ = try CodeBlockParser().codeBlocks(in: "nothing") }
                == .startTagNotFound(tag: "```"))
    }

    @Test func instructions() {
        #expect(
            CodeBlockParser(language: "python").formatInstruction
                == "Respond with code in a markdown code block as follows:\n```python\n{your_code_here}\n```")
        #expect(
            CodeBlockParser(contentHint: "# code").formatInstruction
                == "Respond with code in a markdown code block as follows:\n```language\n# code\n```")
        #expect(
            LanguageCodeParser(languages: ["python", "sql"]).formatInstruction
                == "Respond with code in markdown code blocks for the following languages:\n"
                + "```python\n{your_code_here}\n```\n```sql\n{your_code_here}\n```")
    }

    @Test func languageCodeParserGroupsBlocks() throws {
        let text = "```python\na\n```\n```SQL\nSELECT 1\n```\n```python\nb\n```\n```js\nc\n```"
        let parser = LanguageCodeParser(languages: ["python", "sql", "rust"])
        #expect(try parser.parse(text) == ["python": ["a", "b"], "sql": ["SELECT 1"]])
        #expect(
            thrownParseErrorKind { _ = try parser.parse("```js\nc\n```") }
                == .startTagNotFound(tag: "```python' or '```sql' or '```rust"))
        #expect(thrownParseErrorKind { _ = try parser.parse("\n") } == .emptyResponse)
    }
}
