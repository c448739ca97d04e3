import Foundation

/// Splitting a layer's work over the cores the user gave OpenBLAS (`BLAS.threads`).
///
/// Batch-128 products of MNIST-sized layers are too small for OpenBLAS to split well,
/// and its threads do nothing for im2col, copies and col2im. So a layer that can cut
/// its work into independent pieces (Conv2D: chunks of the batch) runs `workers` of
/// them at once, each calling a single-threaded sgemm, and OpenBLAS is held to one
/// thread for the duration. Results never depend on the worker count: pieces and
/// their order of summation are fixed by the data, not by the number of threads.
enum Parallel {
    nonisolated(unsafe) private static var depth = 0
    nonisolated(unsafe) private static var savedThreads = 1
    private static let lock = NSLock()

    /// How many workers to use for `pieces` independent pieces of work.
    static func workers(for pieces: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        return max(1, min(pieces, depth > 0 ? savedThreads : BLAS.threads))
    }

    /// Runs `body(worker)` for every worker in 0..<workers concurrently (inline when 1).
    static func run(_ workers: Int, _ body: (Int) -> Void) {
        if workers <= 1 { body(0); return }
        lock.lock()
        if depth == 0 { savedThreads = BLAS.threads; BLAS.threads = 1 }
        depth += 1
        lock.unlock()
        // The workers touch disjoint parts of buffers the caller owns for the whole call,
        // which the type system cannot see: hence the unchecked box.
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: workers) { box.value($0) }
        }
        lock.lock()
        depth -= 1
        if depth == 0 { BLAS.threads = savedThreads }
        lock.unlock()
    }
}

private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
