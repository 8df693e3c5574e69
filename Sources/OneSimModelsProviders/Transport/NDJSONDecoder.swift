import OneSimModelsCore

/// An incremental decoder of newline-delimited JSON (NDJSON, one JSON document per line), the
/// streaming format of Ollama's native API.
///
/// Feed it network chunks as they arrive; it returns the lines completed so far. A line split
/// across chunks, and a multi-byte UTF-8 character split across chunks, is carried over: bytes
/// are decoded to text only once their line is complete. `\n` and `\r\n` line ends both work;
/// blank lines are skipped. It does not parse the JSON: that is the provider's decoder's job.
package struct NDJSONDecoder: Sendable {
    private var pending: [UInt8] = []

    /// A decoder with no pending input.
    package init() {}

    /// Decodes `bytes` and returns every non-blank line they complete, without its line end.
    package mutating func feed(_ bytes: some Sequence<UInt8>) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == 0x0A {
                emit(into: &lines)
            } else {
                pending.append(byte)
            }
        }
        return lines
    }

    /// Ends the input: a last line not followed by a line end is returned too.
    package mutating func finish() -> [String] {
        var lines: [String] = []
        emit(into: &lines)
        return lines
    }

    /// Whether bytes of an unfinished line are buffered.
    package var hasPendingInput: Bool { !pending.isEmpty }

    private mutating func emit(into lines: inout [String]) {
        defer { pending.removeAll(keepingCapacity: true) }
        var end = pending.endIndex
        if end > 0, pending[end - 1] == 0x0D { end -= 1 }  // \r\n
        let line = pending[..<end]
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return }
        lines.append(String(decoding: line, as: UTF8.self))
    }
}
