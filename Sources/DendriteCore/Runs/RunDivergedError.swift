import Foundation

/// Thrown by `ExperimentRun.run()` when training diverged: the run folder keeps the
/// checkpoint of the last finished epoch (never overwritten with non-finite weights).
public struct RunDivergedError: Error, CustomStringConvertible, LocalizedError, Sendable {
    public var divergence: Divergence
    /// The last good checkpoint on disk, or nil when the run diverged before its first one.
    public var checkpoint: String?

    public init(divergence: Divergence, checkpoint: String?) {
        self.divergence = divergence
        self.checkpoint = checkpoint
    }

    public var description: String {
        let d = divergence
        return "diverged at epoch \(d.epoch), batch \(d.batch) in layer \(d.layer); last good checkpoint: "
            + (checkpoint ?? "none (diverged before the first epoch ended)")
    }
    public var errorDescription: String? { description }
}
