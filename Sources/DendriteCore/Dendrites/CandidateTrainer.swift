/// The dendrite phase of Perforated Backpropagation (DESIGN 2.2 step 3).
///
/// Every perforated layer holds one candidate dendrite per neuron. After each training
/// batch (forward and backward through the frozen network, which leaves each layer's
/// candidate output V and error E in place) `step()` computes the running correlation
/// objective of `CorrelationObjective` per layer and takes one Adam step that *ascends*
/// it on the candidates' W, b and cascade K only. Neurons and older dendrites are
/// frozen, and the candidates' inputs are detached, so nothing else moves.
///
/// Once per epoch the trainer calls `measure` on a fixed evaluation subset: plain
/// |corr(V_c, E_c)| over the whole subset, not per batch. Each neuron's best candidate
/// (by that measure) is kept; `restoreBest()` puts those weights back before the
/// candidates are accepted.
public final class CandidateTrainer {
    public let layers: [PerforatedLayer]
    public let optimizer: Adam
    /// Running objective state per layer.
    public private(set) var states: [CorrelationObjective.State]
    /// Mean objective S over neurons, per layer, of the last batch.
    public private(set) var lastScores: [Double]
    /// Best measured |corr| per layer and neuron, and the weights that reached it.
    public private(set) var bestCorrelations: [[Double]]
    private var bestWeights: [[Tensor]]
    private var gradV = Tensor.empty
    /// Training steps taken.
    public private(set) var steps = 0
    /// Mean measured |corr| over all layers and neurons, one entry per `recordMeasurement`
    /// (one per dendrite-phase epoch): what the Lab plots and the tests watch rise.
    public private(set) var measurementHistory: [Double] = []
    /// The same per layer: `layerHistory[epoch][layer]` is that layer's mean |corr|.
    public private(set) var layerHistory: [[Double]] = []

    /// Starts candidates in every layer (seeded from their neuron-phase error statistics).
    public init(layers: [PerforatedLayer], learningRate: Float = 1e-3, statisticsRate: Double = 0.01,
                initScale: Float = 0.01, rng: inout RNG) {
        self.layers = layers
        self.optimizer = Adam(learningRate: learningRate)
        for l in layers { l.beginCandidate(rng: &rng, scale: initScale) }
        states = layers.map {
            CorrelationObjective.State(channels: $0.neuronCount, rate: statisticsRate,
                                       seededError: $0.errorStatistics)
        }
        lastScores = [Double](repeating: 0, count: layers.count)
        bestCorrelations = layers.map { [Double](repeating: -1, count: $0.neuronCount) }
        bestWeights = layers.map { $0.candidateParameters.map(\.value) }
    }

    public var parameters: [Parameter] { layers.flatMap { $0.candidateParameters } }

    /// One ascent step on every layer's candidates, using the V and E the last training
    /// forward/backward left in the layers.
    public func step() {
        for (i, layer) in layers.enumerated() {
            let v = layer.candidateOutput, e = layer.errors
            guard v.count > 0, v.count == e.count else { continue }
            gradV.resize(to: v.shape)
            let scores = v.withUnsafeBufferPointer { vp in
                e.withUnsafeBufferPointer { ep in
                    gradV.withUnsafeMutableBufferPointer { gp in
                        // Adam descends: hand it -dS/dV.
                        CorrelationObjective.update(state: &states[i], v: vp, e: ep, batch: layer.lastBatch,
                                                    channels: layer.neuronCount, spatial: layer.spatial,
                                                    gradient: gp, gradientScale: -1)
                    }
                }
            }
            lastScores[i] = scores.reduce(0, +) / Double(max(scores.count, 1))
            layer.backwardCandidate(gradV)
        }
        optimizer.step(parameters)
        steps += 1
    }

    /// |corr(V, E)| per layer and neuron on `data` (the fixed evaluation subset), with the
    /// network in its current state. Runs forward and backward without updating anything.
    public func measure(network: Network, on data: Dataset, batchSize: Int = 256) -> [[Double]] {
        var acc = layers.map { CorrelationAccumulator(channels: $0.neuronCount) }
        for l in layers { l.tracksErrors = false }
        defer { for l in layers { l.tracksErrors = true } }
        var loss = SoftmaxCrossEntropy()
        var x = Tensor.empty
        var y: [Int32] = []
        let all = Array(0..<data.count)
        var start = 0
        while start < data.count {
            let end = min(start + batchSize, data.count)
            data.fill(indices: all[start..<end], into: &x, labels: &y)
            let logits = network.forward(x, training: false)
            _ = loss.forward(logits: logits, labels: y[...])
            network.backward(loss.gradient)
            for (i, l) in layers.enumerated() {
                l.candidateOutput.withUnsafeBufferPointer { vp in
                    l.errors.withUnsafeBufferPointer { ep in
                        acc[i].add(v: vp, e: ep, batch: l.lastBatch, channels: l.neuronCount, spatial: l.spatial)
                    }
                }
            }
            start = end
        }
        return acc.map(\.correlations)
    }

    /// Keeps, per neuron, the candidate weights with the best measured correlation so far.
    /// Returns true when any neuron improved.
    @discardableResult
    public func recordMeasurement(_ correlations: [[Double]]) -> Bool {
        var improved = false
        let all = correlations.flatMap { $0 }
        measurementHistory.append(all.reduce(0, +) / Double(max(all.count, 1)))
        layerHistory.append(correlations.map { $0.reduce(0, +) / Double(max($0.count, 1)) })
        for (i, layer) in layers.enumerated() {
            let params = layer.candidateParameters
            let c = layer.neuronCount
            for n in 0..<c where correlations[i][n] > bestCorrelations[i][n] {
                bestCorrelations[i][n] = correlations[i][n]
                improved = true
                for (pi, p) in params.enumerated() {
                    // Every candidate tensor is [C, ...] (W, b) or [d, C] (K): copy neuron n's part.
                    copyNeuron(n, channels: c, from: p.value, into: &bestWeights[i][pi], cascade: pi == 2)
                }
            }
        }
        return improved
    }

    /// Puts each neuron's best-measured candidate back.
    public func restoreBest() {
        for (i, layer) in layers.enumerated() {
            for (pi, p) in layer.candidateParameters.enumerated() { p.value = bestWeights[i][pi] }
        }
    }

    /// Mean over layers and neurons of the best correlation reached so far.
    public var meanBestCorrelation: Double {
        let all = bestCorrelations.flatMap { $0 }.map { max($0, 0) }
        return all.isEmpty ? 0 : all.reduce(0, +) / Double(all.count)
    }

    private func copyNeuron(_ n: Int, channels c: Int, from src: Tensor, into dst: inout Tensor, cascade: Bool) {
        if cascade {
            let rows = src.count / c
            for r in 0..<rows { dst[r * c + n] = src[r * c + n] }
        } else {
            let per = src.count / c
            for j in 0..<per { dst[n * per + j] = src[n * per + j] }
        }
    }
}
