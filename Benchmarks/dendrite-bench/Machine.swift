import CBLAS
import DendriteCore
import Foundation

/// Raw single-call speed of OpenBLAS's sgemm on this machine right now, in GFLOP/s:
/// C[n,n] = A[n,n] B[n,n] repeated for about `seconds`, after one untimed call.
func rawSgemmGFlops(n: Int = 512, seconds: Double = 0.5) -> Double {
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
    var calls = 0
    let start = Date()
    var elapsed = 0.0
    repeat { once(); calls += 1; elapsed = Date().timeIntervalSince(start) } while elapsed < seconds
    return 2 * Double(n * n * n) * Double(calls) / elapsed / 1e9
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
