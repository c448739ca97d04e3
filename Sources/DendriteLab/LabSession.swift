import DendriteCore

/// The model side of the Lab: dataset, network and `Trainer`, built from a `LabConfig`
/// (an `Experiment`).
/// It only calls the core's public training API (stepBatch, runEpoch, events); it never
/// computes a gradient or an update itself.
public final class LabSession {
    public private(set) var config: LabConfig
    public private(set) var network: Network
    public private(set) var trainer: Trainer
    public private(set) var train: Dataset
    public private(set) var validation: Dataset
    /// Parameter values right after construction, for `reset()` and its test.
    public private(set) var initialParameters: [Tensor]
    /// Phase changes, dendrite additions and decisions since the last reset (no batches).
    public private(set) var events: [TrainingEvent] = []
    /// Optimisation steps since the last reset.
    public private(set) var batchesRun = 0
    /// Changes whenever parameters or data change, so views know to re-probe.
    public private(set) var version = 0
    /// Loss of the most recent batch.
    public private(set) var lastBatchLoss: Float = .nan

    /// Why the last rebuild was refused (the previous session was kept), until read
    /// with `takeRefusal()`; the controller shows it in the status line.
    public private(set) var refusal: String?

    /// A config that fails validation (a csv file changed on disk, say) opens the
    /// default playground instead, with the reason in `refusal`.
    public init(config: LabConfig = LabConfig()) {
        var c = config
        let built: (Network, Trainer, Dataset, Dataset)
        do {
            built = try LabSession.build(config)
        } catch {
            refusal = "\(error)"
            c = LabConfig()
            // Invariant: the default playground (xor, a small MLP) always validates;
            // LabSessionValidationTests builds it.
            built = try! LabSession.build(c)
        }
        self.config = c
        (network, trainer, train, validation) = built
        initialParameters = network.parameters.map(\.value)
        subscribe()
    }

    /// Builds through `ExperimentSession`, exactly as `dendrite-lab train` does, so the
    /// Lab and a headless run of the same experiment train the same network (and the
    /// experiment is validated against its data the same way).
    private static func build(_ c: LabConfig) throws -> (Network, Trainer, Dataset, Dataset) {
        let s = try ExperimentSession(c.trainingExperiment)
        return (s.network, s.trainer, s.data.train, s.data.validation)
    }

    /// The refusal of the last rebuild, once.
    public func takeRefusal() -> String? {
        defer { refusal = nil }
        return refusal
    }

    private func subscribe() {
        trainer.onEvent { [weak self] event in
            guard let self else { return }
            switch event {
            case .batchDone(_, _, _, let loss): self.lastBatchLoss = loss
            case .epochDone: break
            default: self.events.append(event)
            }
        }
    }

    // MARK: Training (through the core)

    /// One optimisation step on the next batch.
    public func stepBatch() {
        trainer.stepBatch()
        batchesRun += 1
        version += 1
    }

    /// Steps until the current epoch ends.
    public func stepEpoch() {
        repeat { stepBatch() } while trainer.batchInEpoch != 0 && trainer.divergence == nil
    }

    /// Asks the core to add a dendrite set now. Returns a sentence for the status line.
    public func addDendritesNow() -> String {
        guard config.mode != .none else { return "Mode is 'none': press M to choose gd or pb before adding dendrites." }
        let wasDendritePhase = trainer.phase == .dendrite
        guard trainer.addDendritesNow() else { return "The trainer did not add dendrites." }
        version += 1
        if wasDendritePhase { return "Dendrite phase ended: the best candidates became dendrite set \(dendriteSets)." }
        if trainer.phase == .dendrite { return "Dendrite phase: one candidate per neuron learns to correlate with its error." }
        return "Added dendrite set \(dendriteSets) (trained with everything else by backprop)."
    }

    // MARK: Rebuilding

    /// Back to the initial weights of this config (same seed), with empty history.
    public func reset() { rebuild(config) }

    /// Changes the config and rebuilds (dataset, noise, seed, mode).
    public func reconfigure(_ change: (inout LabConfig) -> Void) {
        var c = config
        change(&c)
        rebuild(c)
    }

    /// On a validation error the previous session stays and `refusal` says why.
    private func rebuild(_ c: LabConfig) {
        do {
            (network, trainer, train, validation) = try LabSession.build(c)
        } catch {
            refusal = "\(error)"
            return
        }
        config = c
        initialParameters = network.parameters.map(\.value)
        events = []
        batchesRun = 0
        lastBatchLoss = .nan
        version += 1
        subscribe()
    }

    /// Replaces the run with the one saved in `ckpt`: its experiment, the network with
    /// its dendrite sets, the optimizer, trainer state and history, so training goes on
    /// from there. Only 2-D problems fit the Lab. On any error nothing changes.
    public func restore(_ ckpt: Checkpoint, file: String) throws {
        let experiment = try TrainingSnapshot.document(Experiment.self, "experiment", in: ckpt, file: file)
        guard experiment.network.inputShape.reduce(1, *) == 2 else {
            throw CheckpointError(file: file, problem: "holds a \(experiment.dataset.name.rawValue) network on \(experiment.network.inputShape) inputs; the Lab plays 2-D problems only")
        }
        try experiment.validate(source: file)
        let c = LabConfig(experiment: experiment)
        let s = try ExperimentSession(c.trainingExperiment, source: file)
        let fresh = s.network.parameters.map(\.value)
        try TrainingSnapshot.restore(ckpt, file: file, into: s.trainer)
        config = c
        (network, trainer, train, validation) = (s.network, s.trainer, s.data.train, s.data.validation)
        initialParameters = fresh
        events = []
        batchesRun = 0
        lastBatchLoss = .nan
        version += 1
        subscribe()
    }

    // MARK: Read-only summaries

    public var history: [EpochMetrics] { trainer.history }
    /// True once the switching rule has ended the run (best model restored); further
    /// steps would only be undone, so the Lab pauses.
    /// Also true after a divergence (NaN or infinity), when only a reset helps.
    public var isFinished: Bool { trainer.stopped }
    /// Where training went non-finite, if it did.
    public var divergence: Divergence? { trainer.divergence }
    public var phase: Phase { trainer.phase }
    /// Dendrite sets added so far (per layer; the most any layer has).
    public var dendriteSets: Int { network.dendriteCount }
    public var parameterCount: Int { network.parameterCount }
}
