@testable import DendriteCore

/// Gradient check against an independent Float64 forward: the layer's analytic
/// gradients (its Float32 backward) are compared with central finite differences of
/// `reference(x, parameters)` for the probe loss L = sum(y * r), r fixed and random.
/// Float64 makes the differences exact enough to hold layers with many inputs per
/// output (convolutions) to a 1e-3 relative error, where Float32 differences are noise.
///
/// Returns the largest |analytic - numeric| / max(1e-2, |analytic| + |numeric|) over
/// the input and every parameter.
func referenceGradientError(_ layer: Layer, input: Tensor, seed: UInt64 = 7, step: Double = 1e-4,
                            reference: ([Double], [[Double]]) -> [Double]) -> Double {
    var rng = RNG(seed: seed)
    layer.propagatesGradient = true
    let y = layer.forward(input, training: true)
    let r = (0..<y.count).map { _ in Double(rng.uniform(-1, 1)) }
    var dy = Tensor(shape: y.shape)
    for i in 0..<r.count { dy[i] = Float(r[i]) }
    let dx = layer.backward(dy)
    let analyticParams = layer.parameters.map { $0.grad }

    var x = input.storage.map(Double.init)
    var params = layer.parameters.map { $0.value.storage.map(Double.init) }
    func loss() -> Double {
        let out = reference(x, params)
        precondition(out.count == r.count, "reference gives \(out.count) outputs, layer \(r.count)")
        var s = 0.0
        for i in 0..<out.count { s += out[i] * r[i] }
        return s
    }
    func rel(_ a: Float, _ n: Double) -> Double { abs(Double(a) - n) / max(1e-2, abs(Double(a)) + abs(n)) }

    var worst = 0.0
    for i in 0..<x.count {
        let v = x[i]
        x[i] = v + step; let lp = loss()
        x[i] = v - step; let lm = loss()
        x[i] = v
        worst = max(worst, rel(dx[i], (lp - lm) / (2 * step)))
    }
    for (p, g) in zip(params.indices, analyticParams) {
        for i in 0..<params[p].count {
            let v = params[p][i]
            params[p][i] = v + step; let lp = loss()
            params[p][i] = v - step; let lm = loss()
            params[p][i] = v
            worst = max(worst, rel(g[i], (lp - lm) / (2 * step)))
        }
    }
    return worst
}

/// Direct (six nested loops) convolution in Float64, written from the definition:
/// y[b, co, oh, ow] = bias[co] + sum over ci, kh, kw of
///     w[co, ci, kh, kw] * x[b, ci, oh*stride - padding + kh, ow*stride - padding + kw],
/// with x read as 0 outside the image.
func directConvolution(x: [Double], batch: Int, channels cin: Int, height h: Int, width w: Int,
                       weight: [Double], bias: [Double], outChannels cout: Int,
                       kernel k: Int, stride s: Int, padding p: Int) -> (y: [Double], ho: Int, wo: Int) {
    let ho = (h + 2 * p - k) / s + 1, wo = (w + 2 * p - k) / s + 1
    var y = [Double](repeating: 0, count: batch * cout * ho * wo)
    for b in 0..<batch {
        for co in 0..<cout {
            for oh in 0..<ho {
                for ow in 0..<wo {
                    var acc = bias[co]
                    for ci in 0..<cin {
                        for kh in 0..<k {
                            for kw in 0..<k {
                                let ih = oh * s - p + kh, iw = ow * s - p + kw
                                if ih < 0 || ih >= h || iw < 0 || iw >= w { continue }
                                acc += weight[((co * cin + ci) * k + kh) * k + kw] * x[((b * cin + ci) * h + ih) * w + iw]
                            }
                        }
                    }
                    y[((b * cout + co) * ho + oh) * wo + ow] = acc
                }
            }
        }
    }
    return (y, ho, wo)
}
