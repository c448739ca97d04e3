/// Param-matched baselines: the fair opponent of a network with dendrites is the same
/// plain architecture made wider until it has as many parameters (design.md 2: a plain
/// H=32 MLP matches 784-8-10 with three dendrite sets). A dendritic layer (dANN) has no
/// plain form of its own, so its opponent is the MLP that puts a dense ReLU layer in
/// its place.
extension Experiment {
    /// This experiment without dendrites (`NetworkSpec.plainEquivalent`), with every
    /// hidden dense/conv layer (all neuron layers but the last, whose width is the class
    /// count) widened by the same factor, choosing the widening whose parameter count is
    /// closest to `targetParameters`. Same data, optimizer, schedule, epochs and seed. Nil
    /// when there is no hidden layer to widen or the plain network is already larger
    /// than the target.
    public func parameterMatchedBaseline(targetParameters: Int) -> Experiment? {
        let network = self.network.plainEquivalent
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
    /// Indices of the hidden layers that have a width: every dense/conv/dendritic layer
    /// but the last (whose width is the class count).
    public var hiddenLayerIndices: [Int] {
        Array(layers.indices.filter { layers[$0].width > 0 }.dropLast())
    }

    /// Units (dense), filters (conv) or somas (dendritic) of each hidden layer, in order.
    public var hiddenWidths: [Int] { hiddenLayerIndices.map { layers[$0].width } }

    /// True when some layer is a dendritic (dANN) layer: such a network has dendrites
    /// even in mode `none`, so it gets a param-matched plain baseline too.
    public var hasDendriticLayer: Bool {
        layers.contains { if case .dendritic = $0 { return true } else { return false } }
    }

    /// This network with each dendritic layer replaced by a dense ReLU layer (after a
    /// flatten when its input is an image), as narrow as the other hidden layers (one
    /// unit when there are none) so that widening it can reach small targets.
    public var plainEquivalent: NetworkSpec {
        guard hasDendriticLayer, case .success(let shapes) = inferredShapes() else { return self }
        let others = layers.compactMap { l -> Int? in
            if case .dendritic = l { return nil }
            return l.width > 0 ? l.width : nil
        }.dropLast()
        let width = others.min() ?? 1
        var out: [LayerSpec] = []
        for (i, l) in layers.enumerated() {
            guard case .dendritic = l else { out.append(l); continue }
            if (i == 0 ? inputShape : shapes[i - 1]).count > 1 { out.append(.flatten) }
            out += [.dense(width), .relu]
        }
        return NetworkSpec(inputShape: inputShape, layers: out)
    }

    /// This network with its narrowest hidden layer given `narrowest` units (somas for a
    /// dendritic layer, whose dendrites per soma and inputs per dendrite stay) and every
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
            case .dendritic(_, let d, let k, let sampling): spec.layers[i] = .dendritic(somas: n, dendrites: d, inputs: k, sampling: sampling)
            default: break
            }
        }
        return spec
    }
}

extension LayerSpec {
    /// Units of a dense layer, filters of a conv layer, somas of a dendritic layer, 0 for the rest.
    public var width: Int {
        switch self {
        case .dense(let n): return n
        case .conv2d(let f, _, _, _): return f
        case .dendritic(let s, _, _, _): return s
        default: return 0
        }
    }
}
