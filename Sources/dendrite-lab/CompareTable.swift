import Foundation
import DendriteCore

/// One line of the comparison table.
struct CompareRow {
    var summary: RunSummary
    var label: String
    var note: String
    /// True for the generated param-matched baselines (not counted as "the largest baseline").
    var matched = false

    /// Markdown and CSV forms of `rows`, with compression against the largest plain run
    /// of the given experiments on the same dataset (param-matched baselines only count
    /// when no experiment ran plain).
    static func table(_ rows: [CompareRow]) -> (markdown: String, csv: String) {
        var largest: [String: Int] = [:], largestMatched: [String: Int] = [:]
        for r in rows where r.summary.mode == "none" {
            let d = r.summary.dataset
            if r.matched { largestMatched[d] = max(largestMatched[d] ?? 0, r.summary.parameters) }
            else { largest[d] = max(largest[d] ?? 0, r.summary.parameters) }
        }
        largest.merge(largestMatched) { given, _ in given }
        var md = "| experiment | mode | dataset | parameters | dendrite sets | test accuracy | compression | note |\n"
        md += "|---|---|---|---:|---:|---:|---:|---|\n"
        var csv = "experiment,mode,dataset,parameters,dendrite_sets,test_accuracy,compression,note\n"
        for r in rows {
            let s = r.summary
            let c = largest[s.dataset].map { Double($0) / Double(max(s.parameters, 1)) }
            let cText = c.map { String(format: "%.2fx", $0) } ?? "n/a"
            md += "| \(r.label) | \(s.mode) | \(s.dataset) | \(s.parameters) | \(s.dendriteSets) | \(percent(s.testAccuracy)) | \(cText) | \(r.note) |\n"
            csv += "\(r.label),\(s.mode),\(s.dataset),\(s.parameters),\(s.dendriteSets),\(s.testAccuracy),\(c.map { String(format: "%.4f", $0) } ?? ""),\(r.note)\n"
        }
        return (md, csv)
    }
}
