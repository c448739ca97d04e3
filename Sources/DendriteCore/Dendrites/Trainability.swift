/// Who learns and where gradients flow in a perforated layer, for a mode and a phase
/// (design.md 2.2). The one rule that both the optimizer's view (`Parameter.trainable`,
/// set by `PerforatedLayer.configure`) and `PerforatedLayer.backward` read.
///
/// | mode, phase | neurons (W, b, A) | dendrite inputs (W_d, b_d, K) | dL/dx through dendrites |
/// |---|---|---|---|
/// | none, gd    | yes | yes | yes |
/// | pb, N       | yes | no (frozen) | no (perforated) |
/// | pb, P       | no  | no  | no; only the candidates learn |
///
/// With soma inputs off (`DendriteConfig.somaInputs` false) the neuron's own input
/// weights W are held at 0 in every mode and phase: the neuron sees its inputs only
/// through its branches, and b and A learn as the table says.
public struct Trainability: Equatable, Sendable {
    /// The neuron's bias, and every dendrite's output scale A.
    public var neurons: Bool
    /// The neuron's own input weights W: `neurons`, unless soma inputs are off.
    public var somaWeights: Bool
    /// The dendrites' own weights, biases and cascade weights K.
    public var dendriteInputs: Bool
    /// Whether the loss gradient passes through the dendrites (into their inputs and on
    /// into earlier layers). False is the "perforation".
    public var throughDendrites: Bool

    public init(mode: DendriteMode, phase: Phase, somaInputs: Bool = true) {
        let dendritePhase = mode == .pb && phase == .dendrite
        neurons = !dendritePhase
        somaWeights = neurons && somaInputs
        dendriteInputs = mode != .pb
        throughDendrites = mode != .pb
    }
}
