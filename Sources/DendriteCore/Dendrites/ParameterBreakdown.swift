/// Exact parameter counts of a layer (or a network) split by role, so reports can say
/// what the dendrites cost. Only what the forward pass uses is counted.
public struct ParameterBreakdown: Codable, Equatable, Sendable {
    /// The wrapped layers' own W and b (b alone where soma inputs are off: W is held at 0).
    public var neurons = 0
    /// Every dendrite set's W_d and b_d.
    public var dendrites = 0
    /// Cascade weights K.
    public var cascade = 0
    /// Dendrite output weights A.
    public var outputWeights = 0

    public init() {}

    public var total: Int { neurons + dendrites + cascade + outputWeights }
    /// Everything dendrites added on top of the plain network.
    public var dendriteTotal: Int { dendrites + cascade + outputWeights }

    public static func + (a: ParameterBreakdown, b: ParameterBreakdown) -> ParameterBreakdown {
        var r = a
        r.neurons += b.neurons
        r.dendrites += b.dendrites
        r.cascade += b.cascade
        r.outputWeights += b.outputWeights
        return r
    }
}
