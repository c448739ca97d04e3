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
        /// A dataset as experiment files name it: a generated toy set, a real image set, or
        /// the user's own points. Spelled (YAML and JSON) as the toy kind's or real set's
        /// own name, or `csv`.
        public enum Name: RawRepresentable, CaseIterable, Codable, Hashable, Sendable {
            case toy(ToyData.Kind)
            case real(RealDataset)
            /// The user's own 2-D points from a CSV file (`DatasetSpec.file`, see `CSVPoints`).
            case csv

            public init?(rawValue: String) {
                if let k = ToyData.Kind(rawValue: rawValue) {
                    self = .toy(k)
                } else if let r = RealDataset(rawValue: rawValue) {
                    self = .real(r)
                } else if rawValue == "csv" {
                    self = .csv
                } else {
                    return nil
                }
            }

            public var rawValue: String {
                switch self {
                case .toy(let k): return k.rawValue
                case .real(let r): return r.rawValue
                case .csv: return "csv"
                }
            }

            public static var allCases: [Name] {
                ToyData.Kind.allCases.map(Name.toy) + RealDataset.allCases.map(Name.real) + [.csv]
            }

            public init(from decoder: Decoder) throws {
                let text = try decoder.singleValueContainer().decode(String.self)
                guard let name = Name(rawValue: text) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                            debugDescription: "unknown dataset '\(text)'"))
                }
                self = name
            }

            public func encode(to encoder: Encoder) throws {
                var c = encoder.singleValueContainer()
                try c.encode(rawValue)
            }

            /// The generator for toy sets; nil for the others.
            public var toyKind: ToyData.Kind? {
                if case .toy(let k) = self { return k }
                return nil
            }
            public var isToy: Bool { toyKind != nil }

            /// One sample's shape as the data arrives.
            public var sampleShape: [Int] {
                if case .real(let r) = self { return r.sampleShape }
                return [2]
            }
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
        public var classCount: Int {
            switch name {
            case .toy: return 2
            case .real(let r): return r.classNames.count
            case .csv: return classes ?? 2
            }
        }

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
