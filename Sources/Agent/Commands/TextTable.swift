import Foundation

/// Rows of text in aligned columns, the first row the heading: what the CLI's listings print.
public enum TextTable {
    /// The rows, each column padded to its widest cell, two spaces apart.
    public static func render(_ rows: [[String]]) -> String {
        guard let heading = rows.first else { return "" }
        let widths = heading.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
