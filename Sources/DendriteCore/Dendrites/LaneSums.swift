/// Row reductions for the per-neuron statistics of the dendrite code (running error
/// moments, the correlation objective), in eight Float32 lanes.
///
/// One running Float sum is a chain of dependent adds (about 4 cycles each) that the
/// compiler may not reorder; eight independent lanes (one SIMD register) let it issue
/// them every cycle. The order of additions differs from a plain loop, so results
/// differ in the last bits; rows are still summed in Float32 and combined in Float64
/// by the callers, as before.
enum LaneSums {
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// sum_i x[i] over n values.
    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>(), i = 0
        while i + 8 <= n { acc += load(x + i); i += 8 }
        var s = acc.sum()
        while i < n { s += x[i]; i += 1 }
        return s
    }

    /// sum_i (x[i] - m)^2 over n values.
    @inline(__always)
    static func squaredDeviations(_ x: UnsafePointer<Float>, _ n: Int, mean m: Float) -> Float {
        var acc = SIMD8<Float>(), i = 0
        let mv = SIMD8<Float>(repeating: m)
        while i + 8 <= n { let d = load(x + i) - mv; acc += d * d; i += 8 }
        var s = acc.sum()
        while i < n { let d = x[i] - m; s += d * d; i += 1 }
        return s
    }

    /// (sum v, sum e) over n values.
    @inline(__always)
    static func sums(_ v: UnsafePointer<Float>, _ e: UnsafePointer<Float>, _ n: Int) -> (Float, Float) {
        var av = SIMD8<Float>(), ae = SIMD8<Float>(), i = 0
        while i + 8 <= n { av += load(v + i); ae += load(e + i); i += 8 }
        var sv = av.sum(), se = ae.sum()
        while i < n { sv += v[i]; se += e[i]; i += 1 }
        return (sv, se)
    }

    /// (sum dv de, sum dv^2, sum de^2) with dv = v - mV, de = e - mE, over n values.
    @inline(__always)
    static func moments(_ v: UnsafePointer<Float>, _ e: UnsafePointer<Float>, _ n: Int,
                        meanV: Float, meanE: Float) -> (Float, Float, Float) {
        var ac = SIMD8<Float>(), avv = SIMD8<Float>(), aee = SIMD8<Float>(), i = 0
        let mv = SIMD8<Float>(repeating: meanV), me = SIMD8<Float>(repeating: meanE)
        while i + 8 <= n {
            let dv = load(v + i) - mv, de = load(e + i) - me
            ac += dv * de; avv += dv * dv; aee += de * de
            i += 8
        }
        var c = ac.sum(), vv = avv.sum(), ee = aee.sum()
        while i < n {
            let dv = v[i] - meanV, de = e[i] - meanE
            c += dv * de; vv += dv * dv; ee += de * de
            i += 1
        }
        return (c, vv, ee)
    }
}
