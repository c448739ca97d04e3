import Foundation
import ArgumentParser
import DendriteCore

/// `dendrite-lab compare A.yaml B.yaml --modes none,gd,pb`: baselines against dendrite
/// runs, with a param-matched plain baseline for every dendrite run.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run experiments in several modes and tabulate parameters against test accuracy.",
        discussion: """
            Every file runs once per mode into OUT/NAME-MODE-seedSEED (finished runs are read \
            back, interrupted ones resumed, so rerunning the same command continues where it \
            stopped). For each dendrite run (gd, pb) a plain network of the same architecture, \
            its hidden layers widened until its parameter count matches, trains with the same \
            budget. Compression is the largest plain run's parameter count (same dataset) \
            divided by the run's. Writes OUT/compare.md, OUT/compare.csv and \
            OUT/params-accuracy.png.
            """)

    @Argument(help: "Experiment files.")
    var files: [String]

    @Option(help: "Comma-separated modes to run each file in: none, gd, pb.")
    var modes: String = "none,gd,pb"

    @Option(help: "Folder for the runs and the tables.")
    var out: String = "runs"

    @Option(parsing: .unconditional, help: "Override every file's seed.")
    var seed: UInt64?

    @Option(help: "Run every setup with each of these comma-separated seeds (e.g. 1,2,3,4,5); the table then shows mean ± standard deviation.")
    var seeds: String?

    @Option(parsing: .unconditional, help: "Override every file's number of epochs.")
    var epochs: Int?

    @Flag(help: "Skip the param-matched plain baselines.")
    var noMatched = false

    @Option(parsing: .unconditional, help: "OpenBLAS threads (default: OpenBLAS's own choice).")
    var threads: Int?

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
            let parts = seeds.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.isEmpty || parts.contains(where: { UInt64($0) == nil }) {
                throw ValidationError("--seeds takes whole numbers separated by commas, e.g. 1,2,3; got '\(seeds)'")
            }
        }
    }

    var seedList: [UInt64]? {
        seeds.map { $0.split(separator: ",").compactMap { UInt64($0.trimmingCharacters(in: .whitespaces)) } }
    }

    func run() throws {
        if let threads { BLAS.threads = threads }
        Interrupt.install()
        let root = URL(fileURLWithPath: out)
        var rows: [CompareRow] = []
        var dataCache: [String: ExperimentData] = [:]

        func runOrReuse(_ e: Experiment, folderName: String, source: String?, sourceName: String?) throws -> RunSummary? {
            let folder = root.appendingPathComponent(folderName)
            let writer = RunWriter(folder: folder)
            if let summary = RunWriter.readSummary(in: folder), CompareCommand.savedExperiment(in: writer) == e {
                say("Reusing the finished run in \(folder.path)/")
                return summary
            }
            let resume = CompareCommand.savedExperiment(in: writer).map { var s = $0; s.epochs = e.epochs; return s == e } ?? false
            if !resume && FileManager.default.fileExists(atPath: writer.checkpointURL.path) {
                throw ValidationError("\(folder.path) holds a run of a different experiment; remove it or choose another --out")
            }
            let key = "\(e.dataset)|\(e.seed)"
            let data = try dataCache[key] ?? ExperimentData.load(e.dataset, seed: e.seed)
            dataCache[key] = data
            let outcome = try RunLauncher.execute(e, folder: folder, sourceText: source, sourceName: sourceName,
                                                resume: resume, data: data)
            switch outcome {
            case .finished(let s): return s
            case .stopped: return nil
            }
        }

        /// One experiment in one mode and seed, plus its param-matched plain baseline.
        func runSetup(_ e: Experiment, source: String?, sourceName: String) throws {
            let mode = e.mode
            guard let s = try runOrReuse(e, folderName: "\(e.name)-\(mode.rawValue)-seed\(e.seed)", source: source, sourceName: sourceName) else {
                throw stopped()
            }
            rows.append(CompareRow(summary: s, label: e.name, note: ""))
            guard mode != .none, !noMatched else { return }
            guard s.dendriteSets > 0 else {
                say("\(e.name) (\(mode.rawValue), seed \(e.seed)) grew no dendrites: the plain run of the same network is its match.")
                return
            }
            guard let matched = e.parameterMatchedBaseline(targetParameters: s.parameters) else {
                say("No param-matched baseline for \(e.name) (\(mode.rawValue)): no hidden layer to widen, or the plain net is already larger.")
                return
            }
            let widths = matched.network.layers.filter(\.isNeuronLayer).dropLast().map { "\(CompareCommand.width($0))" }.joined(separator: "-")
            guard let m = try runOrReuse(matched, folderName: "\(matched.name)-h\(widths)-seed\(matched.seed)", source: nil, sourceName: nil) else {
                throw stopped()
            }
            rows.append(CompareRow(summary: m, label: "\(e.name) plain h\(widths)", note: "matches \(mode.rawValue)",
                                   matched: true, group: "\(e.name) plain, widened"))
        }

        for file in files {
            let url = URL(fileURLWithPath: file)
            var base = try ExperimentLoader.load(contentsOf: url)
            if let seed { base.seed = seed }
            if let epochs { base.epochs = epochs }
            let source = try? String(contentsOf: url, encoding: .utf8)
            for mode in modeList {
                for runSeed in seedList ?? [base.seed] {
                    var e = base
                    e.mode = mode
                    e.seed = runSeed
                    try runSetup(e, source: source, sourceName: file)
                }
            }
        }

        let table = CompareTable.render(rows)
        say("")
        say(table.markdown)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try AtomicFile.write(table.markdown, to: root.appendingPathComponent("compare.md"))
        try AtomicFile.write(table.csv, to: root.appendingPathComponent("compare.csv"))
        RunPlots.paramsAccuracy(rows, to: root.appendingPathComponent("params-accuracy.png"))
        say("Wrote \(root.path)/compare.md, compare.csv and params-accuracy.png")
    }

    private func stopped() -> ExitCode {
        say("Comparison interrupted; run the same command again to continue.")
        return ExitCode(130)
    }

    static func savedExperiment(in writer: RunWriter) -> Experiment? {
        guard let c = try? Checkpoint.read(from: writer.checkpointURL) else { return nil }
        return try? TrainingSnapshot.document(Experiment.self, "experiment", in: c, file: writer.checkpointURL.path)
    }

    static func width(_ l: LayerSpec) -> Int {
        switch l {
        case .dense(let n): return n
        case .conv2d(let f, _, _, _): return f
        default: return 0
        }
    }
}
