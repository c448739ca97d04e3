import DendriteCore

/// What the network computes, read through the core's forward pass, in the form the
/// views draw: activations of every neuron over a grid of inputs (heatmaps), for one
/// input or averaged over the training set (somata colours).
public struct Probe: Sendable {
    /// Grid cells per side; the grid covers [-extent, extent]^2, row 0 at the top (y = +extent).
    public let resolution: Int
    public let extent: Float
    /// Per neuron group, [resolution * resolution * units] activations, cell-major.
    public let gridActivations: [[Float]]
    public let groups: [NeuronGroup]
    /// The model version probed (`LabSession.version`), so views can skip re-uploading
    /// unchanged heatmaps; nil means "always redraw".
    public let version: Int?

    /// Evaluates `network` on the whole grid in one batched forward pass.
    public init(network: Network, resolution: Int = 64, extent: Float = 1.3, version: Int? = nil) {
        self.version = version
        self.resolution = resolution
        self.extent = extent
        groups = NeuronGroup.groups(of: network)
        var x = Tensor(shape: [resolution * resolution, 2])
        for row in 0..<resolution {
            for col in 0..<resolution {
                let (gx, gy) = Probe.cellCentre(row: row, col: col, resolution: resolution, extent: extent)
                x[2 * (row * resolution + col)] = gx
                x[2 * (row * resolution + col) + 1] = gy
            }
        }
        let recorded = network.forwardRecording(x)
        gridActivations = Probe.groupActivations(recorded: recorded, groups)
        // Dendrite outputs over the grid, per group: existing sets, then the candidate.
        dendriteGrids = groups.map { g in
            guard let p = network.layers[g.neuronLayer] as? PerforatedLayer else { return [] }
            var grids: [[Float]] = []
            let n = resolution * resolution, c = g.units
            if let v = dendriteOutputs(of: p, rows: n) {
                let d = p.dendrites.count
                grids = (0..<d).map { j in
                    var out = [Float](repeating: 0, count: n * c)
                    for r in 0..<n { for u in 0..<c { out[r * c + u] = v[(r * d + j) * c + u] } }
                    return out
                }
            }
            if p.candidate != nil, p.spatial == 1, p.candidateOutput.count == n * c {
                grids.append(p.candidateOutput.storage)
            }
            return grids
        }
    }

    /// Per group, per dendrite set (a PB candidate last), [resolution^2 * units] outputs v.
    public let dendriteGrids: [[[Float]]]

    /// Dendrite `set`'s output v over the grid for one neuron (row-major).
    public func dendriteGrid(group: Int, set: Int, unit: Int) -> [Float] {
        guard group < dendriteGrids.count, set < dendriteGrids[group].count else { return [] }
        let a = dendriteGrids[group][set], u = groups[group].units
        return stride(from: unit, to: a.count, by: u).map { a[$0] }
    }

    /// Input coordinates of a grid cell's centre.
    public static func cellCentre(row: Int, col: Int, resolution: Int, extent: Float) -> (Float, Float) {
        let step = 2 * extent / Float(resolution)
        return (-extent + (Float(col) + 0.5) * step, extent - (Float(row) + 0.5) * step)
    }

    /// P(class 1) per grid cell (row-major).
    public var probabilityOfClass1: [Float] {
        guard let last = gridActivations.last, let g = groups.last, g.units >= 2 else { return [] }
        return stride(from: 1, to: last.count, by: g.units).map { last[$0] }
    }

    /// One neuron's activation per grid cell (row-major).
    public func neuronGrid(group: Int, unit: Int) -> [Float] {
        let a = gridActivations[group], u = groups[group].units
        return stride(from: unit, to: a.count, by: u).map { a[$0] }
    }

    /// Input coordinate `unit` (0: x1, 1: x2) per grid cell, clamped to [-1, 1].
    public func inputGrid(unit: Int) -> [Float] {
        (0..<(resolution * resolution)).map { i in
            let (x, y) = Probe.cellCentre(row: i / resolution, col: i % resolution, resolution: resolution, extent: extent)
            return max(-1, min(1, unit == 0 ? x : y))
        }
    }

    /// Activations per group for each row of `x` ([B, 2]); the output group as softmax.
    static func groupActivations(_ network: Network, _ x: Tensor, _ groups: [NeuronGroup]) -> [[Float]] {
        groupActivations(recorded: network.forwardRecording(x), groups)
    }

    /// The same from outputs already recorded by `Network.forwardRecording`.
    static func groupActivations(recorded outs: [Tensor], _ groups: [NeuronGroup]) -> [[Float]] {
        groups.map { g in
            var v = outs[g.outputLayer].storage
            if g.activation == "softmax" { softmaxRows(&v, columns: g.units) }
            return v
        }
    }

    /// Mean activation of each neuron over the rows of `x`, per group.
    static func meanActivations(recorded outs: [Tensor], rows: Int, _ groups: [NeuronGroup]) -> [[Float]] {
        let per = groupActivations(recorded: outs, groups)
        let n = Float(max(rows, 1))
        return zip(per, groups).map { a, g in
            var m = [Float](repeating: 0, count: g.units)
            for (i, v) in a.enumerated() { m[i % g.units] += v }
            return m.map { $0 / n }
        }
    }
}
