/// When dendrites are added and how candidates learn (design.md 2.2-2.3): the `dendrites:`
/// section of an experiment file and the trainer's dendrite settings, one value for both.
/// Defaults are the public library's where it has one. Which dendrites take part at all
/// (none, GD, PB) is the experiment's `mode`, given to the trainer next to this value.
///
/// The Codable keys are the property names (sweep plans store experiments as JSON);
/// `evaluationSamples` is not one of them, as experiment files cannot set it.
public struct DendriteConfig: Codable, Equatable, Sendable {
    /// When to switch: the tracker's own modes (plateau, fixed interval, never).
    public typealias SwitchMode = SwitchTracker.Mode

    /// The validation quantity that decides switches.
    public enum Score: String, Codable, CaseIterable, Sendable {
        case accuracy, loss
    }

    /// Where candidate correlation is measured: held-out validation samples (the default),
    /// or the training set (PB before issue 14; the toy lessons keep it, docs/pb-tuning.md).
    public enum CorrelationSubset: String, Codable, CaseIterable, Sendable { case validation, train }

    /// The error E a neuron's candidates correlate with (design.md 2.2 step 1):
    /// `preactivation` is dL/dy at the neuron's own output y (PB as designed), which is 0
    /// wherever a ReLU after the neuron is off, so a candidate can never learn to switch
    /// a silent neuron on; `output` is dL/dh at the output h of the activation layer
    /// directly after it (the gradient entering the ReLU, before its gate), the same as
    /// `preactivation` for a neuron with no activation layer after it.
    public enum ErrorSignal: String, Codable, CaseIterable, Sendable { case preactivation, output }

    /// Most dendrite sets a neuron may get.
    public var maxDendrites: Int
    public var switchMode: SwitchMode
    /// Neuron phase: epochs without improvement (within the phase) before switching.
    public var nEpochsToSwitch: Int
    /// Dendrite (P) phase: epochs without a better correlation before it ends.
    public var pEpochsToSwitch: Int
    /// Dendrite (P) phase: at most this many epochs.
    public var maxPEpochs: Int
    /// Dendrite (P) phase: relative gain of the held-out correlation that counts as better.
    public var pMinimumImprovement: Float
    /// Dendrite (P) phase: candidates trained per neuron; the best-correlated is kept.
    public var candidatePool: Int
    /// After a PB switch: epochs per learning rate tried (original, one decay step); 0 = off.
    public var learningRateTrialEpochs: Int
    /// Dendrite (P) phase: measure candidate correlation on validation or training samples.
    public var correlationSubset: CorrelationSubset
    /// `fixed` switching: epochs per phase.
    public var fixedInterval: Int
    /// Adam learning rate of the candidates in the P phase.
    public var candidateLearningRate: Float
    /// New dendrite and candidate weights are drawn as candidateInitScale * N(0, 1).
    public var candidateInitScale: Float
    /// Attempts per dendrite count before growth stops (1 = no retry).
    public var maxDendriteTries: Int
    /// Rate of the running error and correlation statistics (design.md 2.2: 0.01).
    public var statisticsRate: Double
    /// Relative improvement needed to count as better, indexed by dendrite sets added.
    public var improvementThresholds: [Float]
    public var score: Score
    /// Indices into `network.layers` of the layers that grow dendrites; nil = every
    /// dense and conv layer.
    public var layers: [Int]?
    public var activation: DendriteActivation
    /// Which inputs each dendrite and candidate sees (all, or k by a sampling rule).
    public var inputs: DendriteInputs {
        get { sampledInputs ?? .all }
        set { sampledInputs = newValue == .all ? nil : newValue }
    }
    /// `inputs` as stored: nil for `.all`, so JSON without the key (sweep plans and
    /// checkpoints from before sampling) decodes to `.all`, and `.all` encodes as before.
    private var sampledInputs: DendriteInputs?
    /// Whether a neuron with dendrites keeps its own input weights W (the soma's direct
    /// path, design.md 2.1; the default). False holds W at 0 and never trains it, so the
    /// neuron sees its inputs only through its branches, as most synapses of a real
    /// neuron sit on dendrites (Gidon et al., Science 367:83, 2020, compare units whose
    /// input goes through the branch). A branch-less neuron is then only its bias, so
    /// the trainer grows the first dendrite set at the first step (PB: a dendrite phase
    /// first). Applies to layers with dendrites: in mode none it changes nothing.
    public var somaInputs: Bool {
        get { storedSomaInputs ?? true }
        set { storedSomaInputs = newValue ? nil : false }
    }
    /// `somaInputs` as stored: nil when on, so JSON without the key (sweep plans and
    /// checkpoints from before the option) decodes to on, and on encodes as before.
    private var storedSomaInputs: Bool?
    /// What the candidates correlate with (and what the running error statistics track).
    public var errorSignal: ErrorSignal {
        get { storedErrorSignal ?? .preactivation }
        set { storedErrorSignal = newValue == .preactivation ? nil : newValue }
    }
    /// `errorSignal` as stored: nil for the default, so JSON without the key (sweep plans
    /// and checkpoints from before the option) decodes to it, and it encodes as before.
    private var storedErrorSignal: ErrorSignal?
    /// Every dendrite's output weight A learns at this multiple of the optimizer's rate
    /// (both modes). In PB, A is all a frozen set adds that trains, and from A = 0 at
    /// Adam's rate it may still be moving when the neuron phase plateaus.
    public var outputLearningRateScale: Float {
        get { storedOutputLearningRateScale ?? 1 }
        set { storedOutputLearningRateScale = newValue == 1 ? nil : newValue }
    }
    /// `outputLearningRateScale` as stored: nil for 1, so older JSON decodes to it and 1
    /// encodes as before.
    private var storedOutputLearningRateScale: Float?
    /// L2 weight decay of the candidates' Adam (coupled, as torch's): keeps candidates
    /// from growing sharp. 0 = none.
    public var candidateWeightDecay: Float {
        get { storedCandidateWeightDecay ?? 0 }
        set { storedCandidateWeightDecay = newValue == 0 ? nil : newValue }
    }
    /// `candidateWeightDecay` as stored: nil for 0, so older JSON decodes to it and 0
    /// encodes as before.
    private var storedCandidateWeightDecay: Float?
    /// Size of the fixed held-out subset (drawn as `correlationSubset` says) on which
    /// candidate correlation is measured. Not encoded: always the default when decoded.
    public var evaluationSamples: Int = DendriteConfig.defaultEvaluationSamples

    enum CodingKeys: String, CodingKey {
        case maxDendrites, switchMode, nEpochsToSwitch, pEpochsToSwitch, maxPEpochs, pMinimumImprovement
        case candidatePool, learningRateTrialEpochs, correlationSubset, fixedInterval, candidateLearningRate
        case candidateInitScale, maxDendriteTries, statisticsRate, improvementThresholds, score, layers, activation
        case sampledInputs = "inputs"
        case storedSomaInputs = "somaInputs"
        case storedErrorSignal = "errorSignal"
        case storedOutputLearningRateScale = "outputLearningRateScale"
        case storedCandidateWeightDecay = "candidateWeightDecay"
    }

    public init(maxDendrites: Int = 3, switchMode: SwitchMode = .plateau, nEpochsToSwitch: Int = 10,
                pEpochsToSwitch: Int = 3, maxPEpochs: Int = 20,
                pMinimumImprovement: Float = SwitchTracker.Config.defaultPMinimumImprovement,
                candidatePool: Int = DendriteConfig.defaultPool,
                learningRateTrialEpochs: Int = DendriteConfig.defaultLearningRateTrialEpochs,
                correlationSubset: CorrelationSubset = .validation, fixedInterval: Int = 10,
                candidateLearningRate: Float = 1e-3, candidateInitScale: Float = 0.01,
                maxDendriteTries: Int = 2, statisticsRate: Double = 0.01, improvementThresholds: [Float] = [0.001, 0.0001, 0],
                score: Score = .accuracy, layers: [Int]? = nil, activation: DendriteActivation = .sigmoid,
                inputs: DendriteInputs = .all, somaInputs: Bool = true, errorSignal: ErrorSignal = .preactivation,
                outputLearningRateScale: Float = 1, candidateWeightDecay: Float = 0) {
        self.maxDendrites = maxDendrites
        self.switchMode = switchMode
        self.nEpochsToSwitch = nEpochsToSwitch
        self.pEpochsToSwitch = pEpochsToSwitch
        self.maxPEpochs = maxPEpochs
        self.pMinimumImprovement = pMinimumImprovement
        self.candidatePool = candidatePool
        self.learningRateTrialEpochs = learningRateTrialEpochs
        self.correlationSubset = correlationSubset
        self.fixedInterval = fixedInterval
        self.candidateLearningRate = candidateLearningRate
        self.candidateInitScale = candidateInitScale
        self.maxDendriteTries = maxDendriteTries
        self.statisticsRate = statisticsRate
        self.improvementThresholds = improvementThresholds
        self.score = score
        self.layers = layers
        self.activation = activation
        self.inputs = inputs
        self.somaInputs = somaInputs
        self.errorSignal = errorSignal
        self.outputLearningRateScale = outputLearningRateScale
        self.candidateWeightDecay = candidateWeightDecay
    }

    /// Four candidates per neuron, in Cascade-Correlation's range (4-8). Not tuned: the
    /// ablation on MNIST seeds 21-25 measured +0.13 points over one candidate at about
    /// 3.4x the cost of an N epoch per P epoch (docs/pb-tuning.md).
    public static let defaultPool = 4
    /// One epoch per learning rate: the shortest trial. The same ablation measured it at
    /// -0.10 points (within the seeds' spread); it stays on so a switch never continues
    /// at a rate that the first epoch already shows to be the worse one.
    public static let defaultLearningRateTrialEpochs = 1
    public static let defaultEvaluationSamples = 1024

    /// Why `somaInputs` false cannot be used with `mode` on `network`, as (problem,
    /// expected); nil when it can (always when soma inputs are on, or in mode none).
    /// A neuron without soma inputs needs a dendrite to see anything (max_dendrites of at
    /// least 1). In PB no gradient passes through dendrites, so with the soma path cut a
    /// layer with weights below a layer with dendrites would never learn.
    public func somaInputsProblem(mode: DendriteMode, network: NetworkSpec) -> (problem: String, expected: String)? {
        guard !somaInputs, mode != .none else { return nil }
        guard maxDendrites >= 1 else {
            return ("dendrites.soma_inputs is false but max_dendrites is 0",
                    "max_dendrites of at least 1 (without soma inputs a neuron sees its inputs only through its dendrites)")
        }
        guard mode == .pb else { return nil }
        let grows = network.layers.indices.filter { network.layers[$0].isNeuronLayer && (layers?.contains($0) ?? true) }
        guard let top = grows.max() else { return nil }
        func hasWeights(_ l: LayerSpec) -> Bool {
            if case .dendritic = l { return true }
            return l.isNeuronLayer
        }
        for (i, l) in network.layers.enumerated().prefix(top) where hasWeights(l) {
            return ("dendrites.soma_inputs is false with mode pb, so layer \(i) ('\(l.text)') would never learn: PB passes no gradient through dendrites, and layer \(top) has no soma path",
                    "dendrites on the first layer with weights only (dendrites.layers: [\(grows.min() ?? top)] with nothing below it), mode gd, or soma_inputs: true")
        }
        return nil
    }

    /// The switching rule these settings imply under `mode`: never switch without
    /// dendrites, and only PB has dendrite phases.
    public func trackerConfig(mode: DendriteMode) -> SwitchTracker.Config {
        SwitchTracker.Config(
            mode: mode == .none ? .never : switchMode, maximize: score == .accuracy, nEpochsToSwitch: nEpochsToSwitch,
            pEpochsToSwitch: pEpochsToSwitch, pMinimumImprovement: pMinimumImprovement,
            maxDendritePhaseEpochs: maxPEpochs, fixedInterval: fixedInterval, maxDendrites: maxDendrites,
            maxDendriteTries: maxDendriteTries, improvementThresholds: improvementThresholds,
            trainsCandidates: mode == .pb)
    }
}
