#if canImport(Glibc)
import Glibc
#endif
import DendriteCore

/// A column of neurons in the network view: one Dense layer plus the activation layers
/// that follow it. `outputLayer` is the index (in `network.layers`) whose output is the
/// neurons' activation; for the last group that is the logits, shown as class
/// probabilities: softmax over 2+ units, or the logistic P(class 1) of a single unit.
public struct NeuronGroup: Equatable, Sendable {
    public var neuronLayer: Int
    public var outputLayer: Int
    public var units: Int
    /// "tanh", "relu", "sigmoid", or for the output group "softmax" (2+ units) or
    /// "logistic" (one unit whose logit is the log-odds of class 1).
    public var activation: String
    /// Which gradient the neurons' error E is (`Network.errorSignal(ofLayer:)`).
    public var errorSignal: DendriteConfig.ErrorSignal = .preactivation

    /// The groups of `network`, input excluded.
    public static func groups(of network: Network) -> [NeuronGroup] {
        var out: [NeuronGroup] = []
        for (i, layer) in network.layers.enumerated() {
            if denseCore(of: layer) != nil {
                out.append(NeuronGroup(neuronLayer: i, outputLayer: i, units: network.shapes[i].reduce(1, *),
                                       activation: "linear", errorSignal: network.errorSignal(ofLayer: i)))
            } else if !out.isEmpty, ["tanh", "relu", "sigmoid"].contains(layer.kind) {
                out[out.count - 1].outputLayer = i
                out[out.count - 1].activation = layer.kind
            }
        }
        if !out.isEmpty, out[out.count - 1].outputLayer == network.layers.count - 1,
           out[out.count - 1].activation == "linear" {
            out[out.count - 1].activation = out[out.count - 1].units == 1 ? "logistic" : "softmax"
        }
        return out
    }

    /// True for the output group, whose values are class probabilities.
    public var isClassOutput: Bool { activation == "softmax" || activation == "logistic" }

    /// What unit `unit` of this group means, in words ("P(class 1)", "tanh").
    public func unitName(_ unit: Int) -> String {
        switch activation {
        case "logistic": return "P(class 1)"
        case "softmax": return "P(class \(unit))"
        default: return activation
        }
    }

    /// Maps an activation value to [-1, 1] for colouring.
    public func shade(_ v: Float) -> Float {
        switch activation {
        case "tanh": return v
        case "sigmoid", "softmax", "logistic": return 2 * v - 1
        case "relu": return min(1, v)
        default: return tanhf(v)
        }
    }
}

extension DendriteConfig.ErrorSignal {
    /// How the Lab writes E: ∂L/∂y at a neuron's summed input y, or ∂L/∂h at the
    /// output h of the activation after it (the h of the network view's "h3").
    public var symbol: String { self == .output ? "∂L/∂h" : "∂L/∂y" }
}

/// Softmax over each row of `logits` ([B, C]), in place.
func softmaxRows(_ logits: inout [Float], columns c: Int) {
    guard c > 0 else { return }
    let rows = logits.count / c
    for r in 0..<rows {
        var m = -Float.infinity
        for j in 0..<c { m = max(m, logits[r * c + j]) }
        var s: Float = 0
        for j in 0..<c { let e = expf(logits[r * c + j] - m); logits[r * c + j] = e; s += e }
        for j in 0..<c { logits[r * c + j] /= s }
    }
}
