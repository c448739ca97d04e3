import CAffinity
import Foundation
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
/// several runs sharing a machine want. Even then a thread is pinned only when it first
/// takes part in a split region (`WorkerPool`): a network too small to split anything
/// (the 784-8-10 MLP) runs on one thread whatever `--threads` says, and pinned to one
/// CPU it could not step aside when the host slowed that CPU down (measured 0.70-0.82x
/// its unpinned one-thread rate in two of three runs). Pinning changes where threads
/// run, never what they compute: the bits do not change.
public enum CorePinning {
    /// The CPUs to pin to, in order: the caller takes the first, helper i the i-th
    /// (cycling). Empty until `pinTrainingThreads()` asks for pinning.
    nonisolated(unsafe) private static var cpus: [Int32] = []
    /// The thread that asked, still to be pinned at its first split region.
    nonisolated(unsafe) private static var caller: pthread_t?
    private static let requested = Atomic<Bool>(false)
    private static let callerDue = Atomic<Bool>(false)

    /// Has the calling thread (the one that runs training) keep to the first CPU this
    /// process may use and `WorkerPool`'s helpers to the next ones, each from the first
    /// split region it takes part in. Does nothing with one BLAS thread or one allowed
    /// CPU. Call once, before training, from the thread that trains. Returns the CPUs the
    /// run's threads will keep to (the caller's first), or nil when nothing will be pinned.
    @discardableResult
    public static func pinTrainingThreads() -> [Int32]? {
        let threads = BLAS.threads
        guard threads > 1, !requested.load(ordering: .acquiring) else { return nil }
        let allowed = allowedCPUs()
        guard allowed.count > 1 else { return nil }
        cpus = allowed
        caller = pthread_self()
        callerDue.store(true, ordering: .releasing)
        requested.store(true, ordering: .releasing)
        return (0..<min(threads, WorkerPool.maxShares)).map { allowed[$0 % allowed.count] }
    }

    /// Called by the thread that owns a split region: pins it to the first CPU if it is
    /// the thread that asked and has not been pinned yet (one atomic load otherwise).
    static func pinCallerIfDue() {
        guard callerDue.load(ordering: .acquiring), let caller, pthread_equal(caller, pthread_self()) != 0 else { return }
        callerDue.store(false, ordering: .releasing)
        // Failure (a container that forbids it) leaves the thread free to move; no harm.
        _ = dendrite_pin_thread(cpus[0])
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
