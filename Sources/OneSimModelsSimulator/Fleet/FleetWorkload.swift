import Foundation

/// A benchmark workload: calls in sending order, grouped in steps (a simulation step: its calls
/// may be released together).
package struct FleetWorkload: Sendable, Hashable {
    /// One chat call of a workload.
    package struct Call: Sendable, Hashable {
        /// `(role, content)` in order; roles are system, user or assistant (a file's `developer` is read as system).
        package var messages: [Message]
        /// The call's `max_tokens`, if set.
        package var maxTokens: Int?
        /// Who the call belongs to (an agent id), if set.
        package var affinityKey: String?

        package init(messages: [Message], maxTokens: Int?, affinityKey: String?) {
            self.messages = messages
            self.maxTokens = maxTokens
            self.affinityKey = affinityKey
        }
    }

    /// A message of a call.
    package struct Message: Sendable, Hashable {
        package var role: String
        package var content: String
        package init(role: String, content: String) {
            self.role = role
            self.content = content
        }
    }

    /// The steps, each a non-empty list of calls.
    package var steps: [[Call]]

    package init(steps: [[Call]]) { self.steps = steps.filter { !$0.isEmpty } }

    /// Every call, in order.
    package var calls: [Call] { steps.flatMap { $0 } }

    /// The calls as the capacity bound sees them (the fleet's tokenizer at `blockTokens`;
    /// a call without `max_tokens` counts `defaultMaxTokens` output tokens).
    package func capacityCalls(blockTokens: Int, defaultMaxTokens: Int = 64) -> [FleetCapacity.Call] {
        calls.map { call in
            let (blocks, tokens) = FleetPromptBlocks.make(
                call.messages.map { (role: $0.role, content: $0.content) }, blockTokens: blockTokens)
            return FleetCapacity.Call(
                blocks: blocks, promptTokens: tokens, outputTokens: call.maxTokens ?? defaultMaxTokens, key: call.affinityKey)
        }
    }
}

/// Reads a JSONL workload: one call per line,
/// `{"messages": [{"role": "system", "content": "..."}, ...], "max_tokens": 120, "affinity_key": "agent-17"}`
/// (`max_tokens` and `affinity_key` optional; other OpenAI message fields are allowed and
/// ignored; `content` is a string or an array of text parts). An empty line ends a step.
///
/// Lines are untrusted: each error names its line number. Bounded: the file at most
/// ``maximumBytes``, a line at most ``maximumLineBytes``, at most ``maximumCalls`` calls.
package enum FleetWorkloadReader {
    package static let maximumBytes = 1 << 30
    package static let maximumLineBytes = 16 << 20
    package static let maximumCalls = 10_000_000
    static let roles: Set<String> = ["system", "developer", "user", "assistant"]
    static let keys: Set<String> = ["messages", "max_tokens", "affinity_key"]

    /// The workload in the file at `path`.
    package static func load(path: String) throws(FleetConfigError) -> FleetWorkload {
        let data = try FleetFile.read(path: path, maximumBytes: maximumBytes, what: "workload file", limit: "1 GiB")
        return try parse(data)
    }

    /// The workload in `data` (JSONL bytes).
    package static func parse(_ data: Data) throws(FleetConfigError) -> FleetWorkload {
        guard data.count <= maximumBytes else { throw FleetConfigError("workload is larger than 1 GiB") }
        var steps: [[FleetWorkload.Call]] = []
        var current: [FleetWorkload.Call] = []
        var count = 0
        var lineNumber = 0
        var start = data.startIndex
        while start < data.endIndex {
            lineNumber += 1
            let end = data[start...].firstIndex(of: 0x0A) ?? data.endIndex
            var line = data[start..<end]
            start = end < data.endIndex ? data.index(after: end) : end
            if line.last == 0x0D { line = line.dropLast() }
            guard line.count <= maximumLineBytes else {
                throw FleetConfigError("line \(lineNumber): longer than \(maximumLineBytes) bytes")
            }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                if !current.isEmpty { steps.append(current) }
                current = []
                continue
            }
            count += 1
            guard count <= maximumCalls else { throw FleetConfigError("line \(lineNumber): more than \(maximumCalls) calls") }
            do throws(FleetConfigError) {
                current.append(try call(Data(line)))
            } catch {
                throw FleetConfigError("line \(lineNumber): \(error.message)")
            }
        }
        if !current.isEmpty { steps.append(current) }
        guard !steps.isEmpty else { throw FleetConfigError("the workload has no calls") }
        return FleetWorkload(steps: steps)
    }

    /// One line's call.
    static func call(_ line: Data) throws(FleetConfigError) -> FleetWorkload.Call {
        let value: FleetJSON
        do { value = try FleetJSON.parse(line) } catch { throw FleetConfigError("not valid JSON") }
        guard case .object(let object) = value else { throw FleetConfigError("must be a JSON object, got \(value.typeName)") }
        for key in object.keys.sorted() where !keys.contains(key) {
            throw FleetConfigError("unknown key '\(key)' (valid: messages, max_tokens, affinity_key)")
        }
        guard case .array(let list)? = object["messages"], !list.isEmpty else {
            throw FleetConfigError("'messages' must be a non-empty array")
        }
        var messages: [FleetWorkload.Message] = []
        for (i, item) in list.enumerated() {
            guard case .object(let message) = item else { throw FleetConfigError("messages[\(i)] must be an object, got \(item.typeName)") }
            guard case .string(let role)? = message["role"], roles.contains(role) else {
                throw FleetConfigError("messages[\(i)].role must be one of system, developer, user, assistant")
            }
            let content: String
            switch message["content"] {
            case .string(let s)?: content = s
            case .array(let parts)?:
                var texts: [String] = []
                for (j, part) in parts.enumerated() {
                    guard case .object(let p) = part, case .string("text")? = p["type"], case .string(let text)? = p["text"] else {
                        throw FleetConfigError("messages[\(i)].content[\(j)] must be a text part ({\"type\": \"text\", \"text\": ...})")
                    }
                    texts.append(text)
                }
                content = texts.joined(separator: "\n")
            default:
                throw FleetConfigError("messages[\(i)].content must be a string or an array of text parts")
            }
            messages.append(.init(role: role == "developer" ? "system" : role, content: content))
        }
        var maxTokens: Int?
        if let v = object["max_tokens"], v != .null {
            switch v.integer(in: 1...FleetChatJob.maximumOutputTokens) {
            case .success(let n): maxTokens = n
            case .failure(let e): throw FleetConfigError("max_tokens \(e.message)")
            }
        }
        var key: String?
        if let v = object["affinity_key"], v != .null {
            guard case .string(let s) = v, s.utf8.count <= 1024 else {
                throw FleetConfigError("affinity_key must be a string of at most 1024 bytes")
            }
            key = s
        }
        return FleetWorkload.Call(messages: messages, maxTokens: maxTokens, affinityKey: key)
    }
}
