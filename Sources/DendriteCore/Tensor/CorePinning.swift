import CAffinity
import Synchronization

/// Keeping a multi-threaded run's threads on cores of their own.
///
/// Left to the scheduler, the training thread and `WorkerPool`'s helper were often found
/// on the same CPU of a two-CPU machine (the helper spins between regions, and the
/// scheduler moves a thread only after a while), or swapping CPUs, so the data each had
/// in its cache changed sides. Measured on the 784-128-10 MLP at two threads, six runs
/// each, alternating: pinned 204-355 thousand samples/s, unpinned 159-277 thousand, the
/// pinned run ahead in every pair by 25-30% (docs/benchmarks.md). Pinning only the
/// helper did not help; both threads must stay put.
///
/// The engine never pins on its own: `train`, sweep tasks and `dendrite-bench` call
/// `pinTrainingThreads()` when they run with more than one thread. A single-threaded
/// run (the Lab, sweeps' default one thread per task) stays free to move, which is what
/// several runs sharing a machine want. Pinning changes where threads run, never what
/// they compute: the bits do not change.
public enum CorePinning {
    /// The CPUs to pin to, in order: the caller takes the first, helper i the i-th
    /// (cycling). Empty until `pinTrainingThreads()` asks for pinning.
    nonisolated(unsafe) private static var cpus: [Int32] = []
    private static let requested = Atomic<Bool>(false)

    /// Pins the calling thread (the one that runs training) to the first CPU this
    /// process may use, and has `WorkerPool`'s helpers pin themselves to the next ones
    /// before their next region. Does nothing with one BLAS thread or one allowed CPU.
    /// Call once, before training, from the thread that trains. Returns the CPUs the
    /// run's threads keep to (the caller's first), or nil when nothing was pinned.
    @discardableResult
    public static func pinTrainingThreads() -> [Int32]? {
        let threads = BLAS.threads
        guard threads > 1, !requested.load(ordering: .acquiring) else { return nil }
        let allowed = allowedCPUs()
        guard allowed.count > 1 else { return nil }
        cpus = allowed
        // Failure (a container that forbids it) leaves the thread free to move; no harm.
        _ = dendrite_pin_thread(cpus[0])
        requested.store(true, ordering: .releasing)
        return (0..<min(threads, WorkerPool.maxShares)).map { allowed[$0 % allowed.count] }
    }

    /// The CPUs this thread may run on, lowest first (empty if the system will not say).
    public static func allowedCPUs() -> [Int32] {
        var found = [Int32](repeating: 0, count: 1024)
        let n = Int(found.withUnsafeMutableBufferPointer { dendrite_allowed_cpus($0.baseAddress, 1024) })
        return Array(found.prefix(max(n, 0)))
    }

    /// Pins the calling helper thread `index` (1, 2, ...) to its CPU; false (and nothing
    /// done) while pinning is not asked for.
    static func pinHelper(_ index: Int) -> Bool {
        guard requested.load(ordering: .acquiring) else { return false }
        _ = dendrite_pin_thread(cpus[index % cpus.count])
        return true
    }
}
