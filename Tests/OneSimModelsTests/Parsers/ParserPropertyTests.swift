import PropertyBased
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

// MARK: Generators

/// Any JSON value.
private let anyJSON = Generator<JSONValue, Shrink.None<JSONValue>> { rng in randomJSON(&rng) }

/// A JSON object or array.
private let containerJSON = Generator<JSONValue, Shrink.None<JSONValue>> { rng in
    var value = randomJSON(&rng)
    while value.arrayValue == nil && value.objectValue == nil { value = randomJSON(&rng) }
    return value
}

/// Prose with anything but backticks (which could open a fence of their own).
private let prose = Generator<String, Shrink.None<String>> { rng in
    var s = ""
    for _ in 0..<Int.random(in: 0...6, using: &rng) { s += randomString(&rng) + " " }
    return replacing("`", with: "'", in: s)
}

/// Prose without anything that looks like JSON: no brackets, quotes, digits, or backticks.
private let plainProse = Generator<String, Shrink.None<String>> { rng in
    let words = ["the", "answer", "is", "below", "ok", "café", "日本語", "naïve", "—", ".", "!", "?", "😀", "\n", "\r\n"]
    return (0..<Int.random(in: 0...12, using: &rng)).map { _ in words.randomElement(using: &rng)! }.joined(
        separator: " ")
}

private func compact(_ value: JSONValue) -> String { String(decoding: JSONCodec.encode(value), as: UTF8.self) }

/// `s` with every `scalar` replaced by `replacement`, scalar by scalar (String's own replacing
/// compares whole characters, so it misses a backtick that carries a combining mark).
private func replacing(_ scalar: Unicode.Scalar, with replacement: Unicode.Scalar, in s: String) -> String {
    String(String.UnicodeScalarView(s.unicodeScalars.map { $0 == scalar ? replacement : $0 }))
}

// MARK: Properties

@Suite("Parser properties")
struct ParserPropertyTests {
    @Test func fencedJSONInProseRoundTrips() async {
        await propertyCheck(count: 300, input: anyJSON, prose, prose) { value, before, after throws in
            let text = before + "\n```json\n" + compact(value) + "\n```\n" + after
            #expect(try JSONBlockParser().parse(text) == value)
            #expect(try JSONBlockParser(strict: true).parse(text) == value)
        }
    }

    @Test func prettyJSONWithCRLFRoundTrips() async {
        await propertyCheck(count: 200, input: anyJSON, prose, prose) { value, before, after throws in
            // Newlines of pretty JSON are between tokens (strings escape theirs), so CRLF is safe there.
            let pretty = JSONPretty.format(value).replacingOccurrences(of: "\n", with: "\r\n")
            let crlf = { (s: String) in
                s.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
            }
            let text = crlf(before) + "\r\n```json\r\n" + pretty + "\r\n```\r\n" + crlf(after)
            #expect(try JSONBlockParser().parse(text) == value)
            #expect(try JSONBlockParser(strict: true).parse(text) == value)
        }
    }

    @Test func otherFencesRoundTrip() async {
        await propertyCheck(count: 200, input: containerJSON, plainProse, plainProse) { value, before, after throws in
            for fence in ["```JSON", "```", "``` json", "~~~json"] {
                let text =
                    before + "\n" + fence + "\n" + JSONPretty.format(value) + "\n" + fence.prefix(3) + "\n" + after
                #expect(try JSONBlockParser().parse(text) == value, "fence \(fence)")
            }
        }
    }

    @Test func unfencedJSONIsFound() async {
        await propertyCheck(count: 200, input: containerJSON, plainProse, plainProse) { value, before, after throws in
            #expect(try JSONBlockParser().parse(before + " " + compact(value) + " " + after) == value)
        }
    }

    @Test func proseWithoutJSONIsStartTagNotFound() async {
        await propertyCheck(count: 200, input: plainProse) { text throws in
            let kind = thrownParseErrorKind { _ = try JSONBlockParser().parse(text) }
            if text.allSatisfy(\.isWhitespace) {
                #expect(kind == .emptyResponse)
            } else {
                #expect(kind == .startTagNotFound(tag: "```json"))
            }
        }
    }

    @Test func resultShapesHoldForAnyText() async {
        // Whatever the text, each parser returns its documented shape or throws a ParseError.
        await propertyCheck(count: 300, input: prose) { text throws in
            if let value = try? JSONDictParser().parse(text) { #expect(value.objectValue != nil) }
            if let value = try? CodeBlockParser(language: "py").parse(text) { #expect(value.stringValue != nil) }
            if let value = try? MultiTagParser(tagStart: "{", tagEnd: "}").parse(text) {
                #expect(value.arrayValue != nil)
            }
            if let value = try? TagParser(tagStart: "[", tagEnd: "]").parse(text), let content = value.stringValue {
                #expect(ByteText.find(Array(content.utf8), in: Array(text.utf8), from: 0) != nil)
            }
            do throws(ParseError) {
                _ = try JSONBlockParser().parse(text)
            } catch {
                #expect(!error.message.isEmpty)
            }
        }
    }

    @Test func repairsNeverChangeValidJSON() async {
        await propertyCheck(count: 300, input: anyJSON) { value throws in
            for text in [compact(value), JSONPretty.format(value)] {
                let fixed = JSONRepair.repair(Array(text.utf8))
                #expect(fixed != nil)
                #expect(try fixed.map { try JSONCodec.parse($0) } == value)
            }
        }
    }

    @Test func truncatedClosersAreRestored() async {
        await propertyCheck(count: 300, input: containerJSON) { value throws in
            var text = compact(value)
            while let last = text.last, last == "}" || last == "]" { text.removeLast() }
            let fixed = JSONRepair.repair(Array(text.utf8))
            #expect(try fixed.map { try JSONCodec.parse($0) } == value, "from \(text)")
        }
    }

    @Test func pythonStyleRepairIsFaithful() async {
        // The same value written with single quotes and Python literals reads back equal.
        await propertyCheck(count: 200, input: containerJSON) { value throws in
            let python = Self.pythonRepr(value)
            #expect(try JSONBlockParser().parse("```json\n\(python)\n```") == value, "from \(python)")
        }
    }

    @Test func codeBlocksRoundTrip() async {
        let code = Generator<String, Shrink.None<String>> { rng in
            replacing("`", with: "'", in: randomString(&rng)).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        await propertyCheck(count: 200, input: code, plainProse, Gen.bool) { body, before, crlf throws in
            let nl = crlf ? "\r\n" : "\n"
            let text = before + nl + "```python" + nl + body + nl + "```" + nl
            #expect(try CodeBlockParser(language: "python").parse(text).stringValue == body)
            #expect(try LanguageCodeParser(languages: ["python"]).parse(text) == ["python": [.string(body)]])
        }
    }

    @Test func multiTagsRoundTrip() async {
        let contents = Generator<[String], Shrink.None<[String]>> { rng in
            (0..<Int.random(in: 0...5, using: &rng)).map { _ in
                replacing("<", with: "(", in: randomString(&rng)).trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        await propertyCheck(count: 200, input: contents, plainProse) { items, filler throws in
            let text = items.map { "<item>\($0)</item>" }.joined(separator: filler)
            if text.isEmpty { return }
            #expect(
                try MultiTagParser(tagStart: "<item>", tagEnd: "</item>").parse(text)
                    == .array(items.map(JSONValue.string)))
            if let first = items.first {
                #expect(try TagParser(tagStart: "<item>", tagEnd: "</item>").parse(text) == .string(first))
            }
        }
    }

    /// Issue 16: other JSON in a reasoning block never wins over the answer after it, whatever
    /// the draft's form (compact, pretty, fenced) and the answer's (fenced, or loose for objects
    /// and arrays), and when only the closing tag is in the reply (the prompt opened it).
    @Test func answerAfterReasoningWithOtherJSONRoundTrips() async {
        await propertyCheck(count: 200, input: anyJSON, anyJSON, plainProse) { value, draft, filler throws in
            let drafts = [compact(draft), JSONPretty.format(draft), "```json\n" + compact(draft) + "\n```"]
            var answers = ["```json\n" + compact(value) + "\n```"]
            if value.arrayValue != nil || value.objectValue != nil {
                answers += [compact(value), JSONPretty.format(value), "Final answer: " + compact(value)]
            }
            for d in drafts {
                for a in answers {
                    #expect(try JSONBlockParser().parse("<think>\n" + filler + "\n" + d + "\n</think>\n" + a) == value)
                    #expect(try JSONBlockParser().parse(filler + " " + d + "\n</think>\n\n" + a) == value)
                }
            }
            if value.objectValue != nil {
                let text = "<think>" + filler + compact(draft) + "</think>\nAnswer: " + compact(value)
                #expect(try JSONDictParser().parse(text) == value)
            }
        }
    }

    /// Python's `repr` style: single-quoted strings (with `\'`), `True`/`False`/`None`.
    static func pythonRepr(_ value: JSONValue) -> String {
        switch value {
        case .null: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .string(let s):
            // From the JSON form: unescape \" and escape ', scalar by scalar.
            let body = Array(compact(.string(s)).unicodeScalars.dropFirst().dropLast())
            var out = String.UnicodeScalarView()
            out.append("'")
            var i = 0
            while i < body.count {
                if body[i] == "\\" && i + 1 < body.count {
                    if body[i + 1] != "\"" { out.append(body[i]) }
                    out.append(body[i + 1])
                    i += 2
                } else {
                    if body[i] == "'" { out.append("\\") }
                    out.append(body[i])
                    i += 1
                }
            }
            out.append("'")
            return String(out)
        case .array(let a): return "[" + a.map(pythonRepr).joined(separator: ", ") + "]"
        case .object(let o):
            return "{" + o.map { pythonRepr(.string($0.key)) + ": " + pythonRepr($0.value) }.joined(separator: ", ")
                + "}"
        default: return compact(value)
        }
    }
}
