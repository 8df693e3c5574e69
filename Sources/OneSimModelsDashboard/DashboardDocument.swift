import Foundation

/// What `GET /dashboard/stats` returns and the dashboard page draws: titled sections, each a
/// table of rows (a balancer's members, a fleet's servers, the gateway's keys) with named
/// cells described by its columns. The page knows nothing of balancers or servers; each server
/// (gateway, fleet simulator) builds its own document, so one page serves both.
///
/// Cumulative counters are sent as they are (`Column.Format.rate`): the page turns them into
/// per-second rates from one poll to the next, and keeps the sparkline history itself, so the
/// servers hold no history.
package struct DashboardDocument: Codable, Sendable, Hashable {
    /// One column of a section's table.
    package struct Column: Codable, Sendable, Hashable {
        /// How the page shows a cell.
        package enum Format: String, Codable, Sendable {
            /// A whole number.
            case int
            /// A number with one decimal.
            case number
            /// A cumulative counter shown as its change per second between polls.
            case rate
            /// A share 0...1 shown as a percentage.
            case percent
            /// Seconds shown as milliseconds.
            case ms
            /// US dollars.
            case usd
            /// The row's text cell of this key.
            case text
        }

        package var key: String
        package var label: String
        package var format: Format
        /// Whether the page draws a sparkline of the cell's last minutes.
        package var spark: Bool

        package init(_ key: String, _ label: String, _ format: Format, spark: Bool = false) {
            self.key = key
            self.label = label
            self.format = format
            self.spark = spark
        }
    }

    /// One row: a name, a state the page colours, numeric cells and text cells by column key.
    package struct Row: Codable, Sendable, Hashable {
        /// How the page colours a row.
        package enum State: String, Codable, Sendable {
            case ok, warn, bad
        }

        package var name: String
        package var state: State
        package var values: [String: Double]
        package var texts: [String: String]

        package init(name: String, state: State = .ok, values: [String: Double] = [:], texts: [String: String] = [:]) {
            self.name = name
            self.state = state
            self.values = [:]
            self.texts = texts
            for (key, value) in values { self[key] = value }
        }

        /// A numeric cell; non-finite values are left out (JSON has no NaN), so the page shows a dash.
        package subscript(key: String) -> Double? {
            get { values[key] }
            set { values[key] = newValue.flatMap { $0.isFinite ? $0 : nil } }
        }
    }

    /// One titled table.
    package struct Section: Codable, Sendable, Hashable {
        /// Stable within a server's documents: the page keys its history by it.
        package var id: String
        package var title: String
        package var note: String?
        package var columns: [Column]
        package var rows: [Row]

        package init(id: String, title: String, note: String? = nil, columns: [Column], rows: [Row]) {
            self.id = id
            self.title = title
            self.note = note
            self.columns = columns
            self.rows = rows
        }
    }

    package var title: String
    /// When the document was made, in seconds since 1970 (rates divide by its differences).
    package var time: Double
    package var sections: [Section]

    package init(title: String, time: Double = Date().timeIntervalSince1970, sections: [Section]) {
        self.title = title
        self.time = time
        self.sections = sections
    }

    /// The document as JSON (sorted keys; strings are escaped by `JSONEncoder`).
    package func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Every number is finite (see `Row`), so encoding cannot fail; an empty object if it did.
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }
}
