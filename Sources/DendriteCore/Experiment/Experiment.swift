/// Everything that defines one training run: what data, which network, which mode
/// (plain, GD dendrites or PB dendrites), how dendrites switch, how to optimise, for how
/// long, with which seed. A lesson in the Lab and a headless experiment are the same
/// value at different sizes (design.md 1); files in `experiments/` decode into it
/// through `ExperimentLoader`, whose keys are listed in `ExperimentLoader.swift`.
public struct Experiment: Codable, Equatable, Sendable {
    public var name: String
    /// One or two sentences shown in listings and reports.
    public var description: String
    public var dataset: DatasetSpec
    public var network: NetworkSpec
    public var mode: Mode
    public var dendrites: DendriteSettings
    public var optimizer: OptimizerSpec
    public var schedule: LRSchedule
    public var epochs: Int
    public var batchSize: Int
    /// Seeds data generation, the train/validation split, initialisation and shuffling.
    public var seed: UInt64

    public init(name: String, description: String = "", dataset: DatasetSpec, network: NetworkSpec,
                mode: Mode = .none, dendrites: DendriteSettings = DendriteSettings(),
                optimizer: OptimizerSpec = OptimizerSpec(kind: .adam, learningRate: 1e-3),
                schedule: LRSchedule = .constant, epochs: Int, batchSize: Int = 32, seed: UInt64 = 1) {
        self.name = name
        self.description = description
        self.dataset = dataset
        self.network = network
        self.mode = mode
        self.dendrites = dendrites
        self.optimizer = optimizer
        self.schedule = schedule
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
    }

    /// How dendrites take part (design.md 2.2): not at all, trained jointly by gradient
    /// descent (the public library's free mode), or by Perforated Backpropagation.
    public typealias Mode = DendriteMode

    public var training: TrainingConfig {
        TrainingConfig(batchSize: batchSize, epochs: epochs, seed: seed)
    }
}

extension Experiment {
    /// Which samples to train on and how to prepare them.
    public struct DatasetSpec: Codable, Equatable, Sendable {
        public enum Name: String, Codable, CaseIterable, Sendable {
            case xor, circle, gaussians, spiral, moons, checkerboard
            case mnist
            case fashionMNIST = "fashion-mnist"
            case cifar10
            /// The user's own 2-D points from a CSV file (`DatasetSpec.file`, see `CSVPoints`).
            case csv

            /// The toy set a generator makes.
            public init(_ kind: ToyData.Kind) {
                switch kind {
                case .xor: self = .xor
                case .circle: self = .circle
                case .gaussians: self = .gaussians
                case .spiral: self = .spiral
                case .moons: self = .moons
                case .checkerboard: self = .checkerboard
                }
            }

            /// The generator for toy sets; nil for the real image sets.
            public var toyKind: ToyData.Kind? { ToyData.Kind(rawValue: rawValue) }
            public var isToy: Bool { toyKind != nil }

            /// One sample's shape as the data arrives.
            public var sampleShape: [Int] {
                switch self {
                case .mnist, .fashionMNIST: return [1, 28, 28]
                case .cifar10: return [3, 32, 32]
                default: return [2]
                }
            }

            public var classCount: Int { isToy ? 2 : 10 }
        }

        /// How pixel bytes become floats (toy data is used as generated).
        public enum Normalization: String, Codable, CaseIterable, Sendable {
            /// Raw 0...255 values.
            case none
            /// byte / 255, so values lie in [0, 1].
            case unit
            /// (byte / 255 - mean) / std with the training split's overall mean and std.
            case standard
            /// (byte / 255 - mean) / std with the dataset's usual published constants.
            case published
        }

        public var name: Name
        /// Toy sets: samples generated for training + validation.
        public var count: Int
        /// Toy sets: samples generated (with another seed) for the test set.
        public var testCount: Int
        /// Toy sets: standard deviation of the Gaussian jitter added to each point.
        public var noise: Float
        /// Fraction of the training samples held out for validation (switching decisions).
        public var validationFraction: Double
        public var normalization: Normalization
        /// Real sets: use only the first `limit` training samples (quick runs); nil = all.
        public var limit: Int?
        /// Real sets: folder holding the files; nil = the default data folder.
        public var directory: String?
        /// csv: the points file (resolved against the experiment file's folder on loading).
        public var file: String?
        /// csv: classes found in `file` when the experiment was loaded (distinct labels).
        public var classes: Int?

        /// Classes the network must output: fixed per named set, read from the file for csv.
        public var classCount: Int { name == .csv ? (classes ?? 2) : name.classCount }

        public init(name: Name, count: Int = 1000, testCount: Int? = nil, noise: Float = 0,
                    validationFraction: Double = 0.2, normalization: Normalization? = nil,
                    limit: Int? = nil, directory: String? = nil, file: String? = nil, classes: Int? = nil) {
            self.name = name
            self.count = count
            self.testCount = testCount ?? count
            self.noise = noise
            self.validationFraction = validationFraction
            self.normalization = normalization ?? (name.isToy || name == .csv ? .none : .unit)
            self.limit = limit
            self.directory = directory
            self.file = file
            self.classes = classes
        }
    }

    /// When dendrites are added and how candidates learn (design.md 2.2-2.3). Defaults are
    /// the public library's where it has one.
    public struct DendriteSettings: Codable, Equatable, Sendable {
        /// When to switch: the tracker's own modes (plateau, fixed interval, never).
        public typealias SwitchMode = SwitchTracker.Mode

        public enum Score: String, Codable, CaseIterable, Sendable {
            case accuracy, loss
        }

        public typealias DendriteActivation = DendriteCore.DendriteActivation

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
        public var pMinimumImprovement: Float = SwitchTracker.Config.defaultPMinimumImprovement
        /// Dendrite (P) phase: candidates trained per neuron; the best-correlated is kept.
        public var candidatePool: Int = DendriteConfig.defaultPool
        /// After a PB switch: epochs per learning rate tried (original, one decay step); 0 = off.
        public var learningRateTrialEpochs: Int = DendriteConfig.defaultLearningRateTrialEpochs
        /// Dendrite (P) phase: measure candidate correlation on validation or training samples.
        public var correlationSubset: DendriteConfig.CorrelationSubset = .validation
        /// `fixed` switching: epochs per phase.
        public var fixedInterval: Int
        /// Adam learning rate of the candidates in the P phase.
        public var candidateLearningRate: Float
        /// Standard deviation of a new candidate's weights.
        public var candidateInitScale: Float
        /// Attempts per dendrite count before growth stops (1 = no retry).
        public var maxDendriteTries: Int
        /// Rate of the running error and correlation statistics (design.md 2.2: 0.01).
        public var statisticsRate: Double
        /// Relative improvement needed to count as better, indexed by dendrite sets added.
        public var improvementThresholds: [Float]
        /// Validation quantity that decides switches.
        public var score: Score
        /// Indices into `network.layers` of the layers that grow dendrites; nil = every
        /// dense and conv layer.
        public var layers: [Int]?
        public var activation: DendriteActivation

        public init(maxDendrites: Int = 3, switchMode: SwitchMode = .plateau, nEpochsToSwitch: Int = 10,
                    pEpochsToSwitch: Int = 3, maxPEpochs: Int = 20, fixedInterval: Int = 10,
                    candidateLearningRate: Float = 1e-3, candidateInitScale: Float = 0.01,
                    maxDendriteTries: Int = 2, statisticsRate: Double = 0.01, improvementThresholds: [Float] = [0.001, 0.0001, 0],
                    score: Score = .accuracy, layers: [Int]? = nil, activation: DendriteActivation = .sigmoid) {
            self.maxDendrites = maxDendrites
            self.switchMode = switchMode
            self.nEpochsToSwitch = nEpochsToSwitch
            self.pEpochsToSwitch = pEpochsToSwitch
            self.maxPEpochs = maxPEpochs
            self.fixedInterval = fixedInterval
            self.candidateLearningRate = candidateLearningRate
            self.candidateInitScale = candidateInitScale
            self.maxDendriteTries = maxDendriteTries
            self.statisticsRate = statisticsRate
            self.improvementThresholds = improvementThresholds
            self.score = score
            self.layers = layers
            self.activation = activation
        }
    }
}

extension Experiment {
    /// The trainer's view of the dendrite settings.
    public var dendriteConfig: DendriteConfig {
        let d = dendrites
        let switching = SwitchTracker.Config(
            mode: d.switchMode, maximize: d.score == .accuracy, nEpochsToSwitch: d.nEpochsToSwitch,
            pEpochsToSwitch: d.pEpochsToSwitch, pMinimumImprovement: d.pMinimumImprovement,
            maxDendritePhaseEpochs: d.maxPEpochs,
            fixedInterval: d.fixedInterval, maxDendrites: d.maxDendrites, maxDendriteTries: d.maxDendriteTries,
            improvementThresholds: d.improvementThresholds, trainsCandidates: mode == .pb)
        return DendriteConfig(mode: mode, activation: d.activation, switching: switching,
                              candidateLearningRate: d.candidateLearningRate, statisticsRate: d.statisticsRate,
                              initScale: d.candidateInitScale, candidatePool: d.candidatePool,
                              learningRateTrialEpochs: d.learningRateTrialEpochs,
                              correlationSubset: d.correlationSubset, layers: d.layers)
    }
}
