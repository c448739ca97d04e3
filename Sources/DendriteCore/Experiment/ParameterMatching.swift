/// Param-matched baselines: the fair opponent of a network with dendrites is the same
/// plain architecture made wider until it has as many parameters (design.md 2: a plain
/// H=32 MLP matches 784-8-10 with three dendrite sets).
extension Experiment {
    /// This experiment without dendrites, with every hidden dense/conv layer (all neuron
    /// layers but the last, whose width is the class count) widened by the same factor,
    /// choosing the widening whose parameter count is closest to `targetParameters`.
    /// Same data, optimizer, schedule, epochs and seed. Nil when there is no hidden layer
    /// to widen or the plain network is already larger than the target.
    public func parameterMatchedBaseline(targetParameters: Int) -> Experiment? {
        guard let narrowest = network.hiddenWidths.min() else { return nil }
        guard network.plainParameterCount <= targetParameters else { return nil }
        var best = network, bestGap = abs(network.plainParameterCount - targetParameters)
        var k = 1
        while k < 100_000, let spec = network.scalingHidden(narrowestTo: narrowest + k) {
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

extension NetworkSpec {
    /// Indices of the hidden neuron layers: every dense/conv layer but the last (whose
    /// width is the class count).
    public var hiddenLayerIndices: [Int] {
        Array(layers.indices.filter { layers[$0].isNeuronLayer }.dropLast())
    }

    /// Units (dense) or filters (conv) of each hidden neuron layer, in order.
    public var hiddenWidths: [Int] { hiddenLayerIndices.map { layers[$0].width } }

    /// This network with its narrowest hidden layer given `narrowest` units and every
    /// other hidden layer scaled by the same factor (rounded, at least 1). Nil when there
    /// is no hidden layer.
    public func scalingHidden(narrowestTo narrowest: Int) -> NetworkSpec? {
        guard let current = hiddenWidths.min(), current > 0 else { return nil }
        var spec = self
        for i in hiddenLayerIndices {
            let w = spec.layers[i].width
            let n = max(1, Int((Double(w) * Double(narrowest) / Double(current)).rounded()))
            switch spec.layers[i] {
            case .dense: spec.layers[i] = .dense(n)
            case .conv2d(_, let kk, let s, let p): spec.layers[i] = .conv2d(filters: n, kernel: kk, stride: s, padding: p)
            default: break
            }
        }
        return spec
    }
}

extension LayerSpec {
    /// Units of a dense layer, filters of a conv layer, 0 for the rest.
    public var width: Int {
        switch self {
        case .dense(let n): return n
        case .conv2d(let f, _, _, _): return f
        default: return 0
        }
    }
}
