import Foundation
import ArgumentParser
import DendriteCore

/// The axes of a sweep, shared by `sweep` and `compare` (which is a local sweep plus
/// its gather): which files, modes, seeds, widths and epochs.
struct SweepAxes: ParsableArguments {
    @Argument(help: "Experiment files.")
    var files: [String] = []

    @Option(help: "Comma-separated modes to run each file in: none, gd, pb. (default: none,gd,pb)",
            transform: CommaSeparated.modes)
    var modes: [DendriteMode] = [.none, .gd, .pb]

    @Option(help: "Run every setup with each of these seeds: whole numbers and ranges, e.g. 1-5 or 1,2,3; the table then shows mean ± standard deviation.",
            transform: CommaSeparated.seeds)
    var seeds: [UInt64]?

    @Option(parsing: .unconditional, help: "Override every file's seed.")
    var seed: UInt64?

    @Option(help: "Also sweep the network width: the narrowest hidden layer gets each of these widths (e.g. 8,16,32), other hidden layers scale with it. A width is the units of a dense layer, the filters of a conv layer, the somas S of a dendritic SxDxK layer (D dendrites per soma and K inputs per dendrite stay). Rows of one file and mode over widths form one line of OUT/front.png.",
            transform: CommaSeparated.widths)
    var widths: [Int]?

    @Option(parsing: .unconditional, help: "Override every file's number of epochs.")
    var epochs: Int?

    func validate() throws {
        if modes.isEmpty { throw ValidationError("--modes needs at least one mode") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if seeds != nil && seed != nil { throw ValidationError("give either --seed or --seeds, not both") }
    }

    /// The plan for these axes, with the sweep folder `directory`.
    func plan(matched: Bool, threads: Int?, directory: URL) throws -> SweepPlan {
        var files: [SweepPlan.Request.File] = []
        for path in self.files {
            let url = URL(fileURLWithPath: path)
            var e = try ExperimentLoader.load(contentsOf: url)
            if let seed { e.seed = seed }
            files.append(.init(path: path, experiment: e, text: try? String(contentsOf: url, encoding: .utf8)))
        }
        let request = SweepPlan.Request(files: files, modes: modes, seeds: seeds, widths: widths, epochs: epochs,
                                        matched: matched, threads: threads)
        return try SweepPlan.expand(request, directory: directory.path)
    }

    /// Writes `plan` as DIR/sweep.json. An existing different plan is replaced only with
    /// `replace` (compare), since running Slurm tasks read it by index.
    static func write(_ plan: SweepPlan, to directory: URL, replace: Bool) throws {
        let url = SweepPlan.url(in: directory)
        let json = try plan.json()
        if let old = try? Data(contentsOf: url), old != json, !replace {
            throw ValidationError("\(url.path) holds a different sweep plan; choose another --out, or remove it to replace the plan")
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if (try? Data(contentsOf: url)) != json { try AtomicFile.write(json, to: url) }
    }
}

/// The sweep folder as an absolute, clean URL (commands in the plan name it).
func sweepFolder(_ path: String) -> URL {
    URL(fileURLWithPath: path).standardizedFileURL
}
