import Foundation

/// Writes to the process's standard error: whole buffers, retrying short writes and
/// interrupted calls, and giving up quietly on any other error (a closed pipe must not end a
/// server).
enum FileHandleWriter {
    static func writeToStandardError(_ text: String) {
        writeToStandardError(Array(text.utf8))
    }

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
