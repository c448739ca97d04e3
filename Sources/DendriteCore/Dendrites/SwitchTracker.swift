/// When to grow dendrites: the switching rule of Perforated Backpropagation
/// (docs/design.md 2.3), as pure logic over a sequence of per-epoch scores.
///
/// The tracker never touches a network. Once per epoch the trainer reports a score and
/// performs the returned decision: snapshot the model when `isNewBest`, and for
/// `.addDendrites` / `.retryDendrites` / `.stop` first restore that snapshot. Keeping
/// the rule here, apart from training, is what lets it be tested with scripted scores.
public struct SwitchTracker: Codable, Equatable, Sendable {
    public enum Mode: String, Codable, CaseIterable, Sendable {
        /// Switch when validation stops improving (the public library's default).
        case plateau
        /// Add dendrites every `fixedInterval` neuron-phase epochs, never reject them.
        case fixed
        /// Never add dendrites (a plain network).
        case never
    }

    public struct Config: Codable, Equatable, Sendable {
        public var mode: Mode
        /// True when a higher score is better (accuracy); false for losses.
        public var maximize: Bool
        /// Epochs without improvement (against the best of the current phase) that end it.
        public var nEpochsToSwitch: Int
        /// Epochs without a better candidate correlation that end a dendrite phase.
        public var pEpochsToSwitch: Int
        /// Relative gain of the held-out candidate correlation that counts as "better" in
        /// a dendrite phase (0.01: 1% above the phase's best). Below it the phase is only
        /// creeping up; waiting for it costs whole epochs (docs/pb-tuning.md).
        public var pMinimumImprovement: Float
        /// 1%: on MNIST validation data (candidate_lr 0.03) the held-out correlation
        /// peaks within 5-8 P epochs and later epochs move it by under 1% either way
        /// (docs/pb-tuning.md); with any gain counting, phases ran to their cap.
        public static let defaultPMinimumImprovement: Float = 0.01
        /// Longest dendrite phase, in epochs.
        public var maxDendritePhaseEpochs: Int
        /// Neuron-phase length in `.fixed` mode.
        public var fixedInterval: Int
        public var maxDendrites: Int
        /// Attempts per dendrite count (1 + retries with fresh dendrites).
        public var maxDendriteTries: Int
        /// Relative improvement needed, indexed by dendrites added so far (last entry repeats).
        public var improvementThresholds: [Float]
        /// True in PB mode: each addition starts a dendrite (P) phase. False in GD mode.
        public var trainsCandidates: Bool

        public init(mode: Mode = .plateau, maximize: Bool = true, nEpochsToSwitch: Int = 10,
                    pEpochsToSwitch: Int = 3, pMinimumImprovement: Float = Config.defaultPMinimumImprovement, maxDendritePhaseEpochs: Int = 20,
                    fixedInterval: Int = 10, maxDendrites: Int = 3, maxDendriteTries: Int = 2,
                    improvementThresholds: [Float] = [0.001, 0.0001, 0.0],
                    trainsCandidates: Bool = true) {
            self.mode = mode
            self.maximize = maximize
            self.nEpochsToSwitch = nEpochsToSwitch
            self.pEpochsToSwitch = pEpochsToSwitch
            self.pMinimumImprovement = pMinimumImprovement
            self.maxDendritePhaseEpochs = maxDendritePhaseEpochs
            self.fixedInterval = fixedInterval
            self.maxDendrites = maxDendrites
            self.maxDendriteTries = maxDendriteTries
            self.improvementThresholds = improvementThresholds
            self.trainsCandidates = trainsCandidates
        }
    }

    /// What the trainer must do after an epoch.
    public enum Action: String, Codable, Sendable {
        /// Go on in the current phase.
        case keepTraining
        /// Restore the best snapshot, then add one dendrite set (a P phase follows in PB).
        case addDendrites
        /// The last dendrite count did not beat the best: restore the best snapshot (which
        /// has one dendrite set fewer) and add a fresh, newly drawn set in its place.
        case retryDendrites
        /// Dendrite phase over: keep the best candidate snapshot, freeze it, back to N.
        case endDendritePhase
        /// Nothing more to gain: restore the best snapshot and stop training.
        case stop
    }

    public struct Decision: Codable, Equatable, Sendable {
        public var epoch: Int
        public var action: Action
        /// The score just reported is the best so far: the trainer snapshots the model
        /// (in a dendrite phase: the candidates).
        public var isNewBest: Bool
        /// One sentence for logs and the Lab.
        public var reason: String
        public var score: Float
        public var phaseBest: Float
        public var globalBest: Float
        /// Dendrite sets in the network after the action is carried out.
        public var dendrites: Int
    }

    /// Fixed for a run, except that `trainOnWithoutGrowing` turns the mode to `.never`.
    public private(set) var config: Config
    public private(set) var phase: Phase = .neuron
    /// Dendrite sets in the network now (including candidates in training).
    public private(set) var dendrites = 0
    /// Best score ever, and the dendrite count it was reached with.
    public private(set) var globalBest: Float
    public private(set) var globalBestDendrites = 0
    /// Best score of the current neuron phase, and epochs since it last improved.
    public private(set) var phaseBest: Float
    public private(set) var epochsSinceImprovement = 0
    /// Neuron-phase epochs done since the last switch (for `.fixed`).
    public private(set) var phaseEpochs = 0
    /// Failed attempts at the current dendrite count.
    public private(set) var tries = 0
    /// Best score before the current dendrite count was added: the bar it must beat.
    public private(set) var bestBeforeDendrites: Float
    public private(set) var bestCorrelation: Float = -.infinity
    public private(set) var finished = false
    /// Every decision other than "keep training", oldest first.
    public private(set) var log: [Decision] = []

    public init(config: Config = Config()) {
        self.config = config
        let worst: Float = config.maximize ? -.infinity : .infinity
        globalBest = worst
        phaseBest = worst
        bestBeforeDendrites = worst
    }

    private var worst: Float { config.maximize ? -.infinity : .infinity }

    private var threshold: Float {
        let t = config.improvementThresholds
        guard !t.isEmpty else { return 0 }
        return t[min(dendrites, t.count - 1)]
    }

    /// The public library's rule: better by the relative threshold and by at least 1e-5.
    public func improves(_ score: Float, over best: Float) -> Bool {
        if !score.isFinite { return false }
        if !best.isFinite { return true }
        if config.maximize {
            return score * (1 - threshold) > best && score - 1e-5 > best
        }
        return score * (1 + threshold) < best && score + 1e-5 < best
    }

    /// Reports the validation score of a finished neuron-phase epoch.
    public mutating func recordNeuronEpoch(score: Float, epoch: Int) -> Decision {
        // Invariant: the trainer calls this in its neuron phase only, and a restored
        // tracker is checked to be in the neuron phase (`TrainingSnapshot.checkTracker`).
        precondition(phase == .neuron, "recordNeuronEpoch during a dendrite phase")
        phaseEpochs += 1
        let newBest = improves(score, over: globalBest)
        if newBest {
            globalBest = score
            globalBestDendrites = dendrites
        }
        if improves(score, over: phaseBest) {
            phaseBest = score
            epochsSinceImprovement = 0
        } else {
            epochsSinceImprovement += 1
        }
        let (action, reason) = neuronPhaseAction()
        let d = Decision(epoch: epoch, action: action, isNewBest: newBest, reason: reason,
                         score: score, phaseBest: phaseBest, globalBest: globalBest,
                         dendrites: dendrites)
        if action != .keepTraining { log.append(d) }
        return d
    }

    /// The rule itself, applied to the state after the epoch's score was taken in.
    private mutating func neuronPhaseAction() -> (Action, String) {
        if finished { return (.stop, "training already finished") }
        switch config.mode {
        case .never:
            return (.keepTraining, "no dendrites in this mode")
        case .fixed:
            guard phaseEpochs >= config.fixedInterval else {
                return (.keepTraining, "\(phaseEpochs) of \(config.fixedInterval) epochs in this phase")
            }
            guard dendrites < config.maxDendrites else {
                return stop("reached \(config.maxDendrites) dendrite sets")
            }
            return add("fixed interval of \(config.fixedInterval) epochs reached")
        case .plateau:
            guard epochsSinceImprovement >= config.nEpochsToSwitch else {
                return (.keepTraining, epochsSinceImprovement == 0
                        ? "improved" : "\(epochsSinceImprovement) epochs without improvement")
            }
            let plateau = "no improvement for \(epochsSinceImprovement) epochs (phase best \(phaseBest))"
            if dendrites > 0 && !improves(phaseBest, over: bestBeforeDendrites) {
                tries += 1
                if tries < config.maxDendriteTries {
                    let failed = dendrites
                    resetPhase(dendriteCount: dendrites)
                    return (.retryDendrites,
                            "\(plateau); \(failed) dendrite sets did not beat \(bestBeforeDendrites): retry with fresh dendrites")
                }
                let failed = dendrites
                dendrites = globalBestDendrites
                return stop("\(plateau); \(tries) tries at \(failed) dendrite sets did not beat \(bestBeforeDendrites)")
            }
            guard dendrites < config.maxDendrites else {
                return stop("\(plateau); reached \(config.maxDendrites) dendrite sets")
            }
            return add(plateau)
        }
    }

    private mutating func add(_ reason: String) -> (Action, String) {
        bestBeforeDendrites = globalBest
        tries = 0
        resetPhase(dendriteCount: dendrites + 1)
        return (.addDendrites, reason)
    }

    private mutating func stop(_ reason: String) -> (Action, String) {
        finished = true
        return (.stop, reason)
    }

    private mutating func resetPhase(dendriteCount: Int) {
        dendrites = dendriteCount
        phaseBest = worst
        epochsSinceImprovement = 0
        phaseEpochs = 0
        bestCorrelation = -.infinity
        if config.trainsCandidates { phase = .dendrite }
    }

    /// Reports the candidates' correlation (sign-consistent, measured on a fixed held-out
    /// subset) after a dendrite-phase epoch. `epochsInPhase` counts from 1. The phase ends
    /// when the correlation has not beaten the phase's best by `pMinimumImprovement`
    /// (relative) for `pEpochsToSwitch` epochs, or at the cap.
    public mutating func recordDendriteEpoch(correlation: Float, epoch: Int, epochsInPhase: Int) -> Decision {
        // Invariant: only the trainer's dendrite phase calls this, and it starts one
        // only through the tracker's own decision (checkpoints never hold one).
        precondition(phase == .dendrite, "recordDendriteEpoch during a neuron phase")
        let bar = bestCorrelation + max(1e-6, config.pMinimumImprovement * abs(bestCorrelation))
        let newBest = correlation.isFinite && (bestCorrelation == -.infinity || correlation > bar)
        if newBest {
            bestCorrelation = correlation
            epochsSinceImprovement = 0
        } else {
            epochsSinceImprovement += 1
        }
        var reason = newBest ? "correlation improved to \(correlation)" : "correlation \(correlation), best \(bestCorrelation)"
        if epochsSinceImprovement >= config.pEpochsToSwitch {
            reason = "correlation has not improved for \(epochsSinceImprovement) epochs (best \(bestCorrelation))"
        } else if epochsInPhase >= config.maxDendritePhaseEpochs {
            reason = "dendrite phase reached its cap of \(config.maxDendritePhaseEpochs) epochs (best \(bestCorrelation))"
        } else {
            return Decision(epoch: epoch, action: .keepTraining, isNewBest: newBest, reason: reason,
                            score: correlation, phaseBest: bestCorrelation, globalBest: globalBest,
                            dendrites: dendrites)
        }
        var d = endDendritePhase(reason: reason, epoch: epoch)
        d.isNewBest = newBest
        d.score = correlation
        return d
    }

    /// Ends the running dendrite phase now (the stop rule above, the cap, or a request
    /// such as the Lab's D key): the trainer accepts the best candidates and N resumes.
    @discardableResult
    public mutating func endDendritePhase(reason: String, epoch: Int) -> Decision {
        // Invariant: the Trainer calls this only in the phase named (it checks `phase` first; canTrainOn guards training on).
        precondition(phase == .dendrite, "endDendritePhase during a neuron phase")
        phase = .neuron
        epochsSinceImprovement = 0
        phaseEpochs = 0
        let d = Decision(epoch: epoch, action: .endDendritePhase, isNewBest: false, reason: reason,
                         score: .nan, phaseBest: bestCorrelation, globalBest: globalBest,
                         dendrites: dendrites)
        log.append(d)
        return d
    }

    /// A switch requested by the user (the Lab's D key): add dendrites now, as if the
    /// neuron phase had plateaued and been accepted.
    /// After the rule has stopped, keeps training the neurons of the best architecture
    /// with no further automatic switches (the Lab's free play: a learner's play is not
    /// ended by a dendrite decision). `forceAddDendrites` still adds sets on request.
    public mutating func trainOnWithoutGrowing() {
        // Invariant: the Trainer calls this only in the phase named (it checks `phase` first; canTrainOn guards training on).
        precondition(finished && phase == .neuron, "train on only after the rule stopped in a neuron phase")
        finished = false
        config.mode = .never
        epochsSinceImprovement = 0
    }

    public mutating func forceAddDendrites(epoch: Int, reason: String = "added on request") -> Decision {
        bestBeforeDendrites = globalBest
        tries = 0
        finished = false
        resetPhase(dendriteCount: dendrites + 1)
        let d = Decision(epoch: epoch, action: .addDendrites, isNewBest: false,
                         reason: reason, score: .nan, phaseBest: phaseBest,
                         globalBest: globalBest, dendrites: dendrites)
        log.append(d)
        return d
    }
}
