import OneSimModelsCore

/// Finds and decodes the JSON in a model reply: the pipeline behind `JSONBlockParser` and
/// `JSONDictParser`.
///
/// First the reasoning blocks (`<think>…</think>`, see `ReasoningBlocks`) are blanked, so a
/// draft is never a candidate; a reply that is only reasoning is an error. Then, lenient (the
/// default), candidates in this order:
/// 1. a fenced block whose opening line starts with the tag (```` ```json ````), found line by
///    line so that a tag quoted inside a JSON string is never taken for the block;
/// 2. the same in any letter case (```` ```JSON ````);
/// 3. other fenced blocks labelled `json`, `json5`, `jsonc`, `js` or `javascript`, or bare
///    ```` ``` ```` fences whose content starts like JSON;
/// 4. the tag anywhere in the text (```` Here: ```json {...}``` ````), then in any case;
/// 5. the whole reply as JSON (any JSON type);
/// 6. objects and arrays written straight into the prose (see `JSONSpanScanner`): objects
///    before arrays (a `[1]` in prose is more often a citation than the answer), each in the
///    order they start; then the open tail of a reply that was cut off; then the balanced
///    spans inside that tail.
/// With custom tags (`<json>`), the tag comes first and markdown fences after it.
///
/// Steps 1–4 run twice: first every block with the strict parser, then every block through
/// `JSONRepair`, so that the first block valid as it is wins, and a block that needs repair
/// never wins over one that does not. Step 6 likewise tries its balanced spans strictly, then
/// repaired. Every value is parsed with `JSONCodec`'s exact numbers and depth limit (numbers a `Double` cannot hold,
/// nesting deeper than 512): a candidate that breaks them fails. The end tag of a block is the
/// first one after a complete JSON value, so a fence inside a JSON string never cuts the
/// block; failing that, the first line that is exactly the end tag outside any JSON string (a
/// string with raw newlines may hold a fence line), the first line that is exactly the end
/// tag, then the end tag's first occurrence. Strict mode reads only the block of step 1 (or,
/// when there is no such line, the tag's first occurrence) with the strict parser. Each step
/// is linear in the reply's size and a bounded number of steps run, so a 1 MB reply costs a
/// few linear passes; failed candidates report their position lazily, so they cost no line
/// counting.
struct JSONExtractor: Sendable {
    var tagStart: String
    var tagEnd: String
    var strict: Bool
    /// Whether only a JSON object will do (`JSONDictParser`): fallback candidates that decode
    /// to another type are passed over.
    var requireObject: Bool = false
    /// The reasoning tags whose blocks are skipped (see `ReasoningBlocks`).
    var reasoningTags: [String] = ReasoningBlocks.defaultTags

    /// Why a candidate failed; turned into a `ParseError` only for the one that is reported,
    /// so that failed candidates cost no line counting.
    enum Problem: Error {
        case noStart
        case noEnd
        case json(offset: Int, reason: String)
        case notObject(found: String)
    }

    func extract(_ text: String) throws(ParseError) -> JSONValue {
        if ByteText.isBlank(text) { throw ParseError.empty }
        let original = Array(text.utf8)
        let bytes = try ReasoningBlocks.answer(
            text, tags: reasoningTags, parserTags: [tagStart, tagEnd], expected: tagStart)
        let fences = isFenceTag || !strict ? FenceScanner.blocks(in: bytes) : []

        if strict {
            // A fence line that opens with the tag, else (as the original) the tag anywhere.
            let found =
                (isFenceTag ? fenceTagBlock(bytes, fences, caseInsensitive: false, repair: false) : nil)
                ?? substringTagBlock(bytes, caseInsensitive: false, repair: false)
            switch found {
            case .success(let value)?: return value
            case .failure(let problem)?: throw error(problem, bytes: original, text: text)
            case nil: throw error(.noStart, bytes: original, text: text)
            }
        }

        var firstProblem: Problem?
        /// The value of a step, remembering the first problem for the error report.
        func take(_ result: Result<JSONValue, Problem>?) -> JSONValue? {
            switch result {
            case .success(let value)?: return value
            case .failure(let problem)?: firstProblem = firstProblem ?? problem
            case nil: break
            }
            return nil
        }
        var scannedSpans: [JSONSpanScanner.Span]?
        func spans() -> [JSONSpanScanner.Span] {
            if let scannedSpans { return scannedSpans }
            let found = JSONSpanScanner.candidates(in: bytes)
            scannedSpans = found
            return found
        }

        // Blocks: every step without repairs, then every step with them, so that a block that
        // needs repair never wins over one that parses as it is.
        for repair in [false, true] {
            if isFenceTag {
                if let v = take(fenceTagBlock(bytes, fences, caseInsensitive: false, repair: repair)) { return v }
                if let v = take(fenceTagBlock(bytes, fences, caseInsensitive: true, repair: repair)) { return v }
                if let v = take(otherFences(bytes, fences, repair: repair)) { return v }
                if let v = take(
                    substringTagBlock(bytes, caseInsensitive: false, outside: spans(), repair: repair))
                {
                    return v
                }
                if let v = take(substringTagBlock(bytes, caseInsensitive: true, outside: spans(), repair: repair)) {
                    return v
                }
            } else {
                if let v = take(substringTagBlock(bytes, caseInsensitive: false, repair: repair)) { return v }
                if let v = take(substringTagBlock(bytes, caseInsensitive: true, repair: repair)) { return v }
                if let v = take(otherFences(bytes, fences, repair: repair)) { return v }
            }
        }
        if case .success(let whole) = JSONExtractor.strictParse(bytes, 0..<bytes.count),
            let v = take(accept(.success(whole)))
        {
            return v
        }
        // Spans: the balanced ones, objects before arrays (a `[1]` in prose is more often a
        // citation than the answer), each in the order they appear, first as they are, then
        // repaired; the open tail of a truncated reply after them, and the spans inside it last.
        let all = spans()
        func objectsFirst(_ spans: [JSONSpanScanner.Span]) -> [JSONSpanScanner.Span] {
            let isObject = { (span: JSONSpanScanner.Span) in bytes[span.range.lowerBound] == UInt8(ascii: "{") }
            return spans.filter(isObject) + spans.filter { !isObject($0) }
        }
        let top = objectsFirst(all.filter { $0.isClosed && !$0.inOpenTail })
        for repair in [false, true] {
            for span in top {
                if let v = take(accept(decode(bytes, span.range, repair: repair))) { return v }
            }
        }
        for span in all where !span.isClosed {
            if let v = take(accept(decode(bytes, span.range, repair: true))) { return v }
        }
        let inner = objectsFirst(all.filter { $0.isClosed && $0.inOpenTail })
        for repair in [false, true] {
            for span in inner {
                if let v = take(accept(decode(bytes, span.range, repair: repair))) { return v }
            }
        }
        throw error(firstProblem ?? .noStart, bytes: original, text: text)
    }

    /// Whether the tags are markdown fences (```` ```json ````), found line by line first.
    private var isFenceTag: Bool { tagStart.hasPrefix("```") || tagStart.hasPrefix("~~~") }

    /// The first fenced block whose opening line starts with the tag and that decodes (the
    /// first one's problem when none does); `nil` when there is none.
    private func fenceTagBlock(
        _ bytes: [UInt8], _ fences: [FencedBlock], caseInsensitive: Bool, repair: Bool
    ) -> Result<JSONValue, Problem>? {
        let start = Array(tagStart.utf8)
        var first: Problem?
        for fence in fences {
            let at = fence.fenceStart
            guard at + start.count <= bytes.count else { continue }
            let matches =
                caseInsensitive
                ? ByteText.find(start, in: Array(bytes[at..<(at + start.count)]), from: 0, caseInsensitive: true) == 0
                : ByteText.hasPrefix(start, in: bytes, at: at)
            guard matches else { continue }
            switch block(bytes, contentStart: contentStart(bytes, afterTagAt: at), repair: repair) {
            case .success(let value): return .success(value)
            case .failure(let problem): first = first ?? problem
            }
            if strict { break }  // strict reads the first block only
        }
        return first.map { .failure($0) }
    }

    /// The first occurrence of the tag, skipping occurrences inside the balanced JSON-like
    /// `spans` (a tag quoted in a JSON string is not the block); `nil` when there is none.
    private func substringTagBlock(
        _ bytes: [UInt8], caseInsensitive: Bool, outside spans: [JSONSpanScanner.Span] = [], repair: Bool
    ) -> Result<JSONValue, Problem>? {
        if caseInsensitive && !tagStart.utf8.contains(where: { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) {
            return nil
        }
        let tag = Array(tagStart.utf8)
        let closed = spans.filter(\.isClosed).map(\.range).sorted { $0.lowerBound < $1.lowerBound }
        var from = 0
        var next = 0  // the first span that may contain an occurrence at or after `from`
        while let s = ByteText.find(tag, in: bytes, from: from, caseInsensitive: caseInsensitive) {
            while next < closed.count && closed[next].upperBound <= s { next += 1 }
            if next < closed.count && closed[next].lowerBound < s {
                from = closed[next].upperBound  // inside a span: look after it
                continue
            }
            return block(bytes, contentStart: contentStart(bytes, afterTagAt: s), repair: repair)
        }
        return nil
    }

    /// The first fenced block labelled `json`, `json5`, `jsonc`, `js` or `javascript`, or bare with
    /// content that starts like JSON, that decodes; `nil` when there is none.
    private func otherFences(_ bytes: [UInt8], _ fences: [FencedBlock], repair: Bool) -> Result<JSONValue, Problem>? {
        var first: Problem?
        for fence in fences {
            let labelled = fence.language.hasPrefix("json") || fence.language == "js" || fence.language == "javascript"
            if !labelled {
                guard fence.language.isEmpty else { continue }
                let f = ByteText.skipSpace(bytes, from: fence.content.lowerBound)
                guard f < fence.content.upperBound,
                    [UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "/")].contains(bytes[f])
                else { continue }
            }
            // A closing fence line inside a JSON string (raw newlines) does not end the block:
            // the first fence line outside strings is tried first.
            var ends = [fence.content.upperBound]
            if fence.isClosed {
                var k = fence.fenceStart
                while k < bytes.count, bytes[k] == bytes[fence.fenceStart] { k += 1 }
                let closer = Array(bytes[fence.fenceStart..<k])
                if let e = JSONSpanScanner.lineOutsideStrings(equalTo: closer, in: bytes, from: fence.content.lowerBound),
                    e > fence.content.upperBound
                {
                    ends.insert(e, at: 0)
                }
            }
            for e in ends {
                switch accept(decode(bytes, fence.content.lowerBound..<e, repair: repair)) {
                case .success(let value): return .success(value)
                case .failure(let problem): first = first ?? problem
                }
            }
        }
        return first.map { .failure($0) }
    }

    /// Passes a fallback candidate's value, or turns a non-object into a problem when an object is required.
    private func accept(_ result: Result<JSONValue, Problem>) -> Result<JSONValue, Problem> {
        if requireObject, case .success(let value) = result, value.objectValue == nil {
            return .failure(.notObject(found: value.typeName))
        }
        return result
    }

    /// Where a block's content starts: after the tag, and (lenient) after the rest of a fence's
    /// language word, so ```` ```json5 ```` or ```` ```jsonc ```` do not leave `5` or `c` behind.
    private func contentStart(_ bytes: [UInt8], afterTagAt s: Int) -> Int {
        var p = s + tagStart.utf8.count
        if !strict, isFenceTag, let last = tagStart.utf8.last, ByteText.isAlphanumeric(last) {
            while p < bytes.count,
                ByteText.isAlphanumeric(bytes[p]) || bytes[p] == UInt8(ascii: "-")
                    || bytes[p] == UInt8(ascii: "_")
            {
                p += 1
            }
        }
        return p
    }

    /// Decodes the block that starts at `cs` and ends at the end tag.
    private func block(_ bytes: [UInt8], contentStart: Int, repair: Bool) -> Result<JSONValue, Problem> {
        let cs = min(contentStart, bytes.count)
        let end = Array(tagEnd.utf8)
        // A complete value right after the tag, then the end tag: fences inside its strings
        // are skipped by the JSON parser itself.
        if case .success(let (value, valueEnd)) = JSONExtractor.prefixParse(bytes, from: cs),
            ByteText.hasPrefix(end, in: bytes, at: ByteText.skipSpace(bytes, from: valueEnd))
        {
            return .success(value)
        }
        // The first end-tag line outside JSON strings (a string with raw newlines may hold a
        // fence line), the first end-tag line, the first occurrence of the end tag.
        var ends: [Int] = []
        if let e = JSONSpanScanner.lineOutsideStrings(equalTo: end, in: bytes, from: cs) { ends.append(e) }
        if let e = ByteText.findLine(equalTo: end, in: bytes, from: cs), !ends.contains(e) { ends.append(e) }
        if let e = ByteText.find(end, in: bytes, from: cs), !ends.contains(e) { ends.append(e) }
        guard !ends.isEmpty else {
            if strict { return .failure(.noEnd) }
            if case .success(let value) = decode(bytes, min(cs, bytes.count)..<bytes.count, repair: repair) {
                return .success(value)
            }
            return .failure(.noEnd)
        }
        var first: Problem?
        for e in ends {
            switch decode(bytes, cs..<e, repair: repair) {
            case .success(let value): return .success(value)
            case .failure(let problem): first = first ?? problem
            }
        }
        return .failure(first ?? .noEnd)
    }

    /// Strict parse, then (lenient, with `repair`) the repairs.
    private func decode(_ bytes: [UInt8], _ range: Range<Int>, repair: Bool) -> Result<JSONValue, Problem> {
        let strictResult = JSONExtractor.strictParse(bytes, range)
        guard case .failure(let problem) = strictResult, !strict, repair else { return strictResult }
        if let fixed = JSONRepair.repair(bytes[range]), let value = try? JSONCodec.parse(fixed, exactNumbers: true) {
            return .success(value)
        }
        return .failure(problem)
    }

    static func strictParse(_ bytes: [UInt8], _ range: Range<Int>) -> Result<JSONValue, Problem> {
        do throws(JSONSyntaxError) {
            return .success(try JSONCodec.parse(bytes[range], exactNumbers: true))
        } catch {
            return .failure(.json(offset: range.lowerBound + error.offset, reason: error.message))
        }
    }

    static func prefixParse(_ bytes: [UInt8], from start: Int) -> Result<(JSONValue, Int), Problem> {
        guard start < bytes.count else { return .failure(.noEnd) }
        return bytes.withUnsafeBytes { raw in
            do throws(JSONSyntaxError) {
                let (value, end) = try JSONCodec.parsePrefix(UnsafeRawBufferPointer(rebasing: raw[start...]), from: 0, exactNumbers: true)
                return .success((value, start + end))
            } catch {
                return .failure(.json(offset: start + error.offset, reason: error.message))
            }
        }
    }

    /// The reported error, with line, column and context computed once.
    private func error(_ problem: Problem, bytes: [UInt8], text: String) -> ParseError {
        switch problem {
        case .noStart:
            let advice =
                strict
                ? "Put the JSON between '\(tagStart)' and '\(tagEnd)'."
                : "No JSON object or array was found in the text either; put the JSON in a markdown code block "
                    + "that starts with '\(tagStart)' and ends with '\(tagEnd)'."
            return ParseError(.startTagNotFound(tag: tagStart), snippet: ByteText.preview(text), advice: advice)
        case .noEnd:
            return ParseError(
                .endTagNotFound(tag: tagEnd),
                advice: "The JSON block that starts with '\(tagStart)' is not closed: the reply may have been cut off "
                    + "(raise maxTokens), or it must end with '\(tagEnd)'.")
        case .json(let offset, let reason):
            let (line, column) = ByteText.lineAndColumn(bytes, offset: offset)
            return ParseError(
                .invalidJSON(reason: reason, line: line, column: column, offset: offset),
                snippet: ByteText.caretSnippet(bytes, offset: offset),
                advice: "Write valid JSON: double-quoted keys and strings, commas between items, no comments "
                    + "or trailing commas.")
        case .notObject(let found):
            return ParseError(.notADictionary(found: found), advice: "Reply with a single JSON object.")
        }
    }
}
