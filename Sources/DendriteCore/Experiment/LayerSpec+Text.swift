/// The compact one-line form experiment files use for layers:
///
///     dense 16                  fully connected, 16 neurons
///     conv 32 3x3               32 filters of 3x3, stride 1, no padding
///     conv 32 3x3 stride 2 pad 1
///     maxpool 2                 2x2 max pooling, stride 2
///     flatten | relu | tanh | sigmoid
///     dendritic 32x8x16 local   32 somas x 8 dendrites x 16 inputs each, sampled
///                               random | local | global (default random); see DendriticLayer
extension LayerSpec {
    /// The form above, e.g. "conv 32 3x3 pad 1". Parsing it gives back the same spec.
    public var text: String {
        switch self {
        case .dense(let n): return "dense \(n)"
        case .conv2d(let f, let k, let s, let p):
            var t = "conv \(f) \(k)x\(k)"
            if s != 1 { t += " stride \(s)" }
            if p != 0 { t += " pad \(p)" }
            return t
        case .maxPool(let k): return "maxpool \(k)"
        case .flatten: return "flatten"
        case .relu: return "relu"
        case .tanh: return "tanh"
        case .sigmoid: return "sigmoid"
        case .dendritic(let s, let d, let k, let sampling): return "dendritic \(s)x\(d)x\(k) \(sampling.rawValue)"
        }
    }

    static let textForms = "'dense N', 'conv N KxK [stride S] [pad P]', 'maxpool K', 'dendritic SxDxK [random|local|global]', 'flatten', 'relu', 'tanh' or 'sigmoid'"

    /// Parses the one-line form; the error string says what was wrong.
    public static func parse(_ text: String) -> Result<LayerSpec, LayerTextError> {
        let words = text.lowercased().split(separator: " ").map(String.init)
        guard let head = words.first else { return .failure(LayerTextError("an empty layer")) }
        // Upper bounds too (ExperimentLimits): shape arithmetic on a huge size would overflow.
        func positive(_ w: String, _ what: String, max: Int = ExperimentLimits.maxKernel) -> Result<Int, LayerTextError> {
            guard let v = Int(w) else { return .failure(LayerTextError("\(what) '\(w)' is not a whole number")) }
            guard v > 0 else { return .failure(LayerTextError("\(what) must be positive, got \(v)")) }
            guard v <= max else { return .failure(LayerTextError("\(what) \(v) is larger than the limit \(max)")) }
            return .success(v)
        }
        switch head {
        case "dense", "linear":
            guard words.count == 2 else { return .failure(LayerTextError("'\(text)' needs exactly one size ('dense 16')")) }
            return positive(words[1], "dense size", max: ExperimentLimits.maxWidth).map { .dense($0) }
        case "conv", "conv2d":
            guard words.count >= 3 else { return .failure(LayerTextError("'\(text)' needs filters and a kernel size ('conv 32 3x3')")) }
            let filters: Int, kernel: Int
            switch positive(words[1], "filter count", max: ExperimentLimits.maxWidth) { case .success(let v): filters = v; case .failure(let e): return .failure(e) }
            let ks = words[2].split(separator: "x").map(String.init)
            guard ks.count == 1 || (ks.count == 2 && ks[0] == ks[1]) else {
                return .failure(LayerTextError("kernel '\(words[2])' must be square ('3' or '3x3')"))
            }
            switch positive(ks[0], "kernel size") { case .success(let v): kernel = v; case .failure(let e): return .failure(e) }
            var stride = 1, pad = 0
            var i = 3
            while i < words.count {
                guard i + 1 < words.count else { return .failure(LayerTextError("'\(words[i])' needs a value")) }
                guard let v = Int(words[i + 1]) else { return .failure(LayerTextError("\(words[i]) '\(words[i + 1])' is not a whole number")) }
                switch words[i] {
                case "stride":
                    guard (1...ExperimentLimits.maxKernel).contains(v) else { return .failure(LayerTextError("stride must be 1 to \(ExperimentLimits.maxKernel), got \(v)")) }
                    stride = v
                case "pad", "padding":
                    guard (0...ExperimentLimits.maxKernel).contains(v) else { return .failure(LayerTextError("padding must be 0 to \(ExperimentLimits.maxKernel), got \(v)")) }
                    pad = v
                default: return .failure(LayerTextError("unknown conv option '\(words[i])' (stride or pad)"))
                }
                i += 2
            }
            return .success(.conv2d(filters: filters, kernel: kernel, stride: stride, padding: pad))
        case "maxpool", "pool":
            guard words.count == 2 else { return .failure(LayerTextError("'\(text)' needs exactly one size ('maxpool 2')")) }
            return positive(words[1], "pool size").map { .maxPool($0) }
        case "dendritic":
            return parseDendritic(words, text: text)
        case "flatten", "relu", "tanh", "sigmoid":
            guard words.count == 1 else { return .failure(LayerTextError("'\(head)' takes no arguments")) }
            switch head {
            case "flatten": return .success(.flatten)
            case "relu": return .success(.relu)
            case "tanh": return .success(.tanh)
            default: return .success(.sigmoid)
            }
        default:
            return .failure(LayerTextError("unknown layer '\(head)'"))
        }
    }

    /// 'dendritic SxDxK [random|local|global]' (or 'dendritic S D K ...').
    private static func parseDendritic(_ words: [String], text: String) -> Result<LayerSpec, LayerTextError> {
        let usage = "('dendritic 32x8x16 local': somas x dendrites x inputs, then random, local or global)"
        var rest = Array(words.dropFirst())
        var sampling = InputSampling.random
        if let last = rest.last, Int(last) == nil, !last.contains("x") {
            guard let s = InputSampling(rawValue: last) else {
                return .failure(LayerTextError("unknown sampling '\(last)' \(usage)"))
            }
            sampling = s
            rest.removeLast()
        }
        let sizes = rest.joined(separator: " ").split(whereSeparator: { $0 == "x" || $0 == " " }).map(String.init)
        guard sizes.count == 3 else { return .failure(LayerTextError("'\(text)' needs three sizes \(usage)")) }
        var v: [Int] = []
        for (w, what) in zip(sizes, ["soma count", "dendrites per soma", "inputs per dendrite"]) {
            guard let n = Int(w) else { return .failure(LayerTextError("\(what) '\(w)' is not a whole number")) }
            guard n > 0 else { return .failure(LayerTextError("\(what) must be positive, got \(n)")) }
            v.append(n)
        }
        return .success(.dendritic(somas: v[0], dendrites: v[1], inputs: v[2], sampling: sampling))
    }

    /// One sample's output shape for one sample's input shape, or why the layer cannot
    /// take that input. Mirrors what the built layers compute, so files fail at load time
    /// with a line number rather than later inside training.
    public func inferredOutputShape(for input: [Int]) -> Result<[Int], LayerTextError> {
        switch self {
        case .dense(let n): return .success([n])
        case .conv2d(let f, let k, let s, let p):
            guard input.count == 3 else { return .failure(LayerTextError("conv needs a [channels, height, width] input, got \(input)")) }
            let h = (input[1] + 2 * p - k) / s + 1, w = (input[2] + 2 * p - k) / s + 1
            guard input[1] + 2 * p >= k, input[2] + 2 * p >= k, h > 0, w > 0 else {
                return .failure(LayerTextError("a \(k)x\(k) kernel does not fit a \(input[1])x\(input[2]) input with padding \(p)"))
            }
            return .success([f, h, w])
        case .maxPool(let k):
            guard input.count == 3 else { return .failure(LayerTextError("maxpool needs a [channels, height, width] input, got \(input)")) }
            guard input[1] >= k, input[2] >= k else { return .failure(LayerTextError("a \(k)x\(k) pool does not fit a \(input[1])x\(input[2]) input")) }
            return .success([input[0], input[1] / k, input[2] / k])
        case .flatten: return .success([input.reduce(1, *)])
        case .dendritic(let s, _, let k, _):
            let n = input.reduce(1, *)
            guard k <= n else { return .failure(LayerTextError("dendrites of \(k) inputs need at least \(k) inputs, got \(n)")) }
            return .success([s])
        case .relu, .tanh, .sigmoid: return .success(input)
        }
    }

    /// Parameters this layer holds for a given input shape (weights and biases).
    public func parameterCount(for input: [Int]) -> Int {
        switch self {
        case .dense(let n): return input.reduce(1, *) * n + n
        case .conv2d(let f, let k, _, _): return (input.first ?? 1) * k * k * f + f
        case .dendritic(let s, let d, let k, _): return s * d * (k + 1) + s * (d + 1)
        default: return 0
        }
    }
}

/// Why a layer line could not be read or applied.
public struct LayerTextError: Error, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// The first layer of a `NetworkSpec` that cannot take its input, and why.
public struct NetworkShapeError: Error, Equatable, Sendable {
    public var index: Int
    public var message: String
}

extension NetworkSpec {
    /// Shapes after each layer, or the index of the first layer that cannot take its input.
    public func inferredShapes() -> Result<[[Int]], NetworkShapeError> {
        var shape = inputShape
        var shapes: [[Int]] = []
        for (i, l) in layers.enumerated() {
            switch l.inferredOutputShape(for: shape) {
            case .success(let s): shape = s; shapes.append(s)
            case .failure(let e): return .failure(NetworkShapeError(index: i, message: e.message))
            }
        }
        return .success(shapes)
    }

    /// Parameters of the plain network (no dendrites), computed from the spec alone.
    public var plainParameterCount: Int {
        guard case .success(let shapes) = inferredShapes() else { return 0 }
        var total = 0
        for (i, l) in layers.enumerated() {
            total += l.parameterCount(for: i == 0 ? inputShape : shapes[i - 1])
        }
        return total
    }
}
