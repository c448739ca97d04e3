/// Training phase of Perforated Backpropagation: neurons learn (N) or candidate
/// dendrites learn (P). Plain networks and GD mode are always in N.
public enum Phase: String, Codable, Sendable {
    case neuron = "N"
    case dendrite = "P"
}

/// One row of `metrics.csv`: everything measured at the end of an epoch.
public struct EpochMetrics: Codable, Equatable, Sendable {
    public var epoch: Int
    public var phase: Phase
    public var dendrites: Int
    public var parameters: Int
    public var trainLoss: Float
    public var trainAccuracy: Float
    public var validationLoss: Float
    public var validationAccuracy: Float
    public var learningRate: Float
    public var seconds: Double

    public init(epoch: Int, phase: Phase, dendrites: Int, parameters: Int,
                trainLoss: Float, trainAccuracy: Float,
                validationLoss: Float, validationAccuracy: Float,
                learningRate: Float, seconds: Double) {
        self.epoch = epoch
        self.phase = phase
        self.dendrites = dendrites
        self.parameters = parameters
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
    }
}

/// What the trainer tells its subscribers (the CLI prints them, the Lab draws them).
public enum TrainingEvent: Sendable {
    /// One optimisation step finished. `batch` counts from 0 within `epoch` (from 1).
    case batchDone(epoch: Int, batch: Int, batchesPerEpoch: Int, loss: Float)
    case epochDone(EpochMetrics)
    case phaseChanged(epoch: Int, from: Phase, to: Phase, reason: String)
    /// A dendrite set was added: per layer, how many neurons got one, and the
    /// candidates' correlation scores where PB trained them.
    case dendriteAdded(epoch: Int, dendrites: Int, layers: [String], correlations: [Float])
    /// Any other decision worth auditing (switch tracker), as a short sentence.
    case decision(epoch: Int, message: String)
    /// The batch loss or a parameter became NaN or infinite; training stopped. `epoch` and
    /// `batch` both count from 1; `layer` names the first non-finite parameter in network
    /// order ("loss" when only the loss was), `message` says it as a sentence.
    case diverged(epoch: Int, batch: Int, layer: String, message: String)
}
