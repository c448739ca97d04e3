/// Saving and restoring an optimizer's per-parameter state (Adam moments and step
/// counts, SGD momentum buffers) by parameter name, so a resumed run takes exactly the
/// steps an uninterrupted one would.
public struct OptimizerState: Codable, Equatable, Sendable {
    /// "adam" or "sgd".
    public var kind: String
    /// Adam: steps taken per parameter name (bias correction).
    public var steps: [String: Int]
    /// Buffers by "<buffer>/<parameter name>": "m/..." and "v/..." for Adam, "velocity/..." for SGD.
    public var buffers: [String: [Float]]

    public init(kind: String, steps: [String: Int] = [:], buffers: [String: [Float]] = [:]) {
        self.kind = kind
        self.steps = steps
        self.buffers = buffers
    }
}

extension OptimizerState {
    /// The state `optimizer` holds for `parameters`; nil for optimizers that cannot export it.
    public static func capture(_ optimizer: Optimizer, parameters: [Parameter]) -> OptimizerState? {
        if let adam = optimizer as? Adam {
            var s = OptimizerState(kind: "adam")
            for p in parameters {
                guard let m = adam.state[p] else { continue }
                s.steps[p.name] = m.t
                s.buffers["m/" + p.name] = m.m
                s.buffers["v/" + p.name] = m.v
            }
            return s
        }
        if let sgd = optimizer as? SGD {
            var s = OptimizerState(kind: "sgd")
            for p in parameters {
                if let v = sgd.velocity[p] { s.buffers["velocity/" + p.name] = v }
            }
            return s
        }
        return nil
    }

    /// Replaces `optimizer`'s state with this one; returns why it could not, or nil.
    public func restore(into optimizer: Optimizer, parameters: [Parameter]) -> String? {
        optimizer.reset()
        if let adam = optimizer as? Adam {
            guard kind == "adam" else { return "the checkpoint holds \(kind) state, the run uses adam" }
            for p in parameters {
                guard let t = steps[p.name] else { continue }
                guard let m = buffers["m/" + p.name], let v = buffers["v/" + p.name], m.count == p.count, v.count == p.count else {
                    return "Adam moments for \(p.name) are missing or have the wrong size"
                }
                adam.state[p] = Adam.Moments(m: m, v: v, t: t)
            }
            return nil
        }
        if let sgd = optimizer as? SGD {
            guard kind == "sgd" else { return "the checkpoint holds \(kind) state, the run uses sgd" }
            for p in parameters {
                guard let v = buffers["velocity/" + p.name] else { continue }
                guard v.count == p.count else { return "SGD momentum for \(p.name) has the wrong size" }
                sgd.velocity[p] = v
            }
            return nil
        }
        return "this optimizer cannot restore saved state"
    }
}
