import Foundation

/// A headless run of one experiment into its output folder (see `RunWriter`): trains
/// epoch by epoch, appends metrics and events, checkpoints after every epoch, keeps the
/// best-validation parameters, and at the end measures the test set and writes
/// `summary.json`. A run can stop between epochs (`shouldStop`, set from Ctrl-C by the
/// CLI) and be resumed later with the same result as if it had never stopped.
public final class ExperimentRun {
    public let experiment: Experiment
    public let session: ExperimentSession
    public let writer: RunWriter
    /// Checked after every epoch; when it returns true the run stops (its checkpoint is
    /// already on disk).
    public var shouldStop: () -> Bool = { false }
    /// Every training event, for progress displays (called on the training thread).
    public var onEvent: ((TrainingEvent) -> Void)?
    /// The epoch the run continued from, when it was resumed.
    public private(set) var resumedAtEpoch: Int?
    /// True when `resume` found a started run without a checkpoint (killed during its
    /// first epoch) and started it over from epoch 0.
    public private(set) var restartedWithoutCheckpoint = false
    /// The epoch budget the resumed run was written with (nil for a fresh run): a larger
    /// `experiment.epochs` extends it.
    public private(set) var savedEpochBudget: Int?

    public enum Outcome: Equatable, Sendable {
        case finished(RunSummary)
        /// Stopped on request after `epoch` finished epochs; a resumed run continues from
        /// the checkpoint of `checkpointEpoch` (earlier than `epoch` only when the stop came
        /// inside a PB dendrite phase or the learning-rate trial after it, which are replayed).
        case stopped(epoch: Int, checkpointEpoch: Int)
    }

    private var checkpointEpoch = 0
    /// Decides which epoch's model is "the best" with the switching rule's own
    /// improvement test (design.md 2.3), so plain runs and dendrite runs pick their best
    /// model the same way.
    private var bestTracker: SwitchTracker
    private var bestEpoch = 0
    private var writeError: Error?
    /// When this invocation started training (wall time includes checkpoint writing).
    private var runStarted = Date()

    /// Prepares a fresh run in `folder`, or with `resume` continues the one there.
    /// `data` lets callers share loaded image sets between runs.
    public init(experiment: Experiment, folder: URL, sourceText: String? = nil, sourceName: String? = nil,
                resume: Bool = false, data: ExperimentData? = nil) throws {
        self.experiment = experiment
        bestTracker = SwitchTracker(config: SwitchTracker.Config(
            mode: .never, maximize: experiment.dendrites.score == .accuracy,
            improvementThresholds: experiment.dendrites.improvementThresholds, trainsCandidates: false))
        writer = RunWriter(folder: folder)
        session = try ExperimentSession(experiment, data: data, source: sourceName)
        let fm = FileManager.default
        // Validated first (a bad experiment creates no folder), then locked before the
        // folder is read or changed, so two processes never interleave.
        if resume && fm.fileExists(atPath: folder.path) { try writer.lock() }
        // A run killed before its first checkpoint has nothing to resume: start it over.
        let restart = resume && !fm.fileExists(atPath: writer.checkpointURL.path) && fm.fileExists(atPath: writer.configURL.path)
        if restart {
            guard RunWriter.isRunConfig(writer.configURL) else {
                throw FileError(path: folder.path, problem: "holds a config.yaml that no run wrote; choose the run's folder for --resume")
            }
            try writer.discardUnfinished()
            restartedWithoutCheckpoint = true
        }
        if resume && !restart {
            let file = writer.checkpointURL
            guard fm.fileExists(atPath: file.path) else {
                throw CheckpointError(file: file.path, problem: "no checkpoint to resume from (run without --resume to start)")
            }
            let ckpt = try Checkpoint.read(from: file)
            var saved = try TrainingSnapshot.document(Experiment.self, "experiment", in: ckpt, file: file.path)
            savedEpochBudget = saved.epochs
            saved.epochs = experiment.epochs
            guard saved == experiment else {
                throw CheckpointError(file: file.path, problem: "was written by a different experiment (\(ExperimentRun.differences(saved, experiment))); only --epochs may change on resume")
            }
            try TrainingSnapshot.restore(ckpt, file: file.path, into: session.trainer)
            try writer.resume(history: session.trainer.history)
            resumedAtEpoch = session.trainer.epoch
            checkpointEpoch = session.trainer.epoch
            for m in session.trainer.history where bestTracker.recordNeuronEpoch(score: score(m), epoch: m.epoch).isNewBest {
                bestEpoch = m.epoch
            }
            if experiment.mode != .none { bestEpoch = session.trainer.bestEpoch }
            try writer.appendEvent("resumed", ["epoch": session.trainer.epoch])
        } else {
            try writer.start(experiment: experiment, sourceText: sourceText, sourceName: sourceName, restarting: restart)
            try writer.appendEvent("started", ["epoch": 0, "name": experiment.name, "mode": experiment.mode.rawValue,
                                               "seed": experiment.seed, "parameters": session.network.parameterCount])
        }
        session.trainer.onEvent { [unowned self] event in
            do {
                try self.writer.record(event)
                if case .epochDone(let m) = event { try self.writer.appendMetrics(m) }
            } catch {
                if self.writeError == nil { self.writeError = error }
            }
            self.onEvent?(event)
        }
    }

    /// Names the top-level fields in which two experiments differ.
    static func differences(_ a: Experiment, _ b: Experiment) -> String {
        var d: [String] = []
        if a.name != b.name { d.append("name") }
        if a.dataset != b.dataset { d.append("dataset") }
        if a.network != b.network { d.append("network") }
        if a.mode != b.mode { d.append("mode \(a.mode.rawValue) vs \(b.mode.rawValue)") }
        if a.dendrites != b.dendrites { d.append("dendrites") }
        if a.optimizer != b.optimizer { d.append("optimizer") }
        if a.schedule != b.schedule { d.append("schedule") }
        if a.batchSize != b.batchSize { d.append("batch_size") }
        if a.seed != b.seed { d.append("seed \(a.seed) vs \(b.seed)") }
        if a.description != b.description { d.append("description") }
        return "differs in " + d.joined(separator: ", ")
    }

    /// Trains until the experiment's epochs are done or `shouldStop` says so.
    public func run() throws -> Outcome {
        runStarted = Date()
        let trainer = session.trainer
        while !trainer.isFinished {
            trainer.runEpoch()
            if let writeError { throw writeError }
            if let d = trainer.divergence {
                // The checkpoint on disk is the last finished epoch's: keep it as it is.
                let kept = FileManager.default.fileExists(atPath: writer.checkpointURL.path) ? writer.checkpointURL.path : nil
                writer.close()
                throw RunDivergedError(divergence: d, checkpoint: kept)
            }
            try saveBestIfImproved()
            // Inside a PB dendrite phase the last neuron-phase checkpoint stays the one to
            // resume from (see TrainingSnapshot+Dendrites.swift).
            if TrainingSnapshot.isRestorable(trainer) {
                try TrainingSnapshot.capture(experiment: experiment, trainer: trainer).write(to: writer.checkpointURL)
                checkpointEpoch = trainer.epoch
            }
            if !trainer.isFinished && shouldStop() {
                try writer.appendEvent("stopped", ["epoch": trainer.epoch, "checkpoint_epoch": checkpointEpoch,
                                                   "reason": "interrupted; resume with --resume"])
                writer.close()
                return .stopped(epoch: trainer.epoch, checkpointEpoch: checkpointEpoch)
            }
        }
        let summary = try finish()
        writer.close()
        return .finished(summary)
    }

    /// The validation number that decides "best" (the experiment's `dendrites.score`).
    private func score(_ m: EpochMetrics) -> Float {
        experiment.dendrites.score == .accuracy ? m.validationAccuracy : m.validationLoss
    }

    private func saveBestIfImproved() throws {
        guard let last = session.trainer.history.last else { return }
        if experiment.mode == .none {
            guard bestTracker.recordNeuronEpoch(score: score(last), epoch: last.epoch).isNewBest else { return }
        } else {
            // With dendrites the trainer's switching rule keeps its own best snapshot.
            guard session.trainer.bestEpoch == last.epoch, bestEpoch != last.epoch else { return }
        }
        bestEpoch = last.epoch
        var best = Checkpoint()
        var counts = session.dendriteCounts
        if experiment.mode != .none, let snapshot = session.trainer.best {
            // The trainer's own snapshot: the network may already have moved on (a GD set
            // added, a restore) by the time the epoch's switching rule has run.
            for (p, v) in snapshot.values { best.tensors.append((p.name, v)) }
            for (l, n) in zip(session.network.perforatedLayers, snapshot.dendriteCounts) { best.tensors += l.synapseTensors(sets: n) }
            var it = snapshot.dendriteCounts.makeIterator()
            counts = session.network.layers.map { $0 is PerforatedLayer ? (it.next() ?? 0) : 0 }
        } else {
            for p in session.network.parameters { best.tensors.append((p.name, p.value)) }
        }
        best.tensors += session.network.heldSomaWeights
        best.metadata = ["format": "dendrite-lab parameters 1", "epoch": "\(last.epoch)",
                         "architecture": try TrainingSnapshot.json(session.network.spec),
                         "dendrites": try TrainingSnapshot.json(counts),
                         "model": try TrainingSnapshot.json(ModelCard(
                            holds: .best, epoch: last.epoch, spec: session.network.spec, dendrites: counts,
                            activation: experiment.dendrites.activation, inputs: experiment.dendrites.inputs,
                            somaInputs: session.network.somaInputs, data: session.data.train))]
        try best.write(to: writer.bestURL)
    }

    /// Measures the test set on the final and the best-validation parameters and writes
    /// `summary.json`. With dendrites the trainer has already restored its best model
    /// (the switching rule's, design.md 2.2 step 5), so the final model is the best one.
    private func finish() throws -> RunSummary {
        let trainer = session.trainer, net = session.network
        let final = Trainer.evaluate(net, on: session.data.test)
        var test = final
        if experiment.mode == .none, FileManager.default.fileExists(atPath: writer.bestURL.path) {
            let best = try Checkpoint.read(from: writer.bestURL)
            try TrainingSnapshot.loadParameters(best, into: net, file: writer.bestURL.path)
            test = Trainer.evaluate(net, on: session.data.test)
        }
        let history = trainer.history
        let bestRow = history.first { $0.epoch == bestEpoch }
        // Throughput counts training epochs only; wall time is what the user waited: this
        // invocation from start to finish (checkpoints included), plus, after --resume,
        // the epoch times of the invocations before it (their own I/O is not recorded).
        let seconds = history.reduce(0) { $0 + $1.seconds }
        let earlier = history.prefix { $0.epoch <= (resumedAtEpoch ?? 0) }.reduce(0) { $0 + $1.seconds }
        let wall = Date().timeIntervalSince(runStarted) + earlier
        func phaseSeconds(_ p: Phase) -> Double {
            history.reduce(0) { $0 + ($1.phase == p ? $1.seconds : 0) }
        }
        let summary = RunSummary(
            name: experiment.name, dataset: experiment.dataset.name.rawValue, mode: experiment.mode.rawValue,
            seed: experiment.seed, parameters: net.parameterCount, dendriteSets: session.dendriteSets,
            bestValidationAccuracy: bestRow?.validationAccuracy ?? .nan, bestEpoch: bestRow?.epoch ?? 0,
            testAccuracy: test.accuracy, testLoss: test.loss, finalTestAccuracy: final.accuracy,
            epochs: trainer.epoch, wallSeconds: wall,
            samplesPerSecond: seconds > 0 ? Double(trainer.train.count * history.count) / seconds : 0,
            neuronEpochs: trainer.neuronEpochs, dendriteEpochs: trainer.dendriteEpochs,
            neuronSeconds: phaseSeconds(.neuron), dendriteSeconds: phaseSeconds(.dendrite))
        try writer.writeSummary(summary)
        try writer.appendEvent("finished", ["epoch": trainer.epoch, "test_accuracy": Double(test.accuracy),
                                            "best_epoch": summary.bestEpoch])
        return summary
    }
}
