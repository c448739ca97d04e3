import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `.lock` in a run folder, held with `flock` while a process writes the run, so two
/// `train` processes never write one run. The kernel drops the lock when its holder
/// dies (a kill cannot leave the folder locked); a clean exit also removes the file.
public final class RunFolderLock {
    public let url: URL
    private var fd: Int32

    /// Takes the lock or throws naming the folder and the process holding it.
    public init(folder: URL) throws {
        url = folder.appendingPathComponent(".lock")
        while true {
            let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw FileError.system(url.path, "opening the run's lock file") }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let holder = (try? String(contentsOf: url, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                close(fd)
                throw FileError(path: folder.path, problem: "another process\(holder.isEmpty ? "" : " (pid \(holder))") is writing this run; wait for it to finish or choose another --out")
            }
            // The holder before us may have removed the file after we opened it: then
            // our lock is on an orphan and a third process could lock the new file.
            var opened = stat(), current = stat()
            if fstat(fd, &opened) == 0, stat(url.path, &current) == 0, opened.st_ino == current.st_ino, opened.st_dev == current.st_dev {
                self.fd = fd
                break
            }
            close(fd)
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { write(fd, $0, strlen($0)) }
    }

    /// Removes the file and releases the lock (also done when the value goes away).
    public func release() {
        guard fd >= 0 else { return }
        unlink(url.path)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
