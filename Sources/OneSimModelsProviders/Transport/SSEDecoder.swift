import OneSimModelsCore

/// One Server-Sent Event.
package struct SSEEvent: Sendable, Hashable {
    /// The `event:` field (`"message"` when absent).
    package var event: String
    /// The `data:` lines joined with `\n`.
    package var data: String
    /// The `id:` field, if any.
    package var id: String?

    /// An event with the given fields (`event` defaults to `message`, as the SSE spec does).
    package init(event: String = "message", data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }
}

/// An incremental Server-Sent Events decoder for every streaming provider.
///
/// Feed it network chunks as they arrive; it returns the events completed so far. Lines and
/// multi-byte UTF-8 characters split across chunks are carried over (bytes are only decoded to
/// text once a line is complete), `\n`, `\r\n` and `\r` line ends all work, comment lines
/// (`:` ...) are ignored, and an event is dispatched at a blank line (per the WHATWG spec).
package struct SSEDecoder: Sendable {
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var dataLines: [String] = []
    private var hasData = false
    private var eventType = ""
    private var lastID: String?

    /// A decoder with no pending input.
    package init() {}

    /// Decodes `bytes` and returns every event they complete.
    package mutating func feed(_ bytes: some Sequence<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            if byte == 0x0A {  // \n
                if lastWasCR {
                    lastWasCR = false
                    continue  // the \n of a \r\n
                }
                endLine(into: &events)
            } else if byte == 0x0D {  // \r
                lastWasCR = true
                endLine(into: &events)
            } else {
                lastWasCR = false
                line.append(byte)
            }
        }
        return events
    }

    /// Ends the input: a final event not followed by a blank line is returned (servers that
    /// close right after the last `data:` line), partial lines included.
    package mutating func finish() -> [SSEEvent] {
        var events: [SSEEvent] = []
        if !line.isEmpty { endLine(into: &events) }
        if hasData { dispatch(into: &events) }
        return events
    }

    /// Whether bytes of an unfinished event are buffered.
    package var hasPendingInput: Bool { !line.isEmpty || hasData }

    private mutating func endLine(into events: inout [SSEEvent]) {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            dispatch(into: &events)
            return
        }
        if line[0] == UInt8(ascii: ":") { return }  // comment
        let field: String
        var value: String
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = String(decoding: line[..<colon], as: UTF8.self)
            var start = colon + 1
            if start < line.count, line[start] == UInt8(ascii: " ") { start += 1 }
            value = String(decoding: line[start...], as: UTF8.self)
        } else {
            field = String(decoding: line, as: UTF8.self)
            value = ""
        }
        switch field {
        case "data":
            dataLines.append(value)
            hasData = true
        case "event": eventType = value
        case "id": lastID = value
        default: value = ""  // `retry` and unknown fields are ignored
        }
    }

    private mutating func dispatch(into events: inout [SSEEvent]) {
        defer {
            dataLines.removeAll(keepingCapacity: true)
            hasData = false
            eventType = ""
        }
        guard hasData else { return }
        events.append(SSEEvent(event: eventType.isEmpty ? "message" : eventType, data: dataLines.joined(separator: "\n"), id: lastID))
    }
}
