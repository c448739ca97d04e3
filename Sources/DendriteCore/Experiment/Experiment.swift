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
    /// When dendrites are added and how candidates learn (the mode above says whether).
    public var dendrites: DendriteConfig
    public var optimizer: OptimizerSpec
    public var schedule: LRSchedule
    public var epochs: Int
    public var batchSize: Int
    /// Seeds data generation, the train/validation split, initialisation and shuffling.
    public var seed: UInt64

    public init(name: String, description: String = "", dataset: DatasetSpec, network: NetworkSpec,
                mode: Mode = .none, dendrites: DendriteConfig = DendriteConfig(),
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

        public var name: Name
        /// Toy sets: samples generated for training + validation.
        public var count: Int
        /// Toy sets: samples generated (with another seed) for the test set.
        public var testCount: Int
        /// Toy sets: standard deviation of the Gaussian jitter added to each point.
        public var noise: Float
        /// Fraction of the training samples held out for validation (switching decisions).
        public var validationFraction: Double
        /// How pixel bytes become floats (toy data is used as generated).
        public var normalization: Normalization.Strategy
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
                    validationFraction: Double = 0.2, normalization: Normalization.Strategy? = nil,
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
}
