/// The kernels of `DendriticLayer`: batched dot products over fixed groups of `width`
/// inputs (group g owns weights g*width ..< (g+1)*width), either gathered through an
/// index table (dendrites) or contiguous (somas, each summing its own dendrites), each
/// followed by a LeakyReLU. No sum is ever split between workers, so results do not
/// depend on the thread count.
enum SparseDot {
    static let slope = DendriticLayer.slope

    @inline(__always)
    static func leaky(_ t: Float) -> Float { t > 0 ? t : slope * t }

    // MARK: Gathered (dendrites)

    /// One row: out[g] = leaky(bias[g] + sum_j w[g, j] x[idx[g, j]]).
    /// x: [inputs], idx/w: [groups, width], bias/out: [groups]
    @inline(__always)
    static func gatherForward(_ x: UnsafePointer<Float>, _ idx: UnsafePointer<Int32>, _ w: UnsafePointer<Float>,
                              _ bias: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                              groups: Int, width: Int) {
        for g in 0..<groups {
            let i = idx + g * width, wg = w + g * width
            var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
            var j = 0
            while j + 4 <= width {
                s0 += wg[j] * x[Int(i[j])]
                s1 += wg[j + 1] * x[Int(i[j + 1])]
                s2 += wg[j + 2] * x[Int(i[j + 2])]
                s3 += wg[j + 3] * x[Int(i[j + 3])]
                j += 4
            }
            while j < width { s0 += wg[j] * x[Int(i[j])]; j += 1 }
            out[g] = leaky(bias[g] + ((s0 + s1) + (s2 + s3)))
        }
    }

    /// dW[g, j] = sum_b dz[b, g] x[b, idx[g, j]],  db[g] = sum_b dz[b, g], for g in `groups`.
    /// x: [batch, inputs], dz: [batch, count]
    static func gatherWeightGrad(_ x: UnsafePointer<Float>, _ idx: UnsafePointer<Int32>, _ dz: UnsafePointer<Float>,
                                 _ dw: UnsafeMutablePointer<Float>, _ db: UnsafeMutablePointer<Float>,
                                 batch: Int, inputs: Int, groups: Range<Int>, count: Int, width: Int) {
        guard !groups.isEmpty else { return }
        let lo = groups.lowerBound * width, hi = groups.upperBound * width
        for p in lo..<hi { dw[p] = 0 }
        for g in groups { db[g] = 0 }
        for b in 0..<batch {
            let xr = x + b * inputs, dzr = dz + b * count
            for g in groups {
                let d = dzr[g]
                db[g] += d
                let i = idx + g * width, dwg = dw + g * width
                for j in 0..<width { dwg[j] += d * xr[Int(i[j])] }
            }
        }
    }

    /// One row: dx[idx[g, j]] += dz[g] w[g, j] (dx zeroed first). dz: [groups], dx: [inputs]
    @inline(__always)
    static func scatterInputGrad(_ dz: UnsafePointer<Float>, _ idx: UnsafePointer<Int32>, _ w: UnsafePointer<Float>,
                                 _ dx: UnsafeMutablePointer<Float>, inputs: Int, groups: Int, width: Int) {
        for p in 0..<inputs { dx[p] = 0 }
        for g in 0..<groups {
            let d = dz[g]
            let i = idx + g * width, wg = w + g * width
            for j in 0..<width { dx[Int(i[j])] += d * wg[j] }
        }
    }

    // MARK: Contiguous (somas)

    // a: [B, G*W], W: [G, W], b: [G] -> y: [B, G] = leaky(per-group dot + b)
    static func forward(_ a: Tensor, _ w: Tensor, _ bias: Tensor, into y: inout Tensor, width: Int) {
        let groups = bias.count, batch = a.rows
        y.resize(to: [batch, groups])
        a.withUnsafeBufferPointer { a in
            w.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { bias in
                    y.withUnsafeMutableBufferPointer { y in
                        let (a, w, bias, y) = (a.baseAddress!, w.baseAddress!, bias.baseAddress!, y.baseAddress!)
                        for b in 0..<batch {
                            let ar = a + b * groups * width, yr = y + b * groups
                            for g in 0..<groups {
                                let ag = ar + g * width, wg = w + g * width
                                var s: Float = 0
                                for j in 0..<width { s += wg[j] * ag[j] }
                                yr[g] = leaky(bias[g] + s)
                            }
                        }
                    }
                }
            }
        }
    }

    // du: [B, G], a: [B, G*W] -> dW [G, W] = per-group sum_b du a, db [G] = sum_b du,
    //   da [B, G*W] = du W
    static func backward(_ du: Tensor, input a: Tensor, _ weight: Parameter, _ bias: Parameter,
                         inputGrad da: inout Tensor, width: Int) {
        let groups = bias.count, batch = du.rows, row = groups * width
        da.resize(to: [batch, row])
        du.withUnsafeBufferPointer { du in
            a.withUnsafeBufferPointer { a in
                weight.value.withUnsafeBufferPointer { w in
                    weight.grad.withUnsafeMutableBufferPointer { dw in
                        bias.grad.withUnsafeMutableBufferPointer { db in
                            da.withUnsafeMutableBufferPointer { da in
                                let (du, a, w) = (du.baseAddress!, a.baseAddress!, w.baseAddress!)
                                let (dw, db, da) = (dw.baseAddress!, db.baseAddress!, da.baseAddress!)
                                for p in 0..<row { dw[p] = 0 }
                                for g in 0..<groups { db[g] = 0 }
                                for b in 0..<batch {
                                    let dur = du + b * groups, ar = a + b * row, dar = da + b * row
                                    for g in 0..<groups {
                                        let d = dur[g]
                                        db[g] += d
                                        let o = g * width
                                        for j in 0..<width {
                                            dw[o + j] += d * ar[o + j]
                                            dar[o + j] = d * w[o + j]
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: LeakyReLU

    /// d = g * leaky'(y), with leaky' read from the output y (its sign is the input's).
    static func leakyGrad(_ g: Tensor, output y: Tensor, into d: inout Tensor) {
        d.resize(to: g.shape)
        g.withUnsafeBufferPointer { g in
            y.withUnsafeBufferPointer { y in
                d.withUnsafeMutableBufferPointer { d in
                    for i in 0..<g.count { let gi = g[i]; d[i] = y[i] > 0 ? gi : slope * gi }
                }
            }
        }
    }

    /// g *= leaky'(y) in place.
    static func leakyGrad(_ g: inout Tensor, output y: Tensor) {
        y.withUnsafeBufferPointer { y in
            g.withUnsafeMutableBufferPointer { g in
                for i in 0..<g.count { let gi = g[i]; g[i] = y[i] > 0 ? gi : slope * gi }
            }
        }
    }
}
