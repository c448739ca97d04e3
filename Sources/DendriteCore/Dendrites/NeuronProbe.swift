#if canImport(Glibc)
import Glibc
#endif

/// What each neuron is being told, read for the Lab and the lesson checks: the
/// per-sample error signal E of every neuron layer, exactly the one its PB candidates are
/// trained against (`Network.errorSignal(ofLayer:)`: dL/dy at the layer's summed input y,
/// or dL/dh at the activation after it), as the training backward pass computes it, and
/// the running correlation of each PB candidate with its neuron's error (the same
/// running statistics `CorrelationObjective` keeps).
///
/// A probe is safe between training steps: running error statistics are left alone,
/// parameter gradients are not computed, no handed gradient outlives the probe, and the
/// next training step overwrites every buffer the probe's forward and backward touched
/// (a test checks that training with probes in between stays bit-identical).
public enum NeuronProbe {
    /// x: [B, inputs...], labels: B classes  ->  E per neuron layer, keyed by its index in
    /// `network.layers`: [B, units...] per sample (dL_i/dy or dL_i/dh, not divided by B).
    /// For an output layer with one logistic unit E = P(class 1) - label; for softmax
    /// E_k = P_k - [k = label].
    public static func errors(of network: Network, x: Tensor, labels: [Int32]) -> [Int: Tensor] {
        errors(of: network, x: x, labels: labels, afterForward: { _ in })
    }

    /// The same from one forward pass that also records every layer's output
    /// (`Network.forwardRecording`), handed to `afterForward` before the backward walk
    /// (while the layers still hold that pass's values): the Lab's grid probe needs both,
    /// and a second forward over the grid was a third of its cost.
    public static func errors(of network: Network, x: Tensor, labels: [Int32],
                              afterForward: ([Tensor]) -> Void) -> [Int: Tensor] {
        let layers = network.layers
        // Switch off what a training backward would record, and remember how it was.
        let perforated = layers.compactMap { $0 as? PerforatedLayer }
        let tracked = perforated.map(\.tracksErrors)
        let neurons = layers.compactMap { ($0 as? NeuronLayer) ?? ($0 as? PerforatedLayer)?.neuron }
        let wantedGrads = neurons.map(\.computesParameterGradients)
        for p in perforated { p.tracksErrors = false }
        for n in neurons { n.computesParameterGradients = false }
        defer {
            for (p, t) in zip(perforated, tracked) { p.tracksErrors = t }
            for (n, g) in zip(neurons, wantedGrads) { n.computesParameterGradients = g }
            // The walk below may stop before a layer's backward takes what it was handed.
            for p in perforated { p.activationGradient = nil }
        }

        var loss = SoftmaxCrossEntropy()
        let recorded = network.forwardRecording(x)
        afterForward(recorded)
        _ = loss.forward(logits: recorded.last ?? x, labels: labels[...])
        var g = loss.gradient
        var out: [Int: Tensor] = [:]
        let scale = Float(max(x.rows, 1))
        for i in layers.indices.reversed() {
            let l = layers[i]
            network.handErrorSignal(g, enteringLayer: i)   // as the training backward does
            if l is NeuronLayer || l is PerforatedLayer {
                var e = (l as? PerforatedLayer)?.errorGradient(for: g) ?? g
                e.withUnsafeMutableBufferPointer { p in for k in p.indices { p[k] *= scale } }
                out[i] = e
                // Nothing below the first neuron layer has an error of its own.
                if !layers[..<i].contains(where: { $0 is NeuronLayer || $0 is PerforatedLayer }) { break }
            }
            g = l.backward(g)
            if g.count == 0 { break }
        }
        return out
    }

    /// Cell centres of a square grid over [-extent, extent]^2 as (x, y) pairs, row-major
    /// with row 0 at the top (y = +extent): the points the Lab's maps are drawn from.
    public static func gridPoints(resolution n: Int, extent: Float) -> [Float] {
        var out = [Float](repeating: 0, count: 2 * n * n)
        let step = 2 * extent / Float(n)
        for row in 0..<n {
            for col in 0..<n {
                out[2 * (row * n + col)] = -extent + (Float(col) + 0.5) * step
                out[2 * (row * n + col) + 1] = extent - (Float(row) + 0.5) * step
            }
        }
        return out
    }

    /// Class probabilities from logits [B, C]: softmax over C >= 2 columns, or for one
    /// column the logistic P(class 1) as [1 - p, p]. Returns [B, K] row-major and K.
    public static func classProbabilities(logits: Tensor) -> (probabilities: [Float], classes: Int) {
        let rows = logits.rows, c = logits.columns
        let k = max(2, c)
        var out = [Float](repeating: 0, count: rows * k)
        for r in 0..<rows {
            if c == 1 {
                let p = 1 / (1 + expf(-logits[r]))
                out[2 * r] = 1 - p
                out[2 * r + 1] = p
                continue
            }
            var m = -Float.infinity
            for j in 0..<c { m = max(m, logits[r * c + j]) }
            var sum: Float = 0
            for j in 0..<c { let e = expf(logits[r * c + j] - m); out[r * k + j] = e; sum += e }
            for j in 0..<c { out[r * k + j] /= sum }
        }
        return (out, k)
    }

    /// How much the decision surface varies over the points it was computed on: the
    /// standard deviation of P(class k), averaged over classes (0 for a uniform surface;
    /// about 0.5 when every point is classified with certainty, half each way).
    public static func surfaceSpread(probabilities p: [Float], classes k: Int) -> Double {
        let rows = p.count / max(k, 1)
        guard rows > 1 else { return 0 }
        var total: Double = 0
        for j in 0..<k {
            var s: Double = 0, ss: Double = 0
            for r in 0..<rows { let v = Double(p[r * k + j]); s += v; ss += v * v }
            let mean = s / Double(rows)
            total += max(0, ss / Double(rows) - mean * mean).squareRoot()
        }
        return total / Double(k)
    }

    /// The class of the nearest sample of `data` (2-D features) for each point of
    /// `points` (x, y pairs): the label a point of the plane would most plausibly carry,
    /// so an error map can be drawn over the whole plane, not only at the samples.
    public static func nearestLabels(points: [Float], data: Dataset) -> [Int32] {
        guard case .float(let f) = data.features, data.sampleSize == 2, data.count > 0 else {
            return [Int32](repeating: 0, count: points.count / 2)
        }
        return (0..<(points.count / 2)).map { i in
            let px = points[2 * i], py = points[2 * i + 1]
            var best = Float.infinity, label: Int32 = 0
            for s in 0..<data.count {
                let dx = f[2 * s] - px, dy = f[2 * s + 1] - py
                let d = dx * dx + dy * dy
                if d < best { best = d; label = data.labels[s] }
            }
            return label
        }
    }

    /// Mean of `values` over the points in each quadrant of the plane, in the order
    /// x > 0 y > 0, x < 0 y > 0, x < 0 y < 0, x > 0 y < 0 (0 for an empty quadrant).
    public static func quadrantMeans(_ values: [Float], points: [Float]) -> [Double] {
        var sum = [Double](repeating: 0, count: 4), n = [Double](repeating: 0, count: 4)
        for i in 0..<min(values.count, points.count / 2) {
            let x = points[2 * i], y = points[2 * i + 1]
            let q = y >= 0 ? (x >= 0 ? 0 : 1) : (x < 0 ? 2 : 3)
            sum[q] += Double(values[i]); n[q] += 1
        }
        return zip(sum, n).map { $1 > 0 ? $0 / $1 : 0 }
    }
}

extension CorrelationObjective.State {
    /// |cov(V, E)| / (sd V · sd E) per neuron from the running statistics: the candidate's
    /// correlation with its neuron's error as the dendrite phase currently sees it
    /// (0 before the first batch).
    public var runningCorrelations: [Double] {
        (0..<covariance.count).map { c in
            guard updates > 0 else { return 0 }
            let den = max(varianceV[c], 0).squareRoot() * max(varianceE[c], 0).squareRoot() + CorrelationObjective.epsilon
            return min(1, abs(covariance[c]) / den)
        }
    }
}

extension CandidateTrainer {
    /// The running correlation of `layer`'s candidates with their neurons' errors, or nil
    /// when `layer` grows no candidate in this dendrite phase.
    public func runningCorrelations(of layer: PerforatedLayer) -> [Double]? {
        guard let i = layers.firstIndex(where: { $0 === layer }), i < states.count else { return nil }
        return states[i].runningCorrelations
    }
}
