/// Everything about dendrites in a training run: the mode (none, GD, PB), the switching
/// rule, and the dendrite phase's settings. Defaults follow DESIGN 2.2 and 2.3.
public struct DendriteConfig: Codable, Equatable, Sendable {
    public var mode: DendriteMode
    public var activation: DendriteActivation
    /// When to add dendrites (DESIGN 2.3). `trainsCandidates` is set from `mode`.
    public var switching: SwitchTracker.Config
    /// Adam learning rate of the candidates in a PB dendrite phase.
    public var candidateLearningRate: Float
    /// Rate of the running error and correlation statistics.
    public var statisticsRate: Double
    /// New dendrite weights are drawn as initScale * N(0, 1).
    public var initScale: Float
    /// Size of the fixed subset on which candidate correlation is measured (drawn from
    /// the validation set when it has at least `minimumHeldOut` samples, else from the
    /// training set).
    public var evaluationSamples: Int
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
        self.layers = layers
    }

    /// Tuned on MNIST validation data (docs/pb-tuning.md): a pool of 4 finds a better
    /// candidate per neuron than one, at 1/4 of the pool's extra cost per candidate.
    public static let defaultPool = 4
    /// Fewest validation samples the P stop rule measures on; below it (toy sets with
    /// 60-100 validation points, where one sample moves a correlation by ~0.01) it
    /// measures on a fixed training subset instead.
    public static let minimumHeldOut = 500
    /// One epoch per learning rate (docs/pb-tuning.md).
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
