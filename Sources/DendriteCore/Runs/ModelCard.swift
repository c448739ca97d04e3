/// What a checkpoint file holds, said for readers outside this program (a Python user
/// with numpy and safetensors; docs/checkpoints.md): which model (the last epoch's or the
/// best), its layers in the experiment files' text form, the dendrite formula and branch
/// activation, the output kind, and the input transform as numbers. Stored as the
/// `model` metadata document of `checkpoint.safetensors` and `best.safetensors`; the
/// program itself never reads it back, so adding it changed no resume path.
public struct ModelCard: Codable, Equatable, Sendable {
    /// Version 1 of the perforated layer's arithmetic (docs/design.md 2.1).
    public static let dendriteFormula =
        "dendrites 1: z_d = W_d x + b_d + sum_{i<d} K_d[i,c] v_i; v_d = f(z_d); y = W x + b + sum_d A_d[c] v_d"

    public enum Holds: String, Codable, Sendable {
        /// The parameters after the last finished epoch.
        case last
        /// The best-validation parameters (the switching rule's restored best, or the
        /// best epoch of a plain run).
        case best
    }

    public var holds: Holds
    public var epoch: Int
    public var input: [Int]
    public var layers: [String]
    /// Dendrite sets per layer (0 for layers without dendrites).
    public var dendrites: [Int]
    public var dendriteActivation: DendriteActivation
    public var dendriteFormula: String
    /// Sampled dendrite inputs ("local 16"), absent when dendrites read every input: then
    /// W_d is [C, K] and dendrite c of set d reads x[synapses/<set>[c, :]] (tensors in the file).
    public var dendriteInputs: String?
    /// false when the layers with dendrites had their soma inputs off: their W (stored,
    /// all zeros) never learned, and inputs reach those neurons only through dendrites.
    /// Absent otherwise.
    public var somaInputs: Bool?
    /// "logistic" (one output unit, class 1 where the logit is > 0) or "softmax" (argmax).
    public var output: String
    /// Network input = stored value * scale + shift (bytes for image sets, the generated
    /// floats, scale 1 and shift 0, for toy and CSV sets).
    public var normalization: Normalization

    enum CodingKeys: String, CodingKey {
        case holds, epoch, input, layers, dendrites, output, normalization
        case dendriteActivation = "dendrite_activation", dendriteFormula = "dendrite_formula"
        case dendriteInputs = "dendrite_inputs", somaInputs = "soma_inputs"
    }

    public init(holds: Holds, epoch: Int, spec: NetworkSpec, dendrites: [Int],
                activation: DendriteActivation, inputs: DendriteInputs = .all, somaInputs: Bool = true, data: Dataset) {
        self.holds = holds
        self.epoch = epoch
        input = spec.inputShape
        layers = spec.layers.map(\.text)
        self.dendrites = dendrites
        dendriteActivation = activation
        dendriteFormula = ModelCard.dendriteFormula
        dendriteInputs = inputs == .all ? nil : inputs.description
        self.somaInputs = somaInputs ? nil : false
        output = spec.layers.last(where: \.isNeuronLayer)?.width == 1 ? "logistic" : "softmax"
        normalization = data.normalization
    }
}
