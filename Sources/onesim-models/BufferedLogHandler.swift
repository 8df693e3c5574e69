import Foundation
import Logging
import Synchronization

/// Log lines gathered in memory and written in batches: what `serve` uses for its access log,
/// one line per request, so a busy gateway makes one `write` per batch instead of one locked,
/// flushed write per request (the per-line stderr handler cost a fifth of its throughput).
///
/// Bounded: the batch is written as soon as it holds `limit` bytes (by the thread whose line
/// filled it), and otherwise by `flush()`, which `serve` calls every 200 ms from a background
/// task and once more when it stops. Lines are never split or reordered: each is appended
/// whole under the buffer's lock, and a batch is taken out of the buffer only while the write
/// lock is held, so batches reach the file in the order their lines were appended.
final class BufferedLineSink: Sendable {
    private let buffer = Mutex([UInt8]())
    /// Held from taking a batch out of the buffer until it is written.
    private let writing = Mutex(())
    private let limit: Int
    private let write: @Sendable ([UInt8]) -> Void

    /// A sink that hands each batch to `write` (default: the process's standard error).
    init(limit: Int = 64 << 10, write: @escaping @Sendable ([UInt8]) -> Void = FileHandleWriter.writeToStandardError) {
        self.limit = max(limit, 1)
        self.write = write
    }

    /// Appends `line` and a newline; writes the batch when it reached the limit.
    func append(_ line: String) {
        let full = buffer.withLock { bytes -> Bool in
            bytes.append(contentsOf: line.utf8)
            bytes.append(0x0A)
            return bytes.count >= limit
        }
        if full { flush() }
    }

    /// Writes whatever is gathered.
    func flush() {
        writing.withLock { _ in
            let batch = buffer.withLock { bytes -> [UInt8] in
                defer { bytes = [] }
                return bytes
            }
            if !batch.isEmpty { write(batch) }
        }
    }
}

/// A swift-log handler that formats like `StreamLogHandler` (`timestamp level label: [metadata]
/// message`) into a `BufferedLineSink`.
struct BufferedLogHandler: LogHandler {
    let label: String
    let sink: BufferedLineSink
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = Self.timestamp()
        line += " "
        line += event.level.rawValue
        line += " "
        line += label
        line += ": "
        if !metadata.isEmpty || !(event.metadata?.isEmpty ?? true) {
            var merged = metadata
            if let extra = event.metadata { merged.merge(extra) { _, new in new } }
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                line += key
                line += "="
                line += value.description
                line += " "
            }
        }
        line += event.message.description
        sink.append(line)
    }

    /// `2026-11-30T01:02:03.456Z` (UTC: no time-zone lookup per line).
    static func timestamp(_ date: Date = Date()) -> String {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, (0..<1e12).contains(seconds) else { return "-" }
        let totalMillis = Int64((seconds * 1000).rounded())
        var whole = time_t(totalMillis / 1000)
        let millis = Int(totalMillis % 1000)
        var parts = tm()
        gmtime_r(&whole, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(ms)Z"
    }
}
