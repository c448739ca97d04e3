/// The dendrite cycle of design.md 2.2 on top of the plain training loop: driving the
/// `SwitchTracker` once per epoch and carrying out what it decides.
extension Trainer {
    /// The score the tracker judges: validation accuracy (or loss when the tracker
    /// minimises), falling back to the training numbers without a validation set.
    func switchScore(_ m: EpochMetrics) -> Float {
        let maximize = tracker.config.maximize
        let hasValidation = validation.count > 0
        if maximize { return hasValidation ? m.validationAccuracy : m.trainAccuracy }
        return hasValidation ? m.validationLoss : m.trainLoss
    }

    func applySwitchingRule(_ m: EpochMetrics) {
        if phase == .dendrite, let candidates {
            dendritePhaseEpochs += 1
            let heldOut = candidates.recordMeasurement(candidates.measure(network: network, on: candidateSubset()))
            emit(.candidateCorrelation(epoch: epoch, epochInPhase: dendritePhaseEpochs, heldOut: Float(heldOut),
                                       batch: Float(candidates.batchHistory.last ?? .nan)))
            let d = tracker.recordDendriteEpoch(correlation: Float(heldOut), epoch: epoch, epochsInPhase: dendritePhaseEpochs)
            if d.action == .endDendritePhase {
                emit(.decision(epoch: epoch, message: d.reason))
                acceptCandidates(reason: d.reason)
            }
        } else {
            let score = switchScore(m)
            let d = tracker.recordNeuronEpoch(score: score, epoch: epoch)
            if d.isNewBest {
                best = network.snapshot()
                bestEpoch = epoch
                bestLearningRate = optimizer.learningRate
            }
            if tracker.improves(score, over: architectureBestScore) || architectureBest == nil {
                architectureBest = network.snapshot()
                architectureBestScore = score
            }
            advanceLearningRateTrial(score: score, keepTraining: d.action == .keepTraining)
            switch d.action {
            case .keepTraining, .endDendritePhase:
                break
            case .addDendrites:
                // Grow from the best weights of the current architecture. (The global best
                // can have fewer dendrites in fixed-interval mode, which never rejects.)
                emit(.decision(epoch: epoch, message: d.reason))
                if let a = architectureBest { network.restore(a) }
                beginAddingDendrites(reason: d.reason)
            case .retryDendrites:
                emit(.decision(epoch: epoch, message: d.reason))
                restoreBest()
                beginAddingDendrites(reason: d.reason)
            case .stop:
                let restored = restoreBest()
                stopped = true
                emit(.decision(epoch: epoch, message: "\(d.reason); \(restored)"))
            }
        }
        if isFinished && !stopped {
            // Out of epochs: end as the rule would, with the best model.
            if phase == .dendrite { candidatesDiscarded() }
            let restored = restoreBest()
            stopped = true
            emit(.decision(epoch: epoch, message: "epoch budget used up; \(restored)"))
        }
    }

    /// Forces a switch now (the Lab's D key). In the neuron phase: adds a dendrite set
    /// (PB: starts a dendrite phase), without restoring the best snapshot first. In a
    /// dendrite phase: ends it, accepting each neuron's best candidate so far.
    /// Returns false in mode none.
    @discardableResult
    public func addDendritesNow() -> Bool {
        guard dendriteMode != .none else { return false }
        if phase == .dendrite {
            let reason = "dendrite phase ended on request"
            tracker.endDendritePhase(reason: reason, epoch: epoch)
            emit(.decision(epoch: epoch, message: reason))
            acceptCandidates(reason: reason)
            return true
        }
        let d = tracker.forceAddDendrites(epoch: epoch)
        stopped = false
        emit(.decision(epoch: epoch, message: d.reason))
        beginAddingDendrites(reason: d.reason)
        return true
    }

    /// Soma inputs off (`DendriteConfig.somaInputs`): a neuron without dendrites sees no
    /// input, it is only its bias, so before the first step the first dendrite set is
    /// grown at once, as the D key grows one (PB: training starts with a dendrite phase).
    /// Counts toward `maxDendrites` like any other set.
    func growFirstBranchesIfBlind() {
        guard dendriteMode != .none, !dendriteConfig.somaInputs, !stopped, phase == .neuron, candidates == nil,
              !network.perforatedLayers.isEmpty, network.dendriteCount == 0 else { return }
        let d = tracker.forceAddDendrites(epoch: epoch, reason: "soma inputs are off: a neuron without dendrites sees no input, so the first dendrite set grows at once")
        emit(.decision(epoch: epoch, message: d.reason))
        beginAddingDendrites(reason: d.reason)
    }

    /// Whether the switching rule (not the epoch budget or a divergence) ended training,
    /// so the neurons of the restored best model could train on.
    public var canTrainOn: Bool {
        stopped && tracker.finished && phase == .neuron && divergence == nil && neuronEpochs < config.epochs
    }

    /// Trains on after the switching rule stopped: the best model (already restored)
    /// keeps learning with no more automatic dendrite additions. Returns false, changing
    /// nothing, unless `canTrainOn`.
    @discardableResult
    public func trainOnWithoutGrowing() -> Bool {
        guard canTrainOn else { return false }
        tracker.trainOnWithoutGrowing()
        stopped = false
        emit(.decision(epoch: epoch, message: "training on with the best model's \(network.dendriteCount) dendrite sets; no more are added automatically"))
        return true
    }

    /// Lets a finished run go on after its epoch budget was raised (`--resume --epochs N`):
    /// a run its budget ended continues under the switching rule; one the rule ended
    /// trains its best model's neurons on without growing. False, changing nothing, when
    /// the run diverged, is inside a dendrite phase or has no epochs left.
    @discardableResult
    public func continueAfterRaisedBudget() -> Bool {
        guard stopped, divergence == nil, phase == .neuron, neuronEpochs < config.epochs else { return false }
        if tracker.finished { return trainOnWithoutGrowing() }
        stopped = false
        emit(.decision(epoch: epoch, message: "epoch budget raised to \(config.epochs); training goes on"))
        return true
    }

    /// Ends training on the best model; says which, since the run may have grown more sets
    /// than the model it keeps (the rule stops at its maximum, the best came before).
    @discardableResult
    private func restoreBest() -> String {
        guard let best else { return "kept the last model" }
        network.restore(best)
        if let bestLearningRate { optimizer.learningRate = bestLearningRate }
        return "restored the best model (epoch \(bestEpoch), \(network.dendriteCount) dendrite sets)"
    }

    /// GD: inserts a dendrite set in every perforated layer and goes on training.
    /// Either way the architecture changes, so its best-so-far starts over.
    /// PB: starts candidates in every perforated layer and enters the dendrite phase.
    private func beginAddingDendrites(reason: String) {
        let layers = network.perforatedLayers
        architectureBest = nil
        architectureBestScore = tracker.config.maximize ? -.infinity : .infinity
        switch dendriteMode {
        case .none:
            return
        case .gd:
            for l in layers { l.addDendriteSet(rng: &dendriteRNG, scale: dendriteConfig.candidateInitScale) }
            optimizer.reset()
            emit(.dendriteAdded(epoch: epoch, dendrites: network.dendriteCount,
                                layers: layers.map { "\($0.name) (\($0.neuronCount) neurons)" },
                                correlations: []))
        case .pb:
            candidates = CandidateTrainer(layers: layers, optimizer: Adam(learningRate: dendriteConfig.candidateLearningRate,
                                                                                   weightDecay: dendriteConfig.candidateWeightDecay),
                                          statisticsRate: dendriteConfig.statisticsRate,
                                          initScale: dendriteConfig.candidateInitScale, poolSize: dendriteConfig.candidatePool,
                                          rng: &dendriteRNG)
            dendritePhaseEpochs = 0
            dendritePhaseValidation = nil
            learningRateTrial = nil
            emit(.phaseChanged(epoch: epoch, from: .neuron, to: .dendrite, reason: reason))
        }
    }

    /// Accepts, per neuron, the best-correlated candidate of its pool as a frozen dendrite
    /// (A = 0) and resumes N (the tracker has already ended the phase), starting the
    /// learning-rate trial.
    private func acceptCandidates(reason: String) {
        guard let candidates else { return }
        let layers = candidates.layers
        let correlations = candidates.bestCorrelations.map { c in
            Float(c.reduce(0, +) / Double(max(c.count, 1)))
        }
        candidates.accept()
        self.candidates = nil
        optimizer.reset()
        beginLearningRateTrial()
        emit(.dendriteAdded(epoch: epoch, dendrites: network.dendriteCount,
                            layers: layers.map { "\($0.name) (\($0.neuronCount) neurons)" },
                            correlations: correlations))
        emit(.phaseChanged(epoch: epoch, from: .dendrite, to: .neuron, reason: reason))
    }

    private func candidatesDiscarded() {
        for l in network.perforatedLayers { l.discardCandidate() }
        candidates = nil
        if tracker.phase == .dendrite { tracker.endDendritePhase(reason: "candidates discarded", epoch: epoch) }
    }

    /// The fixed held-out subset on which candidate correlation is measured once per P
    /// epoch, as a whole (not per training batch): samples the candidates never train on
    /// (the validation set; the training set when there is none or the config asks for
    /// it), so the stop rule and the pool's choice see generalisation, not batch noise.
    private func candidateSubset() -> Dataset {
        if let evaluationSubset { return evaluationSubset }
        let heldOut = validation.count > 0 && dendriteConfig.correlationSubset == .validation
        let source = heldOut ? validation : train
        let n = min(source.count, max(dendriteConfig.evaluationSamples, 1))
        var r = RNG(seed: config.seed ^ 0x5B5E7)
        var idx = Array(0..<source.count)
        r.shuffle(&idx)
        let s = source.subset(Array(idx[..<n]), name: source.name + "/correlation")
        evaluationSubset = s
        return s
    }
}
