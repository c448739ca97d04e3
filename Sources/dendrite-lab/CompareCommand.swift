import Foundation
import ArgumentParser
import DendriteCore

/// `dendrite-lab compare A.yaml B.yaml --modes none,gd,pb`: baselines against dendrite
/// runs, with a param-matched plain baseline for every dendrite run. It is a local sweep
/// plus its gather (one code path with `sweep`); `--from DIR` only gathers.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run experiments in several modes and tabulate parameters against test accuracy.",
        discussion: """
            Every file runs once per mode into OUT/NAME-MODE-seedSEED (finished runs are read \
            back, interrupted ones resumed, so rerunning the same command continues where it \
            stopped). For each dendrite run (gd, pb) a plain network of the same architecture, \
            its hidden layers widened until its parameter count matches, trains with the same \
            budget (OUT/NAME-MODE-seedSEED-matched); a dANN run (a file with a dendritic layer, \
            any mode) gets the MLP with a dense ReLU layer in the dendritic layer's place. Compression is the largest plain run's \
            parameter count (same dataset) divided by the run's. Writes OUT/compare.md, \
            OUT/compare.csv and OUT/params-accuracy.png, and the plan as OUT/sweep.json. \
            With --widths each file and mode is a family (its experiment name, plus + GD or \
            + PB) drawn as one line of OUT/front.png: parameters (log scale) against mean \
            test accuracy over seeds with a ± one standard deviation band; compare.md then \
            groups rows by family and width and holds every point against the plain front. \
            --from DIR tabulates a sweep (see `dendrite-lab sweep`) without running anything; \
            several --from folders (one front per family, say) merge into one table and front \
            written to --out.
            """)

    @OptionGroup var axes: SweepAxes

    @Option(help: "Folder for the runs and the tables.")
    var out: String = "runs"

    @Flag(help: "Skip the param-matched plain baselines.")
    var noMatched = false

    @Option(parsing: .unconditional, help: "OpenBLAS threads (default: OpenBLAS's own choice).")
    var threads: Int?

    @Option(help: "Runs at a time, each in its own process (default 1).")
    var jobs: Int = 1

    @Option(help: "Only tabulate the sweep in this folder (a `sweep` or an earlier `compare --out`); repeat it to merge several into --out.")
    var from: [String] = []

    func validate() throws {
        if !from.isEmpty && !axes.files.isEmpty { throw ValidationError("give experiment files or --from DIR, not both") }
        if from.isEmpty && axes.files.isEmpty { throw ValidationError("give at least one experiment file, or --from DIR") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        if from.count > 1 {
            try SweepReport.merge(from.map(sweepFolder), into: sweepFolder(out))
            return
        }
        if let from = from.first {
            let dir = sweepFolder(from)
            try SweepReport.gather(try SweepPlan.read(from: dir), in: dir)
            return
        }
        let dir = sweepFolder(out)
        let plan = try axes.plan(matched: !noMatched, threads: threads, directory: dir)
        try SweepAxes.write(plan, to: dir, replace: true)
        try SweepRunCommand.runLocally(plan, in: dir, jobs: jobs,
                                       interruptedMessage: "Comparison interrupted; run the same command again to continue.")
    }
}
