import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program started with posix_spawn and reaped with waitpid on its own pid: the local
/// sweep's workers, `sbatch`, pip for the MNIST wheel, dendrite-bench's children, and
/// the helper programs of the tests.
///
/// Why not Foundation's `Process`: under a parallel test run its `waitUntilExit` was seen
/// to wait forever for a child that had already exited (a zombie nobody reaped,
/// 2026-12-01), and `isRunning`, which `sweep --local` polled, is kept by the same
/// machinery. Here nothing but the caller reaps the child, so its end cannot be missed.
public final class ChildProcess {
    public let pid: pid_t
    /// How the child ended, once `poll` or `wait` has seen it (nil while it runs).
    public private(set) var ending: Ending?

    public enum Ending: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)

        /// Like `Process.terminationStatus`: the exit code, or the signal's number.
        public var status: Int32 {
            switch self { case .exited(let s), .signalled(let s): return s }
        }
        /// The signal that ended the child, if one did (a crash or a kill, not an exit).
        public var signal: Int32? {
            if case .signalled(let s) = self { return s }
            return nil
        }

        /// From a wait status as <sys/wait.h> lays it out: the low 7 bits the signal, or 0
        /// and the exit code in the next byte.
        init(waitStatus status: Int32) {
            let signal = status & 0x7f
            self = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts `executable` (a path) with `arguments`, in `directory` (nil: this process's),
    /// with `environment` as its whole environment (nil: this process's). Its output goes
    /// to the files `stdout` and `stderr` (created or truncated, one file when the paths are
    /// equal; nil: this process's own),
    /// its input comes from /dev/null. `ownGroup` puts it in a process group of its own, so
    /// a terminal's Ctrl-C reaches only this process, which decides what to pass on.
    public init(_ executable: String, _ arguments: [String], in directory: URL? = nil,
                environment: [String: String]? = nil, stdout: String? = nil, stderr: String? = nil,
                ownGroup: Bool = false) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let stdout { posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        if let stderr {
            if stderr == stdout {
                posix_spawn_file_actions_adddup2(&actions, 1, 2)
            } else {
                posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if ownGroup {
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        // The working directory through sh (Swift's Glibc does not offer posix_spawn's
        // addchdir): sh -c 'cd "$0" && exec "$@"' DIR EXECUTABLE ARGUMENTS...
        let command = directory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0.path, executable] } ?? [executable]
        let argv = (command + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let started = posix_spawn(&pid, command[0], &actions, &attributes, argv, envp)
        guard started == 0 else {
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(started)))")
        }
        self.pid = pid
    }

    /// The child's ending if it has ended (reaping it), nil while it runs.
    public func poll() throws -> Ending? {
        try reap(blocking: false)
    }

    /// Waits for the child to end.
    public func wait() throws -> Ending {
        // Invariant: a blocking waitpid returns only once the child has ended.
        try reap(blocking: true)!
    }

    private func reap(blocking: Bool) throws -> Ending? {
        if let ending { return ending }
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if r == pid { break }
            if r == 0 { return nil }
            guard errno == EINTR else { throw Failure(description: "waitpid \(pid): \(String(cString: strerror(errno)))") }
        }
        ending = Ending(waitStatus: status)
        return ending
    }

    /// What `run` returns: how the child ended and what it printed.
    public struct Outcome {
        /// The child's pid (already reaped: free for reuse).
        public var pid: pid_t
        public var status: Int32
        public var signal: Int32?
        public var stdout: String
        /// Empty when the child's stderr was not captured.
        public var stderr: String
    }

    /// Runs `executable` to its end and returns its output (kept in temporary files while
    /// it runs, so no pipe can fill up and block it). `capturesStderr` false leaves the
    /// child's stderr on this process's own (progress and errors reach the user as they come).
    public static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil,
                           environment: [String: String]? = nil, capturesStderr: Bool = true) throws -> Outcome {
        let tmp = FileManager.default.temporaryDirectory
            .appendingPathComponent("child-\(UUID().uuidString.prefix(8))").path
        let outPath = tmp + ".out", errPath = capturesStderr ? tmp + ".err" : nil
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            if let errPath { try? FileManager.default.removeItem(atPath: errPath) }
        }
        let child = try ChildProcess(executable, arguments, in: directory, environment: environment,
                                     stdout: outPath, stderr: errPath)
        let ending = try child.wait()
        // Decoded leniently: a stray non-UTF-8 byte costs one character, not the whole text.
        func text(_ path: String?) -> String {
            path.flatMap { FileManager.default.contents(atPath: $0) }.map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        return Outcome(pid: child.pid, status: ending.status, signal: ending.signal,
                       stdout: text(outPath), stderr: text(errPath))
    }
}
