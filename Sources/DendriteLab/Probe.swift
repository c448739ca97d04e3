#if canImport(Glibc)
import Glibc
#endif
import DendriteCore

/// What the network computes, read through the core's forward pass and its error probe,
/// in the form the views draw: over a grid of inputs, every neuron's activation, every
/// neuron's error signal E(x, y) (`NeuronProbe`, each grid point labelled like its
/// nearest training sample), every dendrite's and candidate's output, and the class
/// probabilities of the decision surface.
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

    /// Grid cell centres as (x, y) pairs, row-major.
    public let points: [Float]
    /// Class probabilities per grid cell, [resolution^2 * classCount].
    public let classProbabilities: [Float]
    /// Classes of the decision surface (2 for one logistic output unit).
    public let classCount: Int
    /// Per neuron group, E (`NeuronGroup.errorSignal`) per grid cell and unit [resolution^2 * units], with
    /// each cell labelled as its nearest training sample; empty without `labels`.
    public let gridErrors: [[Float]]

    /// Evaluates `network` on the whole grid in one batched forward pass; with `labels`
    /// (one class per grid cell, see `gridLabels`) also one backward pass for the errors.
    public init(network: Network, resolution: Int = 64, extent: Float = 1.3, version: Int? = nil,
                labels: [Int32]? = nil) {
        self.version = version
        self.resolution = resolution
        self.extent = extent
        groups = NeuronGroup.groups(of: network)
        points = NeuronProbe.gridPoints(resolution: resolution, extent: extent)
        let x = Tensor(shape: [resolution * resolution, 2], points)
        // What the forward pass shows, read while the layers still hold its values: the
        // errors' backward walk (one forward serves both) reuses some of their buffers.
        let groups = self.groups, n = resolution * resolution
        var activations: [[Float]] = [], probabilities: ([Float], Int) = ([], 2)
        var dendrites: [[[Float]]] = []
        func read(_ recorded: [Tensor]) {
            activations = Probe.groupActivations(recorded: recorded, groups)
            if let logits = recorded.last { probabilities = NeuronProbe.classProbabilities(logits: logits) }
            dendrites = groups.map { Probe.dendriteGrids(network, group: $0, rows: n) }
        }
        if let labels, labels.count == n {
            let errors = NeuronProbe.errors(of: network, x: x, labels: labels, afterForward: read)
            gridErrors = groups.map { errors[$0.neuronLayer]?.storage ?? [] }
        } else {
            read(network.forwardRecording(x))
            gridErrors = groups.map { _ in [] }
        }
        gridActivations = activations
        (classProbabilities, classCount) = probabilities
        dendriteGrids = dendrites
        candidateGroups = groups.map { (network.layers[$0.neuronLayer] as? PerforatedLayer)?.showsCandidate ?? false }
    }

    /// Dendrite outputs over the grid for one group, from the last forward pass: the
    /// existing sets, then the PB candidate (dense layers only).
    static func dendriteGrids(_ network: Network, group g: NeuronGroup, rows n: Int) -> [[Float]] {
        guard let p = network.layers[g.neuronLayer] as? PerforatedLayer else { return [] }
        var grids: [[Float]] = []
        let c = g.units
        if let v = dendriteOutputs(of: p, rows: n) {
            let d = p.dendrites.count
            grids = (0..<d).map { j in
                var out = [Float](repeating: 0, count: n * c)
                for r in 0..<n { for u in 0..<c { out[r * c + u] = v[(r * d + j) * c + u] } }
                return out
            }
        }
        if p.showsCandidate {
            let v = p.candidateOutput
            if v.count == n * c { grids.append(v.storage) }
        }
        return grids
    }

    /// The label of the nearest sample of `data` for every cell of a grid (what the
    /// error maps are computed against); cache it, it changes only with the data.
    public static func gridLabels(for data: Dataset, resolution: Int = 64, extent: Float = 1.3) -> [Int32] {
        NeuronProbe.nearestLabels(points: NeuronProbe.gridPoints(resolution: resolution, extent: extent), data: data)
    }

    /// One neuron's error signal E per grid cell (row-major); empty when not probed.
    public func errorGrid(group: Int, unit: Int) -> [Float] {
        guard group < gridErrors.count, !gridErrors[group].isEmpty else { return [] }
        let a = gridErrors[group], u = groups[group].units
        return stride(from: unit, to: a.count, by: u).map { a[$0] }
    }

    /// P(class k) per grid cell (row-major).
    public func probability(ofClass k: Int) -> [Float] {
        guard k < classCount else { return [] }
        return stride(from: k, to: classProbabilities.count, by: classCount).map { classProbabilities[$0] }
    }

    /// The most probable class per grid cell.
    public var predictedClasses: [Int] {
        (0..<(classProbabilities.count / classCount)).map { r in
            var best = 0
            for j in 1..<classCount where classProbabilities[r * classCount + j] > classProbabilities[r * classCount + best] { best = j }
            return best
        }
    }

    /// Per group, per dendrite set (a PB candidate last), [resolution^2 * units] outputs v.
    public let dendriteGrids: [[[Float]]]

    /// Whether the last dendrite grid of `group` is a PB candidate's.
    public func hasCandidate(group: Int) -> Bool { group < candidateGroups.count && candidateGroups[group] }
    /// Per group: true when a candidate's grid was appended.
    public let candidateGroups: [Bool]

    /// Dendrite `set`'s output v over the grid for one neuron (row-major).
    public func dendriteGrid(group: Int, set: Int, unit: Int) -> [Float] {
        guard group < dendriteGrids.count, set < dendriteGrids[group].count else { return [] }
        let a = dendriteGrids[group][set], u = groups[group].units
        return stride(from: unit, to: a.count, by: u).map { a[$0] }
    }

    /// P(class 1) per grid cell (row-major), for one logistic unit or softmax alike.
    public var probabilityOfClass1: [Float] { probability(ofClass: 1) }

    /// One neuron's activation per grid cell (row-major).
    public func neuronGrid(group: Int, unit: Int) -> [Float] {
        let a = gridActivations[group], u = groups[group].units
        return stride(from: unit, to: a.count, by: u).map { a[$0] }
    }

    /// Input coordinate `unit` (0: x1, 1: x2) per grid cell, clamped to [-1, 1].
    public func inputGrid(unit: Int) -> [Float] {
        (0..<(resolution * resolution)).map { max(-1, min(1, points[2 * $0 + unit])) }
    }

    /// Activations per group for each row of `x` ([B, 2]); the output group as class probabilities.
    static func groupActivations(_ network: Network, _ x: Tensor, _ groups: [NeuronGroup]) -> [[Float]] {
        groupActivations(recorded: network.forwardRecording(x), groups)
    }

    /// The same from outputs already recorded by `Network.forwardRecording`.
    static func groupActivations(recorded outs: [Tensor], _ groups: [NeuronGroup]) -> [[Float]] {
        groups.map { g in
            var v = outs[g.outputLayer].storage
            if g.activation == "softmax" { softmaxRows(&v, columns: g.units) }
            if g.activation == "logistic" { for i in v.indices { v[i] = 1 / (1 + expf(-v[i])) } }
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
