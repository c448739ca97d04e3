import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A lock file that lets one process at a time run a sweep task, on one machine or on
/// many nodes sharing the sweep folder. It is created with O_EXCL (atomic on local file
/// systems and NFSv3+) and holds `host pid token`; its holder touches it every
/// `heartbeat` seconds. A lock is stale, and may be taken over, when its holder is on
/// this host and no longer alive, or when it has not been touched for `staleAfter`
/// seconds (a holder on another node that was killed).
public final class TaskLock: @unchecked Sendable {
    public let url: URL
    public static let heartbeat: TimeInterval = 15
    public static let staleAfter: TimeInterval = 120
    private let token: String
    private var beating = true
    private let guardQueue = DispatchQueue(label: "TaskLock")

    /// Who holds a lock, as written in its file.
    public struct Holder: Equatable, Sendable, CustomStringConvertible {
        public var host: String
        public var pid: Int32
        public var token: String
        public var description: String { "\(host) pid \(pid)" }

        init?(_ text: String) {
            let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
            guard parts.count >= 3, let pid = Int32(parts[1]) else { return nil }
            host = String(parts[0])
            self.pid = pid
            token = String(parts[2])
        }
    }

    private init(url: URL, token: String) {
        self.url = url
        self.token = token
    }

    public static var hostName: String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, buf.count - 1)
        return String(cString: buf)
    }

    /// The holder of the lock at `url` if it is held and not stale.
    public static func liveHolder(_ url: URL) -> Holder? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        let touched = (attributes?[.modificationDate] as? Date) ?? .distantPast
        guard let holder = Holder(text) else {
            // A lock being written (empty for an instant) counts as live while fresh.
            return Date().timeIntervalSince(touched) < staleAfter ? Holder("? 0 ?") : nil
        }
        if Date().timeIntervalSince(touched) > staleAfter { return nil }
        if holder.host == hostName && kill(holder.pid, 0) != 0 && errno == ESRCH { return nil }
        return holder
    }

    /// Takes the lock, or returns the live holder that has it. A stale lock is moved
    /// aside and taken; reading our own token back afterwards catches two processes
    /// taking over the same stale lock at once (the later rename wins, the other backs off).
    public static func acquire(_ url: URL) throws -> Result<TaskLock, HolderBox> {
        let dir = url.deletingLastPathComponent().path
        try RunWriter.makeFolder(dir)
        let token = UUID().uuidString.prefix(8).lowercased()
        let line = "\(hostName) \(getpid()) \(token)\n"
        for _ in 0..<3 {
            let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            if fd >= 0 {
                defer { close(fd) }
                try AtomicFile.writeAll(fd, Data(line.utf8), path: url.path)
                _ = fsync(fd)
                usleep(50_000)
                guard (try? String(contentsOf: url, encoding: .utf8)) == line else { continue }
                let lock = TaskLock(url: url, token: String(token))
                lock.startHeartbeat()
                return .success(lock)
            }
            guard errno == EEXIST else { throw FileError.system(url.path, "creating the task lock") }
            if let holder = liveHolder(url) { return .failure(HolderBox(holder: holder)) }
            // Stale: move it aside (one process wins the rename), then try again.
            let aside = url.path + ".stale-\(getpid())"
            if rename(url.path, aside) == 0 { unlink(aside) }
        }
        if let holder = liveHolder(url) { return .failure(HolderBox(holder: holder)) }
        throw FileError(path: url.path, problem: "could not take the task lock (others keep taking it over)")
    }

    /// The holder returned when a lock is taken (an Error so it fits in `Result`).
    public struct HolderBox: Error, Sendable { public var holder: Holder }

    /// Waits until the lock is free (polling every `poll` seconds), then takes it;
    /// `waiting` is called once with the holder when it has to wait.
    public static func acquireWaiting(_ url: URL, poll: TimeInterval = 2, waiting: (Holder) -> Void) throws -> TaskLock {
        var told = false
        while true {
            switch try acquire(url) {
            case .success(let lock): return lock
            case .failure(let box):
                if !told { waiting(box.holder); told = true }
                Thread.sleep(forTimeInterval: poll)
            }
        }
    }

    private func startHeartbeat() {
        let path = url.path
        let thread = Thread { [weak self] in
            while true {
                Thread.sleep(forTimeInterval: TaskLock.heartbeat)
                guard let self, self.guardQueue.sync(execute: { self.beating }) else { return }
                _ = utimes(path, nil)
            }
        }
        thread.start()
    }

    /// Removes the lock file if it is still ours.
    public func release() {
        guardQueue.sync { beating = false }
        if let text = try? String(contentsOf: url, encoding: .utf8), Holder(text)?.token == token {
            unlink(url.path)
        }
    }

    deinit { guardQueue.sync { beating = false } }
}
