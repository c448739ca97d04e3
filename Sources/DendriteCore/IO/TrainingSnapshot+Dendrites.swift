import Foundation

/// The dendrite half of a checkpoint (modes gd and pb). Metadata "dendrites" holds:
///
///     layers        per perforated layer: its index, dendrite sets, error statistics
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
    }

    /// More dendrite sets than any run grows; a larger count in a file is damage.
    static let maxDendriteSets = 1000

    /// False while a PB dendrite phase runs (its candidates are not checkpointed).
    public static func isRestorable(_ trainer: Trainer) -> Bool {
        trainer.candidates == nil && trainer.learningRateTrial == nil
    }

    static func captureDendrites(_ trainer: Trainer, into ckpt: inout Checkpoint) throws {
        guard trainer.dendriteConfig.mode != .none else { return }
        precondition(isRestorable(trainer), "a dendrite phase in progress cannot be checkpointed")
        let net = trainer.network
        var layers: [DendriteLayerState] = []
        for (i, l) in net.layers.enumerated() {
            if let p = l as? PerforatedLayer {
                layers.append(DendriteLayerState(index: i, dendrites: p.dendrites.count, errorStatistics: p.errorStatistics))
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
                                  best: trainer.best?.dendriteCounts, architectureBest: trainer.architectureBest?.dendriteCounts)
        ckpt.metadata["dendrites"] = try json(state)
    }

    /// Grows the trainer's network to the saved dendrite counts (before its parameters
    /// are loaded); returns the state to finish with `restoreDendriteState`.
    static func prepareDendrites(_ ckpt: Checkpoint, file: String, into trainer: Trainer) throws -> DendriteState? {
        guard trainer.dendriteConfig.mode != .none else { return nil }
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
            p.configure(mode: trainer.dendriteConfig.mode, phase: .neuron)
            p.errorStatistics = s.errorStatistics
        }
        return state
    }

    static func restoreDendriteState(_ state: DendriteState, _ ckpt: Checkpoint, file: String, into trainer: Trainer) throws {
        var byName: [String: Parameter] = [:]
        for p in trainer.network.parameters { byName[p.name] = p }
        func snapshot(_ counts: [Int]?, prefix: String) throws -> NetworkSnapshot? {
            guard let counts else { return nil }
            var values: [(Parameter, Tensor)] = []
            for (name, t) in ckpt.tensors where name.hasPrefix(prefix) {
                let pname = String(name.dropFirst(prefix.count))
                guard let p = byName[pname], p.value.shape == t.shape else {
                    throw CheckpointError(file: file, problem: "snapshot tensor '\(name)' matches no parameter of the network")
                }
                values.append((p, t))
            }
            return NetworkSnapshot(dendriteCounts: counts, values: values)
        }
        trainer.best = try snapshot(state.best, prefix: "best/")
        trainer.architectureBest = try snapshot(state.architectureBest, prefix: "architecture_best/")
        trainer.tracker = state.tracker
        trainer.dendritePhaseEpochs = state.dendritePhaseEpochs
        trainer.stopped = state.stopped
        trainer.dendriteRNG = state.dendriteRNG
        trainer.bestEpoch = state.bestEpoch
        trainer.architectureBestScore = state.architectureBestScore
    }
}
