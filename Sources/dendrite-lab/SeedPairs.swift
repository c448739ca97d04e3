import DendriteCore

/// Test-accuracy differences between the modes of one experiment, run against run over
/// the seeds both modes ran. A method claim ("PB at least plain + 2.5 points", "PB within
/// 0.2 of GD") is a claim about such a difference; its spread over seeds is usually
/// smaller than the two modes' own spreads, since a seed that is hard for one mode tends
/// to be hard for the other.
struct SeedPairedDifference {
    var label: String
    var note: String
    /// "pb - none": `minuend` minus `subtrahend`.
    var minuend: String
    var subtrahend: String
    /// Per shared seed, in seed order: the difference in percentage points.
    var perSeed: [(seed: UInt64, points: Double)]
    var spread: SeedSpread { SeedSpread(perSeed.map(\.points)) }
}

enum SeedPairs {
    /// The pairs compared, minuend first: each dendrite mode against the plain network,
    /// and PB against GD (the papers' claim).
    static let modePairs = [("gd", "none"), ("pb", "none"), ("pb", "gd")]

    /// Every mode pair of each experiment (same label and note, param-matched baselines
    /// left out) that shares at least `minimumSeeds` seeds.
    static func differences(_ rows: [CompareRow], minimumSeeds: Int = 2) -> [SeedPairedDifference] {
        struct Experiment: Hashable { var label: String, note: String }
        var order: [Experiment] = []
        var accuracy: [Experiment: [String: [UInt64: Double]]] = [:]   // experiment -> mode -> seed -> %
        for r in rows where !r.matched {
            let e = Experiment(label: r.label, note: r.note)
            if accuracy[e] == nil { order.append(e) }
            accuracy[e, default: [:]][r.summary.mode, default: [:]][r.summary.seed] = Double(r.summary.testAccuracy) * 100
        }
        var out: [SeedPairedDifference] = []
        for e in order {
            guard let modes = accuracy[e] else { continue }
            for (a, b) in modePairs {
                guard let x = modes[a], let y = modes[b] else { continue }
                let seeds = Set(x.keys).intersection(y.keys).sorted()
                guard seeds.count >= minimumSeeds else { continue }
                let perSeed = seeds.compactMap { s in x[s].flatMap { p in y[s].map { (seed: s, points: p - $0) } } }
                out.append(SeedPairedDifference(label: e.label, note: e.note, minuend: a, subtrahend: b, perSeed: perSeed))
            }
        }
        return out
    }

    /// The Markdown table of `differences`, or "" when there are none.
    static func markdown(_ differences: [SeedPairedDifference]) -> String {
        guard !differences.isEmpty else { return "" }
        func signed(_ v: Double) -> String { (v >= 0 ? "+" : "") + String(format: "%.2f", v) }
        var md = "\nTest accuracy differences between modes, run against run over the seeds both ran"
            + " (percentage points):\n\n"
        md += "| experiment | difference | mean ± sd | seeds | per seed |\n|---|---|---:|---:|---|\n"
        for d in differences {
            let s = d.spread
            let each = d.perSeed.map { "\($0.seed): \(signed($0.points))" }.joined(separator: ", ")
            let name = d.note.isEmpty ? d.label : "\(d.label) (\(d.note))"
            md += "| \(name) | \(d.minuend) - \(d.subtrahend) | \(signed(s.mean)) ± \(String(format: "%.2f", s.sd))"
                + " | \(d.perSeed.count) | \(each) |\n"
        }
        return md
    }
}
