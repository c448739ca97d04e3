import Foundation
import DendriteCore

/// One finished run in a comparison.
struct CompareRow {
    var summary: RunSummary
    /// Name shown in the table, e.g. "mnist-mlp-narrow" or "mnist-mlp-narrow plain h32".
    var label: String
    var note: String
    /// True for the generated param-matched baselines (not counted as "the largest baseline").
    var matched = false
    /// Rows with the same group, mode and note are the same setup over different seeds.
    var group: String
    /// The front line the row belongs to (`ParameterFront.family`) and its `--widths` width.
    var family: String
    var width: Int?
    /// A plain network of an experiment file (not a dendrite run, dANN or matched baseline).
    var isPlain: Bool

    init(summary: RunSummary, label: String, note: String, matched: Bool = false, group: String? = nil,
         family: String? = nil, width: Int? = nil, isPlain: Bool = false) {
        self.summary = summary
        self.label = label
        self.note = note
        self.matched = matched
        self.group = group ?? label
        self.family = family ?? self.group
        self.width = width
        self.isPlain = isPlain
    }

    var frontSample: ParameterFront.Sample {
        .init(family: family, width: width, parameters: summary.parameters, accuracy: Double(summary.testAccuracy), isPlain: isPlain)
    }
}

/// One setup (experiment, mode, baseline role) over all its seeds: what the Markdown
/// table and the plot show.
struct CompareSetup {
    var label: String
    var family: String
    var width: Int?
    var mode: String
    var dataset: String
    var note: String
    var matched: Bool
    var runs: Int
    /// Means over seeds.
    var parameters: Double
    var dendriteSets: Double
    var testAccuracy: Double
    /// Sample standard deviation of test accuracy (0 for a single seed).
    var testAccuracySD: Double
    /// Per run, in seed order: neuron-phase and dendrite-phase epochs and wall seconds
    /// (nil for summaries written before they were recorded).
    var neuronEpochs: [Int?]
    var dendriteEpochs: [Int?]
    var wallSeconds: [Double]

    /// Groups `rows` by setup, in order of first appearance.
    static func group(_ rows: [CompareRow]) -> [CompareSetup] {
        var order: [String] = []
        var byKey: [String: [CompareRow]] = [:]
        for r in rows {
            let key = "\(r.group)|\(r.summary.mode)|\(r.note)"
            if byKey[key] == nil { order.append(key) }
            byKey[key, default: []].append(r)
        }
        return order.map { key in
            // Invariant: key comes from byKey's own keys.
            let g = byKey[key]!, first = g[0]
            func mean(_ f: (RunSummary) -> Double) -> Double { SeedSpread(g.map { f($0.summary) }).mean }
            let acc = SeedSpread(g.map { Double($0.summary.testAccuracy) })
            return CompareSetup(label: g.allSatisfy { $0.label == first.label } ? first.label : first.group,
                                family: first.family, width: first.width,
                                mode: first.summary.mode, dataset: first.summary.dataset, note: first.note,
                                matched: first.matched, runs: g.count,
                                parameters: mean { Double($0.parameters) }, dendriteSets: mean { Double($0.dendriteSets) },
                                testAccuracy: acc.mean, testAccuracySD: acc.sd,
                                neuronEpochs: g.map(\.summary.neuronEpochs), dendriteEpochs: g.map(\.summary.dendriteEpochs),
                                wallSeconds: g.map(\.summary.wallSeconds))
        }
    }
}

enum CompareTable {
    /// Markdown and CSV forms of `rows`. The CSV has one line per run (with its seed);
    /// the Markdown table one line per setup, averaging over seeds (mean ± standard
    /// deviation of test accuracy) when a setup ran with several. Compression is the
    /// largest plain run of the given experiments on the same dataset (param-matched
    /// baselines only count when no experiment ran plain) over the setup's mean size.
    /// With a width axis (`--widths`) rows are grouped by front family and width, the
    /// Markdown table leads with both, and a second table holds every non-plain point
    /// against the plain front (`ParameterFront.verdicts`).
    static func render(_ rows: [CompareRow]) -> (markdown: String, csv: String) {
        let hasWidths = rows.contains { $0.width != nil }
        let rows = hasWidths ? byFamilyAndWidth(rows) : rows
        var largest: [String: Double] = [:], largestMatched: [String: Double] = [:]
        for r in rows where r.summary.mode == "none" {
            let d = r.summary.dataset, p = Double(r.summary.parameters)
            if r.matched { largestMatched[d] = max(largestMatched[d] ?? 0, p) } else { largest[d] = max(largest[d] ?? 0, p) }
        }
        largest.merge(largestMatched) { given, _ in given }
        func compression(_ dataset: String, _ parameters: Double) -> Double? {
            largest[dataset].map { $0 / max(parameters, 1) }
        }

        var csv = "experiment,mode,dataset,seed,parameters,dendrite_sets,test_accuracy,compression,note,n_epochs,p_epochs,family,width,wall_seconds\n"
        for r in rows {
            let s = r.summary
            let c = compression(s.dataset, Double(s.parameters)).map { String(format: "%.4f", $0) } ?? ""
            csv += "\(r.label),\(s.mode),\(s.dataset),\(s.seed),\(s.parameters),\(s.dendriteSets),\(s.testAccuracy),\(c),\(r.note),"
                + "\(s.neuronEpochs.map(String.init) ?? ""),\(s.dendriteEpochs.map(String.init) ?? ""),"
                + "\(r.family),\(r.width.map(String.init) ?? ""),\(String(format: "%.1f", s.wallSeconds))\n"
        }

        let setups = CompareSetup.group(rows)
        let multiSeed = setups.contains { $0.runs > 1 }
        let lead = hasWidths ? "| family | width " : "", leadRule = hasWidths ? "|---|---:" : ""
        var md = "\(lead)| experiment | mode | dataset | parameters | dendrite sets | test accuracy |\(multiSeed ? " seeds |" : "")"
            + " N epochs | P epochs | wall s | compression | note |\n"
        md += "\(leadRule)|---|---|---|---:|---:|---:|\(multiSeed ? "---:|" : "")---:|---:|---:|---:|---|\n"
        for s in setups {
            let acc = s.runs > 1 ? String(format: "%.2f%% ± %.2f", s.testAccuracy * 100, s.testAccuracySD * 100)
                                 : percent(Float(s.testAccuracy))
            let c = compression(s.dataset, s.parameters).map { String(format: "%.2fx", $0) } ?? "n/a"
            // Each run's own N and P epochs and wall seconds, in seed order.
            let n = s.neuronEpochs.map { $0.map(String.init) ?? "?" }.joined(separator: " ")
            let p = s.dendriteEpochs.map { $0.map(String.init) ?? "?" }.joined(separator: " ")
            let w = s.wallSeconds.map { String(format: "%.0f", $0) }.joined(separator: " ")
            let familyCells = hasWidths ? "| \(s.family) | \(s.width.map(String.init) ?? "") " : ""
            md += "\(familyCells)| \(s.label) | \(s.mode) | \(s.dataset) | \(number(s.parameters, 0)) | \(number(s.dendriteSets, 1)) | \(acc) |"
                + "\(multiSeed ? " \(s.runs) |" : "") \(n) | \(p) | \(w) | \(c) | \(s.note) |\n"
        }
        if hasWidths { md += verdictTable(ParameterFront(rows.map(\.frontSample))) }
        md += SeedPairs.markdown(SeedPairs.differences(rows))
        return (md, csv)
    }

    /// Rows ordered by family (first appearance), then width, keeping seed order.
    static func byFamilyAndWidth(_ rows: [CompareRow]) -> [CompareRow] {
        var order: [String: Int] = [:]
        for r in rows where order[r.family] == nil { order[r.family] = order.count }
        return rows.enumerated().sorted { a, b in
            let fa = order[a.element.family] ?? 0, fb = order[b.element.family] ?? 0
            if fa != fb { return fa < fb }
            let wa = a.element.width ?? 0, wb = b.element.width ?? 0
            return wa != wb ? wa < wb : a.offset < b.offset
        }.map(\.element)
    }

    /// Each point of a non-plain family against the nearest plain point of equal or
    /// larger size: the front's answer, in numbers.
    static func verdictTable(_ front: ParameterFront) -> String {
        let verdicts = front.verdicts
        guard front.lines.contains(where: \.isPlain), !verdicts.isEmpty else { return "" }
        func acc(_ p: ParameterFront.Point) -> String { String(format: "%.2f%% ± %.2f", p.accuracy * 100, p.sd * 100) }
        var md = "\nAgainst the plain front: each point beside the smallest plain network with at least as many parameters "
            + "(up to 1% fewer counts as equal); \"above beyond spread\" when mean - sd exceeds the plain mean + sd.\n\n"
        md += "| family | width | parameters | test accuracy | plain family | plain width | plain parameters | plain accuracy | gap (points) | above beyond spread |\n"
        md += "|---|---:|---:|---:|---|---:|---:|---:|---:|---|\n"
        for v in verdicts {
            let w = v.point.width.map(String.init) ?? ""
            guard let p = v.plain, let gap = v.gap else {
                md += "| \(v.family) | \(w) | \(number(v.point.parameters, 0)) | \(acc(v.point)) | none as large | | | | | n/a |\n"
                continue
            }
            md += "| \(v.family) | \(w) | \(number(v.point.parameters, 0)) | \(acc(v.point)) | \(v.plainFamily ?? "") | \(p.width.map(String.init) ?? "") | "
                + "\(number(p.parameters, 0)) | \(acc(p)) | \(String(format: "%+.2f", gap * 100)) | \(v.aboveBeyondSpread ? "yes" : "no") |\n"
        }
        return md
    }

    static func number(_ v: Double, _ digits: Int) -> String { v == v.rounded() ? "\(Int(v))" : String(format: "%.\(digits)f", v) }
}
