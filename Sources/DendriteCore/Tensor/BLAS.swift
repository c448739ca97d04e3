import CBLAS

/// Thin, typed entry points into OpenBLAS. All heavy linear algebra goes through here
/// so there is exactly one place that knows about CBLAS enums and leading dimensions.
public enum BLAS {
    /// C[M,N] = alpha * op(A) * op(B) + beta * C, row-major.
    /// `op(A)` is M x K: A is stored K x M when `transA`; likewise B is N x K when `transB`.
    @inline(__always)
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                             alpha: Float = 1,
                             _ a: UnsafePointer<Float>, lda: Int? = nil,
                             _ b: UnsafePointer<Float>, ldb: Int? = nil,
                             beta: Float = 0,
                             _ c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
        if m == 0 || n == 0 { return }
        let lda = lda ?? (transA ? m : k)
        let ldb = ldb ?? (transB ? k : n)
        let ldc = ldc ?? n
        cblas_sgemm(CblasRowMajor,
                    transA ? CblasTrans : CblasNoTrans,
                    transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Number of threads OpenBLAS uses for one call. Set once per process (or per shape).
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }
}

extension Tensor {
    /// c = alpha * op(a) * op(b) + beta * c for 2-D views of the tensors
    /// (a tensor of rank > 2 is viewed as rows x columns). `c` must already have the
    /// right element count; it is not resized.
    public static func matmul(_ a: Tensor, transposeA: Bool = false,
                              _ b: Tensor, transposeB: Bool = false,
                              into c: inout Tensor, alpha: Float = 1, beta: Float = 0) {
        let (ar, ac) = (a.rows, a.columns)
        let (br, bc) = (b.rows, b.columns)
        let m = transposeA ? ac : ar, k = transposeA ? ar : ac
        let n = transposeB ? br : bc, kb = transposeB ? bc : br
        // Invariant: layers call this with shapes they computed from a validated spec.
        precondition(k == kb, "matmul inner dimensions differ: \(a.shape) x \(b.shape)")
        // Invariant: layers call this with shapes they computed from a validated spec.
        precondition(c.count == m * n, "matmul output has \(c.count) elements, needs \(m)x\(n)")
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.sgemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k,
                               // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                               alpha: alpha, pa.baseAddress!, lda: ac,
                               pb.baseAddress!, ldb: bc, beta: beta, pc.baseAddress!, ldc: n)
                }
            }
        }
    }
}
