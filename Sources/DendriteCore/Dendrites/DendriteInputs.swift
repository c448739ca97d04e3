/// Which inputs each dendrite of a perforated Dense layer (and each PB candidate) sees:
/// all of its neuron's inputs (design.md 2.1, the default), or `k` of them chosen once,
/// when the dendrite is created, by an `InputSampling` rule (issue 13: real branches
/// receive synapses from a small, often clustered subset of inputs; Chavlis & Poirazi,
/// Nat Commun 16:943, 2025). A sampled dendrite stores and computes only its k
/// connections: its W_d is [C, k] and a step gathers the k inputs (`SparseDot`).
///
/// Written in experiment files and JSON as `all`, or `RULE K` such as `local 16`.
public enum DendriteInputs: Equatable, Sendable, Codable, CustomStringConvertible {
    case all
    case sampled(InputSampling, k: Int)

    /// What dendrites on a layer with `fanIn` inputs see: a layer with at most K inputs
    /// gives them all of its inputs (sampling every input is the dense arithmetic).
    public func on(fanIn: Int) -> DendriteInputs {
        if case .sampled(_, let k) = self, k < fanIn { return self }
        return .all
    }

    public var description: String {
        switch self {
        case .all: return "all"
        case .sampled(let rule, let k): return "\(rule.rawValue) \(k)"
        }
    }

    /// What the text forms accept, for error messages.
    public static let textForms = "'all', or 'random K', 'local K' or 'global K' (K inputs per dendrite)"

    /// `all`, or a sampling rule and a positive count ("local 16"); nil otherwise.
    public static func parse(_ text: String) -> DendriteInputs? {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if words == ["all"] { return .all }
        guard words.count == 2, let rule = InputSampling(rawValue: words[0]), let k = Int(words[1]), k >= 1 else { return nil }
        return .sampled(rule, k: k)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard let v = Self.parse(text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "inputs '\(text)'; expected \(Self.textForms)")
        }
        self = v
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    /// Why these inputs cannot be used on `network` (with dendrites on `layers`, nil =
    /// every neuron layer), as (problem, expected); nil when they can. Sampled inputs are
    /// for Dense layers: Conv2D dendrites always see their whole kernel window (a sampled
    /// conv dendrite is not built), so a conv layer with dendrites is refused.
    public func problem(network: NetworkSpec, layers: [Int]?) -> (problem: String, expected: String)? {
        guard case .sampled(_, let k) = self else { return nil }
        guard k >= 1 else { return ("dendrites.inputs is '\(self)'", Self.textForms) }
        for (i, l) in network.layers.enumerated() where l.isNeuronLayer && (layers?.contains(i) ?? true) {
            guard case .dense = l else {
                return ("dendrites.inputs is '\(self)' but layer \(i) ('\(l.text)') is a conv layer",
                        "inputs: all with conv layers, or dendrites.layers listing dense layers only (sampled inputs are for dense layers)")
            }
        }
        return nil
    }
}
