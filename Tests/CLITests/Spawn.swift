import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to its end without Foundation's `Process`: under a parallel test run
/// its `waitUntilExit` was seen to wait forever for a child that had already exited (a
/// zombie nobody reaped; `SlurmCluster.shell`, 2026-12-01). Here the child is started
/// with posix_spawn, its output goes to temporary files (no pipe can fill up and block
/// it) and the test waits with waitpid on the child's own pid.
enum Spawn {
    struct Outcome {
        /// The child's pid (already reaped: free for reuse).
        var pid: pid_t
        var status: Int32
        /// The signal that ended the child, if one did (a crash, not an error exit).
        var signal: Int32?
        var stdout: String
        var stderr: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `executable` with `arguments` in `directory` (nil: this process's), with
    /// `environment` as its whole environment (nil: this process's), stdin from /dev/null.
    static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil,
                    environment: [String: String]? = nil) throws -> Outcome {
        let tmp = FileManager.default.temporaryDirectory
            .appendingPathComponent("spawn-\(UUID().uuidString.prefix(8))")
        let outPath = tmp.path + ".out", errPath = tmp.path + ".err"
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        // The working directory through sh (Swift's Glibc does not offer posix_spawn's
        // addchdir): sh -c 'cd "$0" && exec "$@"' DIR EXECUTABLE ARGUMENTS...
        let command = directory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0.path, executable] } ?? [executable]
        let argv = (command + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }

        var pid = pid_t()
        let started = posix_spawn(&pid, command[0], &actions, nil, argv, envp)
        guard started == 0 else { throw Failure(description: "cannot start \(executable): \(String(cString: strerror(started)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw Failure(description: "waitpid \(pid): \(String(cString: strerror(errno)))") }
        }
        func text(_ path: String) -> String {
            (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        }
        // The wait status as <sys/wait.h> lays it out: low 7 bits the signal, or 0 and
        // the exit code in the next byte.
        let signal = status & 0x7f
        // Like Process.terminationStatus: the exit code, or the signal's number.
        return Outcome(pid: pid, status: signal == 0 ? (status >> 8) & 0xff : signal,
                       signal: signal == 0 ? nil : signal, stdout: text(outPath), stderr: text(errPath))
    }
}
