import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// Large and adversarial replies: correctness only (speed is the benchmark's job). Each of
/// these takes a quadratic parser minutes, so a regression shows up as a very slow test run.
@Suite("Parsers on large replies")
struct ParserLargeInputTests {
    static let size = 1 << 20

    @Test func megabyteJSONBlock() throws {
        let items = (0..<(Self.size / 40)).map { "{\"i\": \($0), \"s\": \"```x```\"}" }
        let text = "Intro\n```json\n[" + items.joined(separator: ",") + "]\n```\n"
        let value = try JSONBlockParser().parse(text)
        #expect(value.arrayValue?.count == items.count)
        #expect(value[items.count - 1]?["i"] == .int(items.count - 1))
    }

    @Test func megabyteOfOpenBraces() throws {
        let text = String(repeating: "{", count: Self.size)
        #expect(thrownParseErrorKind { _ = try JSONBlockParser().parse(text) } != nil)
        #expect(try MultiTagParser(tagStart: "{", tagEnd: "}").parse(text) == [])
    }

    @Test func manyFailingCandidatesThenTheAnswer() throws {
        // Every noise candidate is longer than the answer, so all of them are tried first.
        let noise = String(repeating: "{not json at all} [nor this one] ", count: Self.size / 33)
        #expect(try JSONBlockParser().parse(noise + "{\"ok\": true}") == ["ok": true])
    }

    @Test func manyBareFencesThenTheAnswer() throws {
        let noise = String(repeating: "```\n{oops\n```\n", count: Self.size / 14)
        #expect(try JSONBlockParser().parse(noise + "```json\n{\"ok\": 1}\n```") == ["ok": 1])
        #expect(try JSONBlockParser().parse(noise + "```\n[1]\n```") == [1])
    }

    @Test func truncatedMegabyteReply() throws {
        let text = "```json\n{\"log\": \"" + String(repeating: "ab\n", count: Self.size / 3)
        let value = try JSONBlockParser().parse(text)
        #expect(value["log"]?.stringValue?.count == Self.size / 3 * 3)
    }

    @Test func manyUnclosedStartTags() throws {
        let text = String(repeating: "<a>", count: Self.size / 3) + "</b>"
        #expect(
            thrownParseErrorKind { _ = try TagParser(tagStart: "<a>", tagEnd: "</a>").parse(text) }
                == .endTagNotFound(tag: "</a>"))
        #expect(try MultiTagParser(tagStart: "<a>", tagEnd: "</a>").parse(text) == [])
        #expect(
            try MultiTagParser(tagStart: "<t:", tagEnd: "</t>", namedTags: true).parse(
                String(repeating: "<t:", count: Self.size / 3)) == [:])
    }

    @Test func megabyteOfReasoningThenTheAnswer() throws {
        let draft = String(repeating: "{\"draft\": 1}\n<think>\n", count: Self.size / 22)
        #expect(try JSONBlockParser().parse("<think>\n" + draft + "</think>\n{\"ok\": 1}") == ["ok": 1])
        #expect(thrownParseErrorKind { _ = try JSONBlockParser().parse("<think>\n" + draft) } != nil)
        let closers = String(repeating: "</think>\n", count: Self.size / 9)
        #expect(try TagParser(tagStart: "<a>", tagEnd: "</a>").parse(closers + "<a>ok</a>") == "ok")
    }

    @Test func manyBlocksNeedingRepairThenAValidOne() throws {
        let noise = String(repeating: "```json\n{\"a\": \"x\n```\n", count: Self.size / 20)
        #expect(try JSONBlockParser().parse(noise + "```json\n{\"ok\": 1}\n```") == ["ok": 1])
    }

    @Test func manyCodeBlocks() throws {
        let text = String(repeating: "```python\npass\n```\n", count: Self.size / 20)
        #expect(try CodeBlockParser(language: "python").codeBlocks(in: text).count == Self.size / 20)
        #expect(
            try LanguageCodeParser(languages: ["python"]).parse(text)["python"]?.arrayValue?.count == Self.size / 20)
    }
}
