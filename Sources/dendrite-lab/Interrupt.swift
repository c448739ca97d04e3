import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C handling for headless runs: the first Ctrl-C asks the run to stop after the
/// current epoch (its checkpoint is then on disk); a second one quits at once, leaving
/// the previous epoch's checkpoint intact (checkpoints are written atomically).
enum Interrupt {
    static let count = Atomic<Int>(0)

    static func install() {
        // A parent may have started us with SIGINT blocked (some process launchers do);
        // unblock it so Ctrl-C and `kill -INT` reach the handler.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT) { _ in
            if Interrupt.count.add(1, ordering: .relaxed).newValue > 1 { _exit(130) }
            let msg = "\nStopping after this epoch (checkpoint first); press Ctrl-C again to quit now.\n"
            _ = msg.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        }
    }

    static var requested: Bool { count.load(ordering: .relaxed) > 0 }
}
