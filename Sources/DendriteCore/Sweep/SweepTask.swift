import Foundation

/// One run of a sweep, one entry of `sweep.json`. A task is either a run of an
/// experiment file in one mode, seed (and width), whose experiment is fully known when
/// the plan is written, or a param-matched plain baseline of such a run: its width
/// depends on the dendrite run's final parameter count, so its experiment is derived
/// when it starts, from the finished run it `matches` (see `SweepPlan`).
public struct SweepTask: Codable, Equatable, Sendable {
    public var index: Int
    /// Folder under the sweep folder, named after the parameters:
    /// `mnist-mlp-narrow-pb-seed11`, `mnist-mlp-narrow-w16-gd-seed2`, and for a
    /// matched baseline its dendrite run's folder plus `-matched`.
    public var folder: String
    /// Row name in tables: the experiment name, plus ` wN` when the sweep sets widths.
    public var label: String
    public var mode: DendriteMode
    public var seed: UInt64
    /// The narrowest hidden layer's width when the sweep sets widths (`--widths`).
    public var width: Int?
    /// The experiment file the task comes from, as given on the command line.
    public var source: String
    /// The run's resolved experiment; nil for a matched baseline.
    public var experiment: Experiment?
    /// For a matched baseline: the index of the dendrite run it matches.
    public var matches: Int?
    /// The exact command that runs this task (what local workers and Slurm array tasks run).
    public var command: String

    public var isMatchedBaseline: Bool { matches != nil }
}

/// What a matched-baseline task trains, decided once its dendrite run has finished.
public enum MatchedBaseline: Equatable, Sendable {
    /// Train `experiment`; `label` names it in tables (`NAME plain h32`).
    case run(Experiment, label: String)
    /// Nothing to train, and why (the run grew no dendrites, or no widening fits).
    case skip(reason: String)

    /// The baseline for a dendrite run `parent` (with table label `parentLabel`) that
    /// finished as `summary`: a run that grew dendrites, or a dANN (dendritic layer).
    public static func resolve(parent: Experiment, parentLabel: String, summary: RunSummary) -> MatchedBaseline {
        let what = "\(parentLabel) (\(parent.mode.rawValue), seed \(parent.seed))"
        guard summary.dendriteSets > 0 || parent.network.hasDendriticLayer else {
            return .skip(reason: "\(what) grew no dendrites: the plain run of the same network is its match.")
        }
        guard let matched = parent.parameterMatchedBaseline(targetParameters: summary.parameters) else {
            return .skip(reason: "No param-matched baseline for \(what): no hidden layer to widen, or the plain net is already larger.")
        }
        return .run(matched, label: "\(parentLabel) plain h" + matched.network.hiddenWidths.map(String.init).joined(separator: "-"))
    }
}

extension RunWriter {
    /// The experiment stored in this folder's checkpoint, if there is a readable one.
    public var savedExperiment: Experiment? {
        guard let c = try? Checkpoint.read(from: checkpointURL) else { return nil }
        return try? TrainingSnapshot.document(Experiment.self, "experiment", in: c, file: checkpointURL.path)
    }
}
