import Foundation
import Logging
import Synchronization

/// Log lines gathered in memory and written in batches: what `serve` uses for its access log,
/// one line per request, so a busy gateway makes one `write` per batch instead of one locked,
/// flushed write per request (the per-line stderr handler cost a quarter of its throughput).
///
/// Bounded: a batch is written as soon as it holds `limit` bytes (by the thread that filled
/// it), and otherwise by `flush()`, which `serve` calls every `interval` from a background task
/// and once more when it stops. Lines are never split or reordered: each is appended whole,
/// under the lock, in the order the appends took it.
final class BufferedLineSink: Sendable {
    private let buffer = Mutex([UInt8]())
    /// Held while a batch is written, so batches reach the file in order.
    private let writing = Mutex(())
    private let limit: Int
    private let write: @Sendable ([UInt8]) -> Void

    /// A sink that hands each full batch to `write` (default: the process's standard error).
    init(limit: Int = 64 << 10, write: @escaping @Sendable ([UInt8]) -> Void = BufferedLineSink.writeToStandardError) {
        self.limit = max(limit, 1)
        self.write = write
    }

    /// Appends `line` and a newline; writes the batch when it reached the limit.
    func append(_ line: String) {
        let full = buffer.withLock { bytes -> [UInt8]? in
            bytes.append(contentsOf: line.utf8)
            bytes.append(0x0A)
            guard bytes.count >= limit else { return nil }
            defer { bytes.removeAll(keepingCapacity: true) }
            return bytes
        }
        if let full { emit(full) }
    }

    /// Writes whatever is gathered.
    func flush() {
        let pending = buffer.withLock { bytes -> [UInt8] in
            defer { bytes.removeAll(keepingCapacity: true) }
            return bytes
        }
        if !pending.isEmpty { emit(pending) }
    }

    private func emit(_ bytes: [UInt8]) {
        writing.withLock { _ in write(bytes) }
    }

    /// Writes `bytes` to file descriptor 2, retrying short writes and interrupted calls.
    @Sendable static func writeToStandardError(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(2, base + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
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
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let time = Self.timestamp()
        sink.append(fields.isEmpty ? "\(time) \(event.level) \(label): \(event.message)" : "\(time) \(event.level) \(label): \(fields) \(event.message)")
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
