/// Param-matched baselines: the fair opponent of a network with dendrites is the same
/// plain architecture made wider until it has as many parameters (DESIGN 2: a plain
/// H=32 MLP matches 784-8-10 with three dendrite sets).
extension Experiment {
    /// This experiment without dendrites, with every hidden dense/conv layer (all neuron
    /// layers but the last, whose width is the class count) widened by the same factor,
    /// choosing the widening whose parameter count is closest to `targetParameters`.
    /// Same data, optimizer, schedule, epochs and seed. Nil when there is no hidden layer
    /// to widen or the plain network is already larger than the target.
    public func parameterMatchedBaseline(targetParameters: Int) -> Experiment? {
        let neuronLayers = network.layers.indices.filter { network.layers[$0].isNeuronLayer }
        let hidden = Array(neuronLayers.dropLast())
        guard !hidden.isEmpty else { return nil }
        func width(_ l: LayerSpec) -> Int {
            switch l {
            case .dense(let n): return n
            case .conv2d(let f, _, _, _): return f
            default: return 0
            }
        }
        let narrowest = hidden.map { width(network.layers[$0]) }.min()!
        func widened(by k: Int) -> NetworkSpec {
            var spec = network
            for i in hidden {
                // Scale every hidden width by (narrowest + k) / narrowest, rounding.
                let w = width(spec.layers[i])
                let n = max(w, Int((Double(w) * Double(narrowest + k) / Double(narrowest)).rounded()))
                switch spec.layers[i] {
                case .dense: spec.layers[i] = .dense(n)
                case .conv2d(_, let kk, let s, let p): spec.layers[i] = .conv2d(filters: n, kernel: kk, stride: s, padding: p)
                default: break
                }
            }
            return spec
        }
        guard network.plainParameterCount <= targetParameters else { return nil }
        var best = network, bestGap = abs(network.plainParameterCount - targetParameters)
        var k = 1
        while k < 100_000 {
            let spec = widened(by: k)
            let count = spec.plainParameterCount
            let gap = abs(count - targetParameters)
            if gap < bestGap { best = spec; bestGap = gap }
            if count >= targetParameters { break }
            k += 1
        }
        var e = self
        e.name = name + "-matched"
        e.description = "Plain baseline widened to match \(targetParameters) parameters of \(name) with dendrites."
        e.network = best
        e.mode = .none
        return e
    }
}
