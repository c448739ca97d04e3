/// Small loops that the compiler will not vectorise on its own because they reduce
/// in Float (reordering a sum changes its rounding, so it keeps one serial chain).
/// Eight independent partial sums make them run at memory speed instead of one add
/// per FPU latency.
enum VectorKernels {
    /// Copies `count` floats from `src` to `dst` and returns their sum.
    @inline(__always)
    static func copyAndSum(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let v = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: v, as: SIMD8<Float>.self)
            acc += v
            i += 8
        }
        var sum = acc.sum()
        while i < count { let v = src[i]; dst[i] = v; sum += v; i += 1 }
        return sum
    }
}
