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
    /// Neuron-phase and dendrite-phase epochs finished so far, this one included: the
    /// epoch budget counts N epochs (a P epoch trains only the candidates).
    public var neuronEpochs: Int
    public var dendriteEpochs: Int

    public init(epoch: Int, phase: Phase, dendrites: Int, parameters: Int,
                trainLoss: Float, trainAccuracy: Float,
                validationLoss: Float, validationAccuracy: Float,
                learningRate: Float, seconds: Double, neuronEpochs: Int? = nil, dendriteEpochs: Int? = nil) {
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
        self.neuronEpochs = neuronEpochs ?? (phase == .neuron ? epoch : 0)
        self.dendriteEpochs = dendriteEpochs ?? (phase == .dendrite ? epoch : 0)
    }

    enum CodingKeys: String, CodingKey {
        case epoch, phase, dendrites, parameters, trainLoss, trainAccuracy, validationLoss
        case validationAccuracy, learningRate, seconds, neuronEpochs, dendriteEpochs
    }

    /// Histories written before N and P epochs were counted apart read as all-N
    /// up to each row (their P rows as the P count so far is unknown: 0).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(epoch: try c.decode(Int.self, forKey: .epoch), phase: try c.decode(Phase.self, forKey: .phase),
                  dendrites: try c.decode(Int.self, forKey: .dendrites), parameters: try c.decode(Int.self, forKey: .parameters),
                  trainLoss: try c.decode(Float.self, forKey: .trainLoss),
                  trainAccuracy: try c.decode(Float.self, forKey: .trainAccuracy),
                  validationLoss: try c.decode(Float.self, forKey: .validationLoss),
                  validationAccuracy: try c.decode(Float.self, forKey: .validationAccuracy),
                  learningRate: try c.decode(Float.self, forKey: .learningRate),
                  seconds: try c.decode(Double.self, forKey: .seconds),
                  neuronEpochs: try c.decodeIfPresent(Int.self, forKey: .neuronEpochs),
                  dendriteEpochs: try c.decodeIfPresent(Int.self, forKey: .dendriteEpochs))
    }
}

/// What the trainer tells its subscribers (the CLI prints them, the Lab draws them).
public enum TrainingEvent: Equatable, Sendable {
    /// One optimisation step finished. `batch` counts from 0 within `epoch` (from 1).
    case batchDone(epoch: Int, batch: Int, batchesPerEpoch: Int, loss: Float)
    case epochDone(EpochMetrics)
    case phaseChanged(epoch: Int, from: Phase, to: Phase, reason: String)
    /// A dendrite set was added: per layer, how many neurons got one, and the
    /// candidates' correlation scores where PB trained them.
    case dendriteAdded(epoch: Int, dendrites: Int, layers: [String], correlations: [Float])
    /// End of a dendrite-phase epoch: the candidates' correlation on the fixed held-out
    /// subset (what the stop rule judges) and the mean batch objective of the epoch, each
    /// a mean over layers and neurons; `epochInPhase` counts from 1.
    case candidateCorrelation(epoch: Int, epochInPhase: Int, heldOut: Float, batch: Float)
    /// Any other decision worth auditing (switch tracker), as a short sentence.
    case decision(epoch: Int, message: String)
    /// The batch loss or a parameter became NaN or infinite; training stopped. `epoch` and
    /// `batch` both count from 1; `layer` names the first non-finite parameter in network
    /// order ("loss" when only the loss was), `message` says it as a sentence.
    case diverged(epoch: Int, batch: Int, layer: String, message: String)
}
