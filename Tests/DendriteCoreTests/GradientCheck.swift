@testable import DendriteCore

/// Central finite differences for layers, in Float32 arithmetic with a Float64
/// accumulation of the probe loss  L = sum(y * r)  for a fixed random r.
///
/// Returns the largest relative error over the input and every parameter, where
/// relative error = |analytic - numeric| / max(1e-2, |analytic| + |numeric|).
func gradientCheckError(_ layer: Layer, input: Tensor, seed: UInt64 = 7, step: Float = 1e-2) -> Double {
    var rng = RNG(seed: seed)
    layer.propagatesGradient = true
    let y0 = layer.forward(input, training: true)
    var r = Tensor(shape: y0.shape)
    for i in 0..<r.count { r[i] = rng.uniform(-1, 1) }
    let dx = layer.backward(r)
    let analyticParams = layer.parameters.map { $0.grad }

    func probe(_ x: Tensor) -> Double {
        let y = layer.forward(x, training: true)
        var s: Double = 0
        for i in 0..<y.count { s += Double(y[i]) * Double(r[i]) }
        return s
    }
    func rel(_ a: Float, _ n: Double) -> Double {
        abs(Double(a) - n) / max(1e-2, abs(Double(a)) + abs(n))
    }
    var worst: Double = 0
    var x = input
    for i in 0..<x.count {
        let v = x[i]
        x[i] = v + step; let lp = probe(x)
        x[i] = v - step; let lm = probe(x)
        x[i] = v
        worst = max(worst, rel(dx[i], (lp - lm) / Double(2 * step)))
    }
    for (p, g) in zip(layer.parameters, analyticParams) {
        for i in 0..<p.count {
            let v = p.value[i]
            p.value[i] = v + step; let lp = probe(input)
            p.value[i] = v - step; let lm = probe(input)
            p.value[i] = v
            worst = max(worst, rel(g[i], (lp - lm) / Double(2 * step)))
        }
    }
    return worst
}

/// The same for a PB candidate pool: `backwardCandidate(r)` against central differences
/// of the probe objective r . V (V = the pool's output for `input`) on every candidate
/// parameter. The correlation objective's own dS/dV is checked in DendriteCorrelationTests.
func candidateGradientCheckError(_ layer: PerforatedLayer, input: Tensor, seed: UInt64, step: Float = 1e-2) -> Double {
    _ = layer.forward(input, training: true)
    let r = randomTensor(layer.poolOutput.shape, seed: seed)
    layer.backwardCandidate(r)
    func probe() -> Double {
        _ = layer.forward(input, training: true)
        return zip(layer.poolOutput.storage, r.storage).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    var worst = 0.0
    for p in layer.candidateParameters {
        let g = p.grad
        for i in 0..<p.count {
            let v = p.value[i]
            p.value[i] = v + step; let lp = probe()
            p.value[i] = v - step; let lm = probe()
            p.value[i] = v
            let numeric = (lp - lm) / Double(2 * step)
            worst = max(worst, abs(Double(g[i]) - numeric) / max(1e-2, abs(Double(g[i])) + abs(numeric)))
        }
    }
    return worst
}

func randomTensor(_ shape: [Int], seed: UInt64, range: Float = 1) -> Tensor {
    var rng = RNG(seed: seed)
    var t = Tensor(shape: shape)
    for i in 0..<t.count { t[i] = rng.uniform(-range, range) }
    return t
}
