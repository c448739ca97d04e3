import Foundation
import ArgumentParser
import DendriteCore

/// `dendrite-lab train FILE.yaml`: one headless run into its own output folder.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train one experiment headless and write metrics, events, checkpoints and a summary.",
        discussion: """
            The output folder holds config.yaml (the resolved experiment), metrics.csv (one row \
            per epoch), events.jsonl (phase changes, dendrite additions, decisions), \
            checkpoint.safetensors (after every epoch), best.safetensors and summary.json. \
            Ctrl-C stops after the current epoch; --resume continues where it stopped and ends \
            with the same metrics as an uninterrupted run (all columns but the wall-clock seconds).
            """)

    @Argument(help: "Experiment file, e.g. experiments/spirals.yaml.")
    var file: String

    @Option(help: "Override the file's mode: none (plain network), gd (dendrites trained by gradient descent) or pb (Perforated Backpropagation).")
    var mode: String?

    @Option(help: "Override the file's random seed (same seed, same run).")
    var seed: UInt64?

    @Option(help: "Override the number of epochs (also allowed with --resume, to extend a run).")
    var epochs: Int?

    @Option(help: "Output folder (default: runs/NAME-MODE-seedSEED).")
    var out: String?

    @Flag(help: "Continue the run in the output folder from its last checkpoint.")
    var resume = false

    @Option(help: "OpenBLAS threads (default: OpenBLAS's own choice).")
    var threads: Int?

    func validate() throws {
        if let mode, Experiment.Mode(rawValue: mode) == nil {
            throw ValidationError("--mode must be none, gd or pb, got '\(mode)'")
        }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        if let threads { BLAS.threads = threads }
        let url = URL(fileURLWithPath: file)
        var experiment = try ExperimentLoader.load(contentsOf: url)
        if let mode { experiment.mode = Experiment.Mode(rawValue: mode)! }
        if let seed { experiment.seed = seed }
        if let epochs { experiment.epochs = epochs }
        let folder = URL(fileURLWithPath: out ?? RunNaming.defaultFolder(for: experiment))
        let source = try? String(contentsOf: url, encoding: .utf8)

        Interrupt.install()
        let outcome = try RunNaming.execute(experiment, folder: folder, sourceText: source, sourceName: file, resume: resume)
        if case .stopped = outcome { throw ExitCode(130) }
    }
}

/// Shared by `train` and `compare`: folder names and one run with progress output.
enum RunNaming {
    static func defaultFolder(for e: Experiment, root: String = "runs") -> String {
        "\(root)/\(e.name)-\(e.mode.rawValue)-seed\(e.seed)"
    }

    /// Runs (or resumes) `experiment` into `folder`, printing progress and the summary.
    @discardableResult
    static func execute(_ experiment: Experiment, folder: URL, sourceText: String?, sourceName: String?,
                        resume: Bool, data: ExperimentData? = nil) throws -> ExperimentRun.Outcome {
        let run = try ExperimentRun(experiment: experiment, folder: folder, sourceText: sourceText,
                                    sourceName: sourceName, resume: resume, data: data)
        let s = run.session
        let start = run.resumedAtEpoch ?? 0
        if start > 0 {
            say("Resuming \(experiment.name) at epoch \(start) of \(experiment.epochs) from \(folder.path).")
        } else {
            say("Training \(experiment.name) (mode \(experiment.mode.rawValue), seed \(experiment.seed)): "
                + "\(s.network.parameterCount) parameters; \(s.data.train.count) train / \(s.data.validation.count) "
                + "validation / \(s.data.test.count) test samples. Writing \(folder.path)/")
        }
        let progress = RunProgress(totalEpochs: experiment.epochs, startEpoch: start)
        run.onEvent = { progress.handle($0) }
        run.shouldStop = { Interrupt.requested }
        let outcome = try run.run()
        switch outcome {
        case .finished(let summary):
            say("Done: test accuracy \(percent(summary.testAccuracy)) (best validation \(percent(summary.bestValidationAccuracy)) "
                + "at epoch \(summary.bestEpoch)), \(summary.parameters) parameters, "
                + "\(String(format: "%.1f", summary.wallSeconds)) s, \(Int(summary.samplesPerSecond)) samples/s.")
            say("Results in \(folder.path)/ (summary.json, metrics.csv, events.jsonl, checkpoint.safetensors).")
        case .stopped(let epoch):
            say("Stopped after epoch \(epoch); checkpoint saved. Continue with: dendrite-lab train \(folder.path)/config.yaml --resume --out \(folder.path)")
        }
        return outcome
    }
}
