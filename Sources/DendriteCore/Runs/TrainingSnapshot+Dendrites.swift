import Foundation

/// The dendrite half of a checkpoint (modes gd and pb). Metadata "dendrites" holds:
///
///     layers        per perforated layer: its index, dendrite sets, error statistics
///     synapses/<set>  tensors: the inputs of sampled dendrite sets ([C, k] indices)
///     tracker       the whole `SwitchTracker` (config, phase, bests, counters, log)
///     trainer       dendrite-phase epochs, stopped flag, dendrite RNG, best epoch and
///                   the best score of the current architecture
///     best, architectureBest   dendrite counts of the two in-memory snapshots the
///                   trainer restores from; their values are tensors "best/<param>" and
///                   "architecture_best/<param>"
///
/// A PB dendrite phase in progress (live candidates, their Adam state and correlation
/// statistics) is not saved: `isRestorable` is false then, the run keeps the checkpoint
/// of the last neuron-phase epoch, and a resumed run replays the dendrite phase from
/// there, deterministically, so it still ends exactly as an uninterrupted run.
extension TrainingSnapshot {
    struct DendriteLayerState: Codable {
        var index: Int
        var dendrites: Int
        var errorStatistics: RunningMoments
    }

    struct DendriteState: Codable {
        var layers: [DendriteLayerState]
        var tracker: SwitchTracker
        var dendritePhaseEpochs: Int
        var stopped: Bool
        var dendriteRNG: RNG
        var bestEpoch: Int
        var architectureBestScore: Float
        var best: [Int]?
        var architectureBest: [Int]?
        /// The rate the best model was trained with (absent in checkpoints written before
        /// it was kept: such a run restores the best weights at the current rate).
        var bestLearningRate: Float?
    }

    /// More dendrite sets than any run grows; a larger count in a file is damage.
    static let maxDendriteSets = 1000

    /// False while a PB dendrite phase runs (its candidates are not checkpointed).
    public static func isRestorable(_ trainer: Trainer) -> Bool {
        trainer.candidates == nil && trainer.learningRateTrial == nil
    }

    static func captureDendrites(_ trainer: Trainer, into ckpt: inout Checkpoint) throws {
        guard trainer.dendriteMode != .none else { return }
        // Invariant: callers check `isRestorable` first (ExperimentRun, the Lab's save).
        precondition(isRestorable(trainer), "a dendrite phase in progress cannot be checkpointed")
        let net = trainer.network
        var layers: [DendriteLayerState] = []
        for (i, l) in net.layers.enumerated() {
            if let p = l as? PerforatedLayer {
                layers.append(DendriteLayerState(index: i, dendrites: p.dendrites.count, errorStatistics: p.errorStatistics))
                ckpt.tensors += p.synapseTensors()
            }
        }
        func add(_ snapshot: NetworkSnapshot?, prefix: String) {
            guard let snapshot else { return }
            for (p, v) in snapshot.values { ckpt.tensors.append((prefix + p.name, v)) }
        }
        add(trainer.best, prefix: "best/")
        add(trainer.architectureBest, prefix: "architecture_best/")
        let state = DendriteState(layers: layers, tracker: trainer.tracker, dendritePhaseEpochs: trainer.dendritePhaseEpochs,
                                  stopped: trainer.stopped, dendriteRNG: trainer.dendriteRNG, bestEpoch: trainer.bestEpoch,
                                  architectureBestScore: trainer.architectureBestScore,
                                  best: trainer.best?.dendriteCounts, architectureBest: trainer.architectureBest?.dendriteCounts,
                                  bestLearningRate: trainer.bestLearningRate)
        ckpt.metadata["dendrites"] = try json(state)
    }

    /// Grows the trainer's network to the saved dendrite counts (before its parameters
    /// are loaded); returns the state to finish with `restoreDendriteState`.
    static func prepareDendrites(_ ckpt: Checkpoint, file: String, into trainer: Trainer) throws -> DendriteState? {
        guard trainer.dendriteMode != .none else { return nil }
        let state = try document(DendriteState.self, "dendrites", in: ckpt, file: file)
        var scratch = RNG(seed: 0)   // shapes only: the values are loaded next
        for s in state.layers {
            guard trainer.network.layers.indices.contains(s.index), let p = trainer.network.layers[s.index] as? PerforatedLayer else {
                throw CheckpointError(file: file, problem: "layer \(s.index) has dendrites in the checkpoint but is not perforated in this run")
            }
            guard (0...maxDendriteSets).contains(s.dendrites) else {
                throw CheckpointError(file: file, problem: "layer \(s.index) has \(s.dendrites) dendrite sets; expected 0 to \(maxDendriteSets)")
            }
            guard s.errorStatistics.mean.count == p.neuronCount, s.errorStatistics.variance.count == p.neuronCount else {
                throw CheckpointError(file: file, problem: "layer \(s.index) error statistics cover \(s.errorStatistics.mean.count) neurons; expected \(p.neuronCount)")
            }
            p.truncateDendrites(to: 0)
            for _ in 0..<s.dendrites { p.addDendriteSet(rng: &scratch) }
            if let problem = p.loadSynapses({ ckpt[$0] }) { throw CheckpointError(file: file, problem: problem) }
            p.configure(mode: trainer.dendriteMode, phase: .neuron)
            p.errorStatistics = s.errorStatistics
        }
        return state
    }

    static func restoreDendriteState(_ state: DendriteState, _ ckpt: Checkpoint, file: String, into trainer: Trainer) throws {
        var byName: [String: Parameter] = [:]
        for p in trainer.network.parameters { byName[p.name] = p }
        let current = trainer.network.perforatedLayers.map { $0.dendrites.count }
        // A snapshot is checked against its own architecture: its counts cover every
        // perforated layer. One taken before a stop restored a smaller best model holds
        // dendrite sets the network no longer has; in the live run restoring it set
        // only the parameters still present (truncation never grows), so those extra
        // tensors are skipped here too. Any other stray or misshapen tensor is damage.
        func snapshot(_ counts: [Int]?, prefix: String) throws -> NetworkSnapshot? {
            guard let counts else { return nil }
            guard counts.count == current.count, counts.allSatisfy({ (0...maxDendriteSets).contains($0) }) else {
                throw CheckpointError(file: file, problem: "snapshot '\(prefix.dropLast())' has dendrite counts \(counts) for \(current.count) layers with dendrites (\(current))")
            }
            let larger = zip(counts, current).contains { $0 > $1 }
            var values: [(Parameter, Tensor)] = []
            for (name, t) in ckpt.tensors where name.hasPrefix(prefix) {
                let pname = String(name.dropFirst(prefix.count))
                guard let p = byName[pname] else {
                    if larger { continue }
                    throw CheckpointError(file: file, problem: "snapshot tensor '\(name)' matches no parameter of the network (dendrites \(current), snapshot \(counts))")
                }
                guard p.value.shape == t.shape else {
                    throw CheckpointError(file: file, problem: "snapshot tensor '\(name)' has shape \(t.shape), the network's '\(pname)' has \(p.value.shape)")
                }
                values.append((p, t))
            }
            return NetworkSnapshot(dendriteCounts: counts, values: values)
        }
        try checkTracker(state, current: current, file: file, into: trainer)
        trainer.best = try snapshot(state.best, prefix: "best/")
        trainer.architectureBest = try snapshot(state.architectureBest, prefix: "architecture_best/")
        trainer.tracker = state.tracker
        trainer.dendritePhaseEpochs = state.dendritePhaseEpochs
        trainer.stopped = state.stopped
        trainer.dendriteRNG = state.dendriteRNG
        trainer.bestEpoch = state.bestEpoch
        trainer.bestLearningRate = state.bestLearningRate
        trainer.architectureBestScore = state.architectureBestScore
    }
}

extension TrainingSnapshot {
    /// The switch tracker must agree with the trainer it drives: the same settings, the
    /// same dendrite count (a stopped run may have restored a best model with fewer
    /// sets), and a neuron phase, since checkpoints are never taken inside a PB dendrite
    /// phase. Otherwise the tracker's own preconditions would stop the resumed run.
    static func checkTracker(_ state: DendriteState, current: [Int], file: String, into trainer: Trainer) throws {
        let t = state.tracker
        guard state.dendriteRNG.isUsable else {
            throw CheckpointError(file: file, problem: "dendrite rng state \(state.dendriteRNG.state) is not 4 words, not all zero (corrupt file?)")
        }
        let grown = current.max() ?? 0
        func fail(_ problem: String) -> CheckpointError { CheckpointError(file: file, problem: "switch tracker \(problem)") }
        // A run that trains on after the rule ended growth has its tracker switched to
        // `.never` (SwitchTracker.trainOnWithoutGrowing); every other setting must match.
        var expected = trainer.dendriteConfig.trackerConfig(mode: trainer.dendriteMode)
        if t.config.mode == .never { expected.mode = .never }
        guard t.config == expected else {
            throw fail("settings differ from the experiment's dendrite settings")
        }
        guard t.phase == .neuron else { throw fail("is in phase \(t.phase); checkpoints are taken in the neuron phase only") }
        guard t.dendrites == grown || (state.stopped && t.dendrites >= grown) else {
            throw fail("counts \(t.dendrites) dendrite sets but the network has \(grown)")
        }
        guard current.allSatisfy({ $0 == grown }) else { throw fail("layers hold different dendrite counts \(current); all grow together") }
    }
}
