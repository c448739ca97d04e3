/// Everything about dendrites in a training run: the mode (none, GD, PB), the switching
/// rule, and the dendrite phase's settings. Defaults follow design.md 2.2 and 2.3.
public struct DendriteConfig: Codable, Equatable, Sendable {
    public var mode: DendriteMode
    public var activation: DendriteActivation
    /// When to add dendrites (design.md 2.3). `trainsCandidates` is set from `mode`.
    public var switching: SwitchTracker.Config
    /// Adam learning rate of the candidates in a PB dendrite phase.
    public var candidateLearningRate: Float
    /// Rate of the running error and correlation statistics.
    public var statisticsRate: Double
    /// New dendrite weights are drawn as initScale * N(0, 1).
    public var initScale: Float
    /// Size of the fixed held-out subset (drawn from the validation set, or from the
    /// training set when there is none) on which candidate correlation is measured.
    public var evaluationSamples: Int
    /// Where that subset comes from: held-out validation samples (the default), or the
    /// training set (PB before issue 14; the toy lessons keep it, docs/pb-tuning.md).
    public var correlationSubset: CorrelationSubset
    public enum CorrelationSubset: String, Codable, CaseIterable, Sendable { case validation, train }
    /// Candidates trained per neuron in a PB dendrite phase; the best-correlated one is
    /// kept (docs/pb-tuning.md).
    public var candidatePool: Int
    /// After a PB switch, train `learningRateTrialEpochs` epochs at the original rate and
    /// as many at one decay step below it, and keep the better (0: no trial).
    public var learningRateTrialEpochs: Int
    /// Indices into `Network.layers` that get dendrites; nil means every Dense and Conv2D.
    public var layers: [Int]?

    public init(mode: DendriteMode = .none, activation: DendriteActivation = .sigmoid,
                switching: SwitchTracker.Config = .init(), candidateLearningRate: Float = 1e-3,
                statisticsRate: Double = 0.01, initScale: Float = 0.01,
                evaluationSamples: Int = 1024, candidatePool: Int = DendriteConfig.defaultPool,
                learningRateTrialEpochs: Int = DendriteConfig.defaultLearningRateTrialEpochs,
                correlationSubset: CorrelationSubset = .validation,
                layers: [Int]? = nil) {
        self.mode = mode
        self.activation = activation
        self.switching = switching
        self.candidateLearningRate = candidateLearningRate
        self.statisticsRate = statisticsRate
        self.initScale = initScale
        self.evaluationSamples = evaluationSamples
        self.candidatePool = candidatePool
        self.learningRateTrialEpochs = learningRateTrialEpochs
        self.correlationSubset = correlationSubset
        self.layers = layers
    }

    /// Four candidates per neuron, in Cascade-Correlation's range (4-8). Not tuned: the
    /// ablation on MNIST seeds 21-25 measured +0.13 points over one candidate at about
    /// 3.4x the cost of an N epoch per P epoch (docs/pb-tuning.md).
    public static let defaultPool = 4
    /// One epoch per learning rate: the shortest trial. The same ablation measured it at
    /// -0.10 points (within the seeds' spread); it stays on so a switch never continues
    /// at a rate that the first epoch already shows to be the worse one.
    public static let defaultLearningRateTrialEpochs = 1

    /// The tracker configuration this mode implies: never switch without dendrites,
    /// and only PB has dendrite phases.
    var trackerConfig: SwitchTracker.Config {
        var c = switching
        if mode == .none { c.mode = .never }
        c.trainsCandidates = mode == .pb
        return c
    }
}
