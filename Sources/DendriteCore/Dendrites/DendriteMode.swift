#if canImport(Glibc)
import Glibc
#endif

/// How dendrites learn (DESIGN 2.2). All three are selectable everywhere so users can
/// compare them on the same data.
public enum DendriteMode: String, Codable, CaseIterable, Sendable {
    /// A plain network: no dendrites are ever added.
    case none
    /// Dendrites are inserted at switches and then trained jointly with everything else
    /// by ordinary backprop (what the free `perforatedai` library does).
    case gd
    /// Perforated Backpropagation: candidates learn to correlate with the neurons' error
    /// in a separate dendrite phase, then freeze; no gradient ever flows through them.
    case pb
}

/// The nonlinearity of a dendrite's output v = f(z).
public enum DendriteActivation: String, Codable, CaseIterable, Sendable {
    case sigmoid, tanh, relu

    @inline(__always)
    func apply(_ z: Float) -> Float {
        switch self {
        case .sigmoid: return 1 / (1 + expf(-z))
        case .tanh: return tanhf(z)
        case .relu: return z > 0 ? z : 0
        }
    }

    /// v = f(z) in place over `count` values (the switch stays outside the loop).
    func apply(_ p: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .sigmoid: for i in 0..<count { p[i] = 1 / (1 + expf(-p[i])) }
        case .tanh: for i in 0..<count { p[i] = tanhf(p[i]) }
        case .relu: for i in 0..<count { p[i] = p[i] > 0 ? p[i] : 0 }
        }
    }

    /// g *= f'(z), with f' written in terms of v = f(z), over `count` values.
    func multiplyByDerivative(_ g: UnsafeMutablePointer<Float>, output v: UnsafePointer<Float>, count: Int) {
        switch self {
        case .sigmoid: for i in 0..<count { g[i] *= v[i] * (1 - v[i]) }
        case .tanh: for i in 0..<count { g[i] *= 1 - v[i] * v[i] }
        case .relu: for i in 0..<count { g[i] = v[i] > 0 ? g[i] : 0 }
        }
    }

    /// f'(z) written in terms of v = f(z).
    @inline(__always)
    func derivative(output v: Float) -> Float {
        switch self {
        case .sigmoid: return v * (1 - v)
        case .tanh: return 1 - v * v
        case .relu: return v > 0 ? 1 : 0
        }
    }
}
