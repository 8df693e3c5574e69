import Foundation
import OneSimModels

/// `bench --parsers`: times the lenient JSON parser on replies of growing size (prose around a
/// fenced JSON block, and the same reply needing repairs), to show parsing stays linear.
enum ParserBench {
    /// A reply of about `bytes` bytes: prose, then a fenced JSON array of objects.
    static func reply(bytes: Int, broken: Bool) -> String {
        var items: [String] = []
        var size = 0
        var i = 0
        while size < bytes {
            let item = broken
                ? "{'id': \(i), 'name': 'agent \(i)', 'active': True, 'tags': ['a', 'b',],}"
                : #"{"id": \#(i), "name": "agent \#(i)", "active": true, "tags": ["a", "b"]}"#
            items.append(item)
            size += item.utf8.count + 2
            i += 1
        }
        return "Here are the agents you asked for:\n```json\n[" + items.joined(separator: ",\n") + "]\n```\nDone."
    }

    /// The reply sizes timed, in MB.
    static let sizes = [0.25, 0.5, 1.0, 2.0]
    /// How many replies are timed (each size valid and broken): the progress line's total.
    static let runs = sizes.count * 2

    static func run(progress: ProgressLine? = nil) throws -> String {
        var lines = ["reply size   valid JSON (ms, ns/byte)   needs repairs (ms, ns/byte)"]
        let parser = JSONBlockParser()
        for megabytes in sizes {
            let bytes = Int(megabytes * 1_048_576)
            var cells: [String] = []
            for broken in [false, true] {
                let text = reply(bytes: bytes, broken: broken)
                _ = try parser.parse(text)  // warm up
                let start = ContinuousClock.now
                let runs = 3
                for _ in 0..<runs { _ = try parser.parse(text) }
                let elapsed = (ContinuousClock.now - start) / runs
                let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
                cells.append(String(format: "%8.2f ms, %6.1f", ms, ms * 1e6 / Double(text.utf8.count)))
                progress?.finished(ok: true)
            }
            lines.append(String(format: "%5.2f MB     ", megabytes) + cells.joined(separator: "       "))
        }
        return lines.joined(separator: "\n")
    }
}
