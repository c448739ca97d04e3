/// Updates parameters from their gradients. Optimizers keep per-parameter state
/// (momentum, Adam moments) keyed by the parameter's identity; `reset()` drops it,
/// which is what PB does after every switch ("rebuild optimizer state").
public protocol Optimizer: AnyObject {
    /// Current learning rate; schedules write it between epochs.
    var learningRate: Float { get set }
    /// Applies one update to every trainable parameter in `parameters`.
    func step(_ parameters: [Parameter])
    /// Forgets all per-parameter state.
    func reset()
}

/// Which optimizer to build, as experiment files spell it.
public struct OptimizerSpec: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case sgd, adam }
    public var kind: Kind
    public var learningRate: Float
    /// SGD only.
    public var momentum: Float
    /// L2 penalty added to the gradient (coupled, as torch.optim does).
    public var weightDecay: Float

    public init(kind: Kind, learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public func make() -> Optimizer {
        switch kind {
        case .sgd: return SGD(learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
        case .adam: return Adam(learningRate: learningRate, weightDecay: weightDecay)
        }
    }
}
