import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// How dendrites learn (design.md 2.2). All three are selectable everywhere so users can
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
///
/// - `sigmoid`, `tanh`, `relu`: the usual ones (sigmoid is the Lab's and PB's default).
/// - `dcaap`: the graded dendritic Ca2+ action potential of human layer 2/3 neurons
///   (Gidon et al., Science 367:83, 2020), whose amplitude is largest just above threshold
///   and falls for stronger input, so one branch can compute XOR. A smooth bump:
///
///       f(z)  = sigma(4z) * (1 - sigma(z))         sigma(t) = 1 / (1 + e^-t)
///       f'(z) = f(z) * (4 (1 - sigma(4z)) - sigma(z))
///
///   It rises steeply at the threshold z = 0 (slope 4), peaks at z = 0.43 (f = 0.33) and
///   decays as e^-z for strong input, like the dCaAP amplitude against stimulus strength.
///   Not monotonic, so its derivative needs z, not only v (`needsInput`).
/// - `nmda`: supralinear summation in thin branches. NMDA spikes are all-or-none
///   regenerative events with a high threshold (Schiller et al., Nature 404:285, 2000), and
///   within-branch summation is sigmoidal, supralinear above threshold (Polsky, Mel &
///   Schiller, Nat Neurosci 7:621, 2004): a steep sigmoid shifted to a threshold of 1,
///
///       f(z) = sigma(4 (z - 1)),   f'(z) = 4 f (1 - f)
public enum DendriteActivation: String, Codable, CaseIterable, Sendable {
    case sigmoid, tanh, relu, dcaap, nmda

    /// True when f' cannot be written in terms of v alone (non-monotonic f): callers must
    /// keep the pre-activation z for `multiplyByDerivative`.
    public var needsInput: Bool { self == .dcaap }

    @inline(__always)
    static func sigma(_ t: Float) -> Float { 1 / (1 + expf(-t)) }

    @inline(__always)
    public func apply(_ z: Float) -> Float {
        switch self {
        case .sigmoid: return Self.sigma(z)
        case .tanh: return tanhf(z)
        case .relu: return z > 0 ? z : 0
        case .dcaap: return Self.sigma(4 * z) * (1 - Self.sigma(z))
        case .nmda: return Self.sigma(4 * (z - 1))
        }
    }

    /// v = f(z) in place over `count` values (the switch stays outside the loop).
    func apply(_ p: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .sigmoid: dendrite_sigmoid(p, p, count)   // sigma's bits, four lanes at a time (CKernels)
        case .tanh: for i in 0..<count { p[i] = tanhf(p[i]) }
        case .relu: for i in 0..<count { p[i] = p[i] > 0 ? p[i] : 0 }
        case .dcaap, .nmda: for i in 0..<count { p[i] = apply(p[i]) }
        }
    }

    /// g *= f'(z), with f' written in terms of v = f(z) and, for `needsInput`
    /// activations, of z itself (`input`, required then), over `count` values.
    func multiplyByDerivative(_ g: UnsafeMutablePointer<Float>, output v: UnsafePointer<Float>,
                              input z: UnsafePointer<Float>? = nil, count: Int) {
        switch self {
        case .sigmoid: for i in 0..<count { g[i] *= v[i] * (1 - v[i]) }
        case .tanh: for i in 0..<count { g[i] *= 1 - v[i] * v[i] }
        case .relu: for i in 0..<count { g[i] = v[i] > 0 ? g[i] : 0 }
        case .nmda: for i in 0..<count { g[i] *= 4 * v[i] * (1 - v[i]) }
        case .dcaap:
            // Invariant: PerforatedLayer keeps z and passes it whenever the activation is dcaap.
            guard let z else { preconditionFailure("dcaap's derivative needs the pre-activation z") }
            for i in 0..<count { g[i] *= derivative(input: z[i], output: v[i]) }
        }
    }

    /// f'(z), from v = f(z) and (needed by `dcaap` only) z.
    @inline(__always)
    public func derivative(input z: Float, output v: Float) -> Float {
        switch self {
        case .sigmoid: return v * (1 - v)
        case .tanh: return 1 - v * v
        case .relu: return v > 0 ? 1 : 0
        case .nmda: return 4 * v * (1 - v)
        case .dcaap: return v * (4 * (1 - Self.sigma(4 * z)) - Self.sigma(z))
        }
    }
}

/// Training phase of Perforated Backpropagation: neurons learn (N) or candidate
/// dendrites learn (P). Plain networks and GD mode are always in N.
public enum Phase: String, Codable, Sendable {
    case neuron = "N"
    case dendrite = "P"
}
