import Foundation
import Testing
@testable import dendrite_lab
import DendriteCore

/// `compare`'s differences between modes, run against run over shared seeds.
@Suite struct SeedPairsTests {
    func row(_ mode: String, seed: UInt64, accuracy: Float, label: String = "narrow", matched: Bool = false) -> CompareRow {
        // As `compare` reads it back: a summary.json.
        let json = """
            {"name": "\(label)", "dataset": "mnist", "mode": "\(mode)", "seed": \(seed), "parameters": 100,
             "dendrite_sets": 0, "best_validation_accuracy": \(accuracy), "best_epoch": 1, "test_accuracy": \(accuracy),
             "test_loss": 0, "final_test_accuracy": \(accuracy), "epochs": 1, "wall_seconds": 1, "samples_per_second": 1}
            """
        // Invariant: the JSON above is written by this test and holds every required key.
        let s = try! JSONDecoder().decode(RunSummary.self, from: Data(json.utf8))
        return CompareRow(summary: s, label: label, note: matched ? "matches \(mode)" : "", matched: matched)
    }

    @Test func differencesPairRunsOfTheSameSeedOnly() {
        let rows = [
            row("none", seed: 21, accuracy: 0.92), row("none", seed: 22, accuracy: 0.93), row("none", seed: 23, accuracy: 0.90),
            row("pb", seed: 21, accuracy: 0.95), row("pb", seed: 22, accuracy: 0.94),   // no seed 23
            row("gd", seed: 22, accuracy: 0.96),                                         // one shared seed: no row
            row("none", seed: 21, accuracy: 0.99, matched: true),                      // a matched baseline: ignored
        ]
        let d = SeedPairs.differences(rows)
        #expect(d.count == 1)
        guard let pb = d.first else { return }
        #expect(pb.minuend == "pb" && pb.subtrahend == "none")
        #expect(pb.perSeed.map(\.seed) == [21, 22])
        // 95 - 92 and 94 - 93 (Float percentages, so within rounding).
        #expect(abs(pb.perSeed[0].points - 3) < 1e-4 && abs(pb.perSeed[1].points - 1) < 1e-4)
        #expect(abs(pb.spread.mean - 2) < 1e-4)
        #expect(abs(pb.spread.sd - 2.squareRoot()) < 1e-4)
        // With a lower bar the single shared GD seed pairs too, and PB - GD comes out negative.
        let all = SeedPairs.differences(rows, minimumSeeds: 1)
        #expect(all.map { "\($0.minuend)-\($0.subtrahend)" } == ["gd-none", "pb-none", "pb-gd"])
        #expect(all.last.map { abs($0.perSeed[0].points - -2) < 1e-4 } == true)
    }

    @Test func compareTableEndsWithTheDifferencesWhenSeedsPair() {
        let rows = [row("none", seed: 1, accuracy: 0.90), row("none", seed: 2, accuracy: 0.91),
                    row("pb", seed: 1, accuracy: 0.925), row("pb", seed: 2, accuracy: 0.93)]
        let md = CompareTable.render(rows).markdown
        #expect(md.contains("| narrow | pb - none | +2.25 ± 0.35 | 2 | 1: +2.50, 2: +2.00 |"), "\(md)")
        // One seed per mode: nothing to pair, no extra table.
        let single = CompareTable.render([row("none", seed: 1, accuracy: 0.9), row("pb", seed: 1, accuracy: 0.92)]).markdown
        #expect(!single.contains("difference"))
    }
}
