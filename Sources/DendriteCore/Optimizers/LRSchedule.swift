/// Learning-rate schedules, applied once per epoch from the validation score.
public struct LRSchedule: Codable, Equatable, Sendable {
    /// The raw values are the JSON spelling (sweep plans, checkpoints); `fileName` is
    /// the experiment files' spelling.
    public enum Kind: String, Codable, CaseIterable, Sendable {
        /// Keep the initial rate.
        case constant
        /// Multiply by `factor` every `every` epochs.
        case step
        /// Multiply by `factor` after `patience` epochs without a better validation loss.
        case reduceOnPlateau

        /// How experiment files name it (`schedule.kind`).
        public var fileName: String { self == .reduceOnPlateau ? "plateau" : rawValue }
    }

    public var kind: Kind
    public var factor: Float
    public var every: Int
    public var patience: Int
    /// Never go below this rate.
    public var minimum: Float

    // Running state for reduce-on-plateau (saved in checkpoints).
    public private(set) var bestLoss: Float = .infinity
    public private(set) var badEpochs: Int = 0

    public init(kind: Kind = .constant, factor: Float = 0.1, every: Int = 10,
                patience: Int = 5, minimum: Float = 0) {
        self.kind = kind
        self.factor = factor
        self.every = every
        self.patience = patience
        self.minimum = minimum
    }

    public static let constant = LRSchedule()

    /// Returns the rate to use for the next epoch, given the one just finished
    /// (`epoch` counts finished epochs, from 1) and its validation loss.
    public mutating func next(rate: Float, epoch: Int, validationLoss: Float) -> Float {
        switch kind {
        case .constant:
            return rate
        case .step:
            return every > 0 && epoch % every == 0 ? max(minimum, rate * factor) : rate
        case .reduceOnPlateau:
            if validationLoss < bestLoss {
                bestLoss = validationLoss
                badEpochs = 0
                return rate
            }
            badEpochs += 1
            if badEpochs > patience {
                badEpochs = 0
                return max(minimum, rate * factor)
            }
            return rate
        }
    }
}
