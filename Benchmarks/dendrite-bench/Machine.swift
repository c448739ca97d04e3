import CBLAS
import DendriteCore
import Foundation

/// Raw speed of OpenBLAS's sgemm on this machine right now, in GFLOP/s:
/// C[n,n] = A[n,n] B[n,n], the best of `windows` windows of about `seconds` each (after
/// one untimed call), so a moment of competition from other processes does not hide
/// what the cores can do.
func rawSgemmGFlops(n: Int = 512, windows: Int = 8, seconds: Double = 0.06) -> Double {
    let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
    var c = [Float](repeating: 0, count: n * n)
    func once() {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.sgemm(transA: false, transB: false, m: n, n: n, k: n,
                               pa.baseAddress!, pb.baseAddress!, pc.baseAddress!)
                }
            }
        }
    }
    once()
    var best = 0.0
    for _ in 0..<windows {
        var calls = 0
        let start = monotonicSeconds()
        var elapsed = 0.0
        repeat { once(); calls += 1; elapsed = monotonicSeconds() - start } while elapsed < seconds
        best = max(best, 2 * Double(n * n * n) * Double(calls) / elapsed / 1e9)
    }
    return best
}

/// A field of /proc/self/status in kB (VmHWM = peak resident set, VmRSS = current).
func procStatusKB(_ field: String) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }
    return nil
}

/// Resets VmHWM to the current RSS (Linux: "5" into clear_refs), so each workload's
/// peak can be read on its own. Returns false where the kernel does not allow it.
@discardableResult
func resetPeakRSS() -> Bool {
    FileManager.default.isWritableFile(atPath: "/proc/self/clear_refs")
        && (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)) != nil
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
        .split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}

func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// User + system CPU time of this process so far, in seconds (all threads).
func processCPUSeconds() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return s(usage.ru_utime) + s(usage.ru_stime)
}
