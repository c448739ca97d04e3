/// The kernels of `DendriticLayer` and of sampled dendrites (`SampledDense`), in a
/// batch-as-lanes layout: activations are stored
/// transposed, [units, B], so a dendrite's k gathered inputs are k contiguous rows of
/// x^T and every multiply-add runs over B samples at once in SIMD registers (a gather
/// per synapse, not per synapse and sample). Group g owns weights g*width ..< (g+1)*width.
/// Each output element's sum runs in one fixed order whatever the worker split, so
/// results do not depend on the thread count.
enum SparseDot {
    static let slope = DendriticLayer.slope

    // MARK: Transposes

    /// dst [cols, rows] = src [rows, cols]^T, in 32 x 32 tiles.
    static func transpose(_ src: UnsafePointer<Float>, rows: Int, cols: Int, into dst: UnsafeMutablePointer<Float>) {
        let tile = 32
        for r0 in stride(from: 0, to: rows, by: tile) {
            for c0 in stride(from: 0, to: cols, by: tile) {
                for r in r0..<min(rows, r0 + tile) {
                    for c in c0..<min(cols, c0 + tile) { dst[c * rows + r] = src[r * cols + c] }
                }
            }
        }
    }

    /// dst = src^T for `src` read as [rows, cols]; dst is resized to `shape` (default
    /// [cols, rows]) first.
    static func transpose(_ src: Tensor, rows: Int, cols: Int, into dst: inout Tensor, shape: [Int]? = nil) {
        dst.resize(to: shape ?? [cols, rows])
        src.withUnsafeBufferPointer { s in
            // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
            dst.withUnsafeMutableBufferPointer { transpose(s.baseAddress!, rows: rows, cols: cols, into: $0.baseAddress!) }
        }
    }

    /// dst [count, B] = the columns `used[0..<count]` of src [B, cols], transposed: the rows
    /// of x^T a sampled layer reads, without transposing inputs no synapse reads.
    static func transposeColumns(_ src: UnsafePointer<Float>, batch: Int, cols: Int, used: UnsafePointer<Int32>, count: Int,
                                 into dst: UnsafeMutablePointer<Float>) {
        let tile = 32
        for b0 in stride(from: 0, to: batch, by: tile) {
            let b1 = min(batch, b0 + tile)
            for r in 0..<count {
                let col = src + Int(used[r]), out = dst + r * batch
                for b in b0..<b1 { out[b] = col[b * cols] }
            }
        }
    }

    /// The inverse: dst [B, cols] = 0 except its columns `used`, which get the rows of src [count, B].
    static func scatterColumns(_ src: UnsafePointer<Float>, batch: Int, cols: Int, used: UnsafePointer<Int32>, count: Int,
                               into dst: UnsafeMutablePointer<Float>) {
        dst.update(repeating: 0, count: batch * cols)
        let tile = 32
        for b0 in stride(from: 0, to: batch, by: tile) {
            let b1 = min(batch, b0 + tile)
            for r in 0..<count {
                let col = dst + Int(used[r]), row = src + r * batch
                for b in b0..<b1 { col[b * cols] = row[b] }
            }
        }
    }

    // MARK: Gather stages (the layers' entry points, split over workers)

    /// out[u, :] = (leaky)(bias[u] + sum_j w[u, j] in[idx[u*k + j], :]) for every unit u < `units`.
    /// in: [*, B], out: [units, B]
    static func gatherForward(_ input: UnsafePointer<Float>, _ idx: UnsafePointer<Int32>, _ w: UnsafePointer<Float>,
                              _ bias: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                              units: Int, width k: Int, batch: Int, leaky: Bool) {
        Parallel.forRanges(units, cost: k * batch) { groups in
            forward(input, idx, w, bias, out, groups: groups, width: k, batch: batch, leaky: leaky)
        }
    }

    /// Backward of `gatherForward` from dz^T [units, B] (f' already applied): dW [units, k]
    /// and db [units] when `dw`, `db` are given, then din^T [rows, B] when `din` is.
    static func gatherBackward(_ dz: UnsafePointer<Float>, _ input: UnsafePointer<Float>, _ idx: UnsafePointer<Int32>,
                               _ w: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?,
                               din: UnsafeMutablePointer<Float>?, rows: Int, units: Int, width k: Int, batch: Int) {
        if let dw, let db {
            Parallel.forRanges(units, cost: k * batch) { groups in
                weightGrad(dz, input, idx, dw, db, groups: groups, width: k, batch: batch)
            }
        }
        guard let din else { return }
        Parallel.forRanges(batch, cost: units * k) { columns in
            inputGrad(dz, idx, w, din, rows: rows, groups: units, width: k, batch: batch, columns: columns)
        }
    }

    // MARK: Forward

    /// out[g, :] = leaky(bias[g] + sum_j w[g, j] in[row(g, j), :]) for g in `groups`,
    /// row(g, j) = idx[g*width + j] when an index table is given, else g*width + j.
    /// Without `leaky` the affine sum alone (sampled dendrites apply their own f).
    /// in: [*, B], out: [groups, B]
    static func forward(_ input: UnsafePointer<Float>, _ idx: UnsafePointer<Int32>?, _ w: UnsafePointer<Float>,
                        _ bias: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                        groups: Range<Int>, width: Int, batch: Int, leaky: Bool = true) {
        for g in groups {
            let o = out + g * batch
            let b0 = bias[g]
            for b in 0..<batch { o[b] = b0 }
            for j in 0..<width {
                let p = g * width + j
                let row = input + (idx.map { Int($0[p]) } ?? p) * batch
                let wj = w[p]
                for b in 0..<batch { o[b] += wj * row[b] }
            }
            if leaky { for b in 0..<batch { let v = o[b]; o[b] = v > 0 ? v : slope * v } }
        }
    }

    // MARK: Backward

    /// g[u, :] *= leaky'(y[u, :]) for rows u in `units` (y's sign is its input's).
    static func leakyGrad(_ g: UnsafeMutablePointer<Float>, output y: UnsafePointer<Float>,
                          units: Range<Int>, batch: Int) {
        for i in (units.lowerBound * batch)..<(units.upperBound * batch) {
            let gi = g[i]; g[i] = y[i] > 0 ? gi : slope * gi
        }
    }

    /// dW[g, j] = sum_b dz[g, b] in[row(g, j), b],  db[g] = sum_b dz[g, b], for g in `groups`.
    static func weightGrad(_ dz: UnsafePointer<Float>, _ input: UnsafePointer<Float>, _ idx: UnsafePointer<Int32>?,
                           _ dw: UnsafeMutablePointer<Float>, _ db: UnsafeMutablePointer<Float>,
                           groups: Range<Int>, width: Int, batch: Int) {
        for g in groups {
            let d = dz + g * batch
            db[g] = sum(d, count: batch)
            for j in 0..<width {
                let p = g * width + j
                dw[p] = dot(d, input + (idx.map { Int($0[p]) } ?? p) * batch, count: batch)
            }
        }
    }

    /// din[row(g, j), b] += w[g, j] dz[g, b] over all groups (din zeroed first), for the
    /// sample columns `columns` only (workers split the batch; the order over g is fixed).
    static func inputGrad(_ dz: UnsafePointer<Float>, _ idx: UnsafePointer<Int32>?, _ w: UnsafePointer<Float>,
                          _ din: UnsafeMutablePointer<Float>, rows: Int, groups: Int, width: Int,
                          batch: Int, columns: Range<Int>) {
        for r in 0..<rows { for b in columns { din[r * batch + b] = 0 } }
        for g in 0..<groups {
            let d = dz + g * batch
            for j in 0..<width {
                let p = g * width + j
                let row = din + (idx.map { Int($0[p]) } ?? p) * batch
                let wj = w[p]
                for b in columns { row[b] += wj * d[b] }
            }
        }
    }

    // MARK: Reductions (eight partial sums: the compiler keeps a Float sum serial)

    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            acc += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var s = acc.sum()
        while i < count { s += a[i] * b[i]; i += 1 }
        return s
    }

    @inline(__always)
    static func sum(_ a: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= count { acc += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self); i += 8 }
        var s = acc.sum()
        while i < count { s += a[i]; i += 1 }
        return s
    }
}
