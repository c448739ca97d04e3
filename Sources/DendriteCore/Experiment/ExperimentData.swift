import Foundation

/// Training, validation and test sets prepared as an experiment asks.
public struct ExperimentData: Sendable {
    public var train: Dataset
    public var validation: Dataset
    public var test: Dataset

    public init(train: Dataset, validation: Dataset, test: Dataset) {
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// Generates (toy) or loads (image sets) the data of `spec`. Everything random is
    /// derived from `seed`, so two runs with the same seed see the same samples and split.
    public static func load(_ spec: Experiment.DatasetSpec, seed: UInt64) throws -> ExperimentData {
        var splitRNG = RNG(seed: seed ^ 0x5B11_7000_0000_0001)
        if let kind = spec.name.toyKind {
            let all = ToyData.make(kind, count: spec.count, noise: spec.noise, seed: seed)
            let test = ToyData.make(kind, count: spec.testCount, noise: spec.noise, seed: seed &+ 0x7E57)
            let (train, val) = all.split(validationFraction: spec.validationFraction, rng: &splitRNG)
            return ExperimentData(train: train, validation: val, test: test.subset(Array(0..<test.count), name: kind.rawValue + "/test"))
        }
        if spec.name == .csv {
            // The user's points: split like the others; there is no separate test file,
            // so the test set is the validation set (documented in ExperimentLoader).
            guard let file = spec.file else { throw ExperimentDataError("dataset csv has no file") }
            let all = try CSVPoints.read(path: file)
            let (train, val) = all.split(validationFraction: spec.validationFraction, rng: &splitRNG)
            return ExperimentData(train: train, validation: val, test: val)
        }
        guard case .real(let real) = spec.name else {
            throw ExperimentDataError("dataset \(spec.name.rawValue) has no loader")
        }
        let store = DatasetStore()
        let directory = store.directory(for: real, override: spec.directory)
        var (all, test) = try RealData.load(real, directory: directory, normalization: spec.normalization)
        if let limit = spec.limit, limit < all.count {
            all = all.subset(Array(0..<limit), name: all.name)
        }
        let (train, val) = all.split(validationFraction: spec.validationFraction, rng: &splitRNG)
        return ExperimentData(train: train, validation: val, test: test)
    }
}

/// Why an experiment's data could not be prepared.
public struct ExperimentDataError: Error, CustomStringConvertible, LocalizedError, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}
