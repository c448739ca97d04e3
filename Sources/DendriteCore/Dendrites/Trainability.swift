/// Who learns and where gradients flow in a perforated layer, for a mode and a phase
/// (design.md 2.2). The one rule that both the optimizer's view (`Parameter.trainable`,
/// set by `PerforatedLayer.configure`) and `PerforatedLayer.backward` read.
///
/// | mode, phase | neurons (W, b, A) | dendrite inputs (W_d, b_d, K) | dL/dx through dendrites |
/// |---|---|---|---|
/// | none, gd    | yes | yes | yes |
/// | pb, N       | yes | no (frozen) | no (perforated) |
/// | pb, P       | no  | no  | no; only the candidates learn |
public struct Trainability: Equatable, Sendable {
    /// The neuron's weights and bias, and every dendrite's output scale A.
    public var neurons: Bool
    /// The dendrites' own weights, biases and cascade weights K.
    public var dendriteInputs: Bool
    /// Whether the loss gradient passes through the dendrites (into their inputs and on
    /// into earlier layers). False is the "perforation".
    public var throughDendrites: Bool

    public init(mode: DendriteMode, phase: Phase) {
        let dendritePhase = mode == .pb && phase == .dendrite
        neurons = !dendritePhase
        dendriteInputs = mode != .pb
        throughDendrites = mode != .pb
    }
}
