import Foundation
import ArgumentParser
import DendriteCore

/// The axes of a sweep, shared by `sweep` and `compare` (which is a local sweep plus
/// its gather): which files, modes, seeds, widths and epochs.
struct SweepAxes: ParsableArguments {
    @Argument(help: "Experiment files.")
    var files: [String] = []

    @Option(help: "Comma-separated modes to run each file in: none, gd, pb.")
    var modes: String = "none,gd,pb"

    @Option(help: "Run every setup with each of these seeds: whole numbers and ranges, e.g. 1-5 or 1,2,3; the table then shows mean ± standard deviation.")
    var seeds: String?

    @Option(parsing: .unconditional, help: "Override every file's seed.")
    var seed: UInt64?

    @Option(help: "Also sweep the network width: the narrowest hidden layer gets each of these widths (e.g. 8,16,32), other hidden layers scale with it.")
    var widths: String?

    @Option(parsing: .unconditional, help: "Override every file's number of epochs.")
    var epochs: Int?

    var modeList: [Experiment.Mode] {
        modes.split(separator: ",").compactMap { Experiment.Mode(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
    }

    func validate() throws {
        let given = modes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if let bad = given.first(where: { Experiment.Mode(rawValue: $0) == nil }) {
            throw ValidationError("--modes takes none, gd and pb separated by commas; '\(bad)' is not one of them")
        }
        if given.isEmpty { throw ValidationError("--modes needs at least one mode") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if let seeds {
            guard seed == nil else { throw ValidationError("give either --seed or --seeds, not both") }
            guard NumberList.parse(seeds) != nil else {
                throw ValidationError("--seeds takes whole numbers separated by commas, or ranges such as 1-5; got '\(seeds)'")
            }
        }
        if let widths {
            guard let list = NumberList.parse(widths), list.allSatisfy({ $0 >= 1 && $0 <= 1_000_000 }) else {
                throw ValidationError("--widths takes widths of at least 1 separated by commas, e.g. 8,16,32; got '\(widths)'")
            }
        }
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
        let request = SweepPlan.Request(files: files, modes: modeList, seeds: seeds.flatMap(NumberList.parse),
                                        widths: widths.flatMap(NumberList.parse)?.map { Int($0) }, epochs: epochs,
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
