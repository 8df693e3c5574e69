import OneSimModelsCore

/// Sends every record to several recorders in order (e.g. the token tracker and a
/// manager-level `UsageBudget`).
package struct FanOutRecorder: UsageRecorder {
    /// The recorders, called in this order.
    package let recorders: [any UsageRecorder]

    /// A recorder forwarding to `recorders`.
    package init(_ recorders: [any UsageRecorder]) {
        self.recorders = recorders
    }

    /// Forwards `record` to each recorder.
    package func record(_ record: CallRecord) {
        for recorder in recorders { recorder.record(record) }
    }
}
