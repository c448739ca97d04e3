/// The dendrite phase of Perforated Backpropagation (design.md 2.2 step 3).
///
/// Every perforated layer holds a pool of P candidate dendrites per neuron (one sibling
/// layer of P*C outputs). After each training batch (forward and backward through the
/// frozen network, which leaves each layer's candidate output V and error E in place)
/// `step()` computes the running correlation objective of `CorrelationObjective` for
/// every candidate against its neuron's E and takes one optimizer step (Adam in
/// experiments) that *ascends* it on the candidates' W, b and cascade K only. Neurons and
/// older dendrites are frozen, and the candidates' inputs are detached, so nothing else moves.
///
/// Once per epoch the trainer calls `measure` on a fixed held-out subset: the
/// correlation of V and E over the whole subset, signed by the sign the candidate
/// trains towards (its running covariance), so a candidate that only fits noise in
/// the training batches scores low. Each candidate's best measured weights are kept;
/// `choice` picks per neuron the pool member with the best measured correlation, and
/// `accept` restores those weights and installs them.
public final class CandidateTrainer {
    public let layers: [PerforatedLayer]
    /// Steps the candidates' parameters (the trainer gives Adam at the candidate rate).
    public let optimizer: Optimizer
    /// Candidates per neuron.
    public let poolSize: Int
    /// Running objective state per layer, over its P*C candidates (pool-major).
    public private(set) var states: [CorrelationObjective.State]
    /// Mean objective S over candidates, per layer, of the last batch.
    public private(set) var lastScores: [Double]
    /// Best measured correlation per layer and candidate ([P*C], pool-major), and the
    /// weights that reached it.
    public private(set) var poolCorrelations: [[Double]]
    private var bestWeights: [[Tensor]]
    /// Per layer, the objective's gradient coefficients (a, b, k) of each candidate
    /// ([3, P*C]); the candidates' backward applies them (`backwardCandidate(objective:)`).
    private var coefficients: [[Float]]
    /// Sum and count of the batch objective since the last measurement (the "batch"
    /// correlation of an epoch: mean over its batches and all candidates).
    private var batchScoreSum: Double = 0
    private var batchScoreCount = 0
    /// Training steps taken.
    public private(set) var steps = 0
    /// Held-out correlation of the phase, one entry per `recordMeasurement` (one per
    /// dendrite-phase epoch): mean over layers and neurons of the best pool member's
    /// current value. What the stop rule judges, the Lab plots and the tests watch rise.
    public private(set) var measurementHistory: [Double] = []
    /// The same per layer: `layerHistory[epoch][layer]`.
    public private(set) var layerHistory: [[Double]] = []
    /// Mean batch objective per epoch, next to `measurementHistory`.
    public private(set) var batchHistory: [Double] = []

    /// Starts `poolSize` candidates per neuron in every layer (seeded from their
    /// neuron-phase error statistics).
    public init(layers: [PerforatedLayer], optimizer: Optimizer = Adam(learningRate: 1e-3), statisticsRate: Double = 0.01,
                initScale: Float = 0.01, poolSize: Int = 1, rng: inout RNG) {
        self.layers = layers
        self.poolSize = max(poolSize, 1)
        self.optimizer = optimizer
        let p = self.poolSize
        coefficients = layers.map { [Float](repeating: 0, count: 3 * $0.neuronCount * p) }
        for l in layers { l.beginCandidate(rng: &rng, scale: initScale, pool: p) }
        states = layers.map {
            var s = CorrelationObjective.State(channels: $0.neuronCount, rate: statisticsRate,
                                               seededError: $0.errorStatistics)
            s.tile(p)
            return s
        }
        lastScores = [Double](repeating: 0, count: layers.count)
        poolCorrelations = layers.map { [Double](repeating: -1, count: $0.neuronCount * p) }
        bestWeights = layers.map { $0.candidateParameters.map(\.value) }
    }

    public var parameters: [Parameter] { layers.flatMap { $0.candidateParameters } }

    /// Best measured correlation per layer and neuron (the best of its pool).
    public var bestCorrelations: [[Double]] {
        zip(layers, poolCorrelations).map { l, pc in
            (0..<l.neuronCount).map { n in (0..<poolSize).map { pc[$0 * l.neuronCount + n] }.max() ?? -1 }
        }
    }

    /// Per layer and neuron, the pool member with the best measured correlation.
    public var choice: [[Int]] {
        zip(layers, poolCorrelations).map { l, pc in
            (0..<l.neuronCount).map { n in
                (0..<poolSize).max { pc[$0 * l.neuronCount + n] < pc[$1 * l.neuronCount + n] } ?? 0
            }
        }
    }

    /// One ascent step on every layer's candidates, using the V and E the last training
    /// forward/backward left in the layers.
    public func step() {
        for (i, layer) in layers.enumerated() {
            let v = layer.poolOutput, e = layer.errors
            guard v.count > 0, v.count == e.count * poolSize else { continue }
            let scores = v.withUnsafeBufferPointer { vp in
                e.withUnsafeBufferPointer { ep in
                    coefficients[i].withUnsafeMutableBufferPointer { cp in
                        // Optimizers descend: hand them -dS/dV.
                        CorrelationObjective.update(state: &states[i], v: vp, e: ep, batch: layer.lastBatch,
                                                    channels: layer.neuronCount * poolSize, spatial: layer.spatial,
                                                    errorChannels: layer.neuronCount, coefficients: cp,
                                                    gradientScale: -1)
                    }
                }
            }
            lastScores[i] = scores.reduce(0, +) / Double(max(scores.count, 1))
            coefficients[i].withUnsafeBufferPointer {
                // Invariant: the array holds 3 * P*C coefficients (sized at init), so it has a base.
                layer.backwardCandidate(objective: $0.baseAddress!)
            }
        }
        batchScoreSum += lastScores.reduce(0, +) / Double(max(lastScores.count, 1))
        batchScoreCount += 1
        optimizer.step(parameters)
        steps += 1
    }

    /// Correlation per layer and candidate ([P*C]) on `data` (the fixed held-out subset),
    /// with the network in its current state, signed by the direction each candidate
    /// trains towards. Runs forward and backward without updating anything.
    public func measure(network: Network, on data: Dataset, batchSize: Int = 256) -> [[Double]] {
        var acc = layers.map { CorrelationAccumulator(channels: $0.neuronCount * poolSize) }
        for l in layers { l.tracksErrors = false }
        defer { for l in layers { l.tracksErrors = true } }
        var loss = SoftmaxCrossEntropy()
        data.forEachBatch(size: batchSize) { x, y in
            let logits = network.forward(x, training: false)
            _ = loss.forward(logits: logits, labels: y[...])
            network.backward(loss.gradient)
            accumulate(into: &acc)
        }
        return zip(acc, states).map { a, s in
            zip(a.signedCorrelations, s.covariance).map { r, cov in cov < 0 ? -r : r }
        }
    }

    /// Adds each layer's candidate output V and error E, as the last backward left them,
    /// to that layer's accumulator.
    private func accumulate(into acc: inout [CorrelationAccumulator]) {
        for (i, l) in layers.enumerated() {
            l.poolOutput.withUnsafeBufferPointer { vp in
                l.errors.withUnsafeBufferPointer { ep in
                    acc[i].add(v: vp, e: ep, batch: l.lastBatch, channels: l.neuronCount * poolSize, spatial: l.spatial,
                               errorChannels: l.neuronCount)
                }
            }
        }
    }

    /// Keeps, per candidate, the weights with the best measured correlation so far, and
    /// logs the epoch's held-out and batch correlation. Returns the epoch's held-out
    /// value (mean over layers and neurons of the best pool member's current value).
    @discardableResult
    public func recordMeasurement(_ correlations: [[Double]]) -> Double {
        var perLayer: [Double] = []
        for (i, layer) in layers.enumerated() {
            let c = layer.neuronCount
            let params = layer.candidateParameters
            var sum: Double = 0
            for n in 0..<c { sum += (0..<poolSize).map { correlations[i][$0 * c + n] }.max() ?? 0 }
            perLayer.append(sum / Double(max(c, 1)))
            for ch in 0..<(c * poolSize) where correlations[i][ch] > poolCorrelations[i][ch] {
                poolCorrelations[i][ch] = correlations[i][ch]
                for (pi, p) in params.enumerated() {
                    // W, b are [P*C, ...]; K is [d, P*C]: copy candidate ch's part.
                    copyChannel(ch, channels: c * poolSize, from: p.value, into: &bestWeights[i][pi], cascade: pi == 2)
                }
            }
        }
        for (layer, chosen) in zip(layers, choice) { layer.leadingCandidates = chosen }
        let mean = perLayer.reduce(0, +) / Double(max(perLayer.count, 1))
        measurementHistory.append(mean)
        layerHistory.append(perLayer)
        batchHistory.append(batchScoreCount > 0 ? batchScoreSum / Double(batchScoreCount) : .nan)
        batchScoreSum = 0
        batchScoreCount = 0
        return mean
    }

    /// Puts each candidate's best-measured weights back and installs, per neuron, the
    /// pool member with the best measured correlation as a frozen dendrite (A = 0).
    public func accept() {
        let chosen = choice
        for (i, layer) in layers.enumerated() {
            for (pi, p) in layer.candidateParameters.enumerated() { p.value = bestWeights[i][pi] }
            layer.acceptCandidate(chosen: chosen[i])
        }
    }

    /// Mean over layers and neurons of the best correlation reached so far.
    public var meanBestCorrelation: Double {
        let all = bestCorrelations.flatMap { $0 }.map { max($0, 0) }
        return all.isEmpty ? 0 : all.reduce(0, +) / Double(all.count)
    }

    private func copyChannel(_ n: Int, channels c: Int, from src: Tensor, into dst: inout Tensor, cascade: Bool) {
        if cascade {
            let rows = src.count / c
            for r in 0..<rows { dst[r * c + n] = src[r * c + n] }
        } else {
            let per = src.count / c
            for j in 0..<per { dst[n * per + j] = src[n * per + j] }
        }
    }
}
