import Foundation
import DendriteCore

/// Shared by `train` and `compare`: folder names and one run with progress output.
enum RunLauncher {
    static func defaultFolder(for e: Experiment, root: String = "runs") -> String {
        "\(root)/\(e.name)-\(e.mode.rawValue)-seed\(e.seed)"
    }

    /// Runs (or resumes) `experiment` into `folder`, printing progress and the summary.
    @discardableResult
    static func execute(_ experiment: Experiment, folder: URL, sourceText: String?, sourceName: String?,
                        resume: Bool, data: ExperimentData? = nil) throws -> ExperimentRun.Outcome {
        let run = try ExperimentRun(experiment: experiment, folder: folder, sourceText: sourceText,
                                    sourceName: sourceName, resume: resume, data: data)
        let s = run.session
        let start = run.resumedAtEpoch ?? 0
        if run.restartedWithoutCheckpoint {
            say("No checkpoint in \(folder.path) yet (the run stopped during its first epoch): starting it over.")
        }
        let raised = run.savedEpochBudget.map { experiment.epochs > $0 } ?? false
        let ruleEndedGrowth = s.trainer.tracker.finished
        if start > 0 && s.trainer.stopped && raised && s.trainer.continueAfterRaisedBudget() {
            let how = ruleEndedGrowth
                ? "its best model's neurons train on without new dendrites (the switching rule had ended growth)"
                : "training goes on under the switching rule"
            let old = run.savedEpochBudget ?? 0
            say("Extending \(experiment.name) at epoch \(start): its neuron-phase budget grows from \(old) to \(experiment.epochs) epochs; \(how).")
        } else if start > 0 && s.trainer.stopped {
            // A dendrite run that ended (switching rule or budget) already holds its best
            // model, and its budget has no epochs left.
            say("\(experiment.name) already ended at epoch \(start) with its best model restored; rewriting its summary (in the Lab, D grows it further).")
        } else if start > 0 {
            say("Resuming \(experiment.name) at epoch \(start) of \(experiment.epochs) from \(folder.path).")
        } else {
            say("Training \(experiment.name) (mode \(experiment.mode.rawValue), seed \(experiment.seed)): "
                + "\(s.network.parameterCount) parameters; \(s.data.train.count) train / \(s.data.validation.count) "
                + "validation / \(s.data.test.count) test samples. Writing \(folder.path)/")
        }
        let progress = RunProgress(totalEpochs: experiment.epochs, startEpoch: start)
        run.onEvent = { event in progress.handle(event) }
        run.shouldStop = { Interrupt.requested }
        let outcome = try run.run()
        // From the run's event log: every invocation's markers and correlations, not only this one's.
        RunPlots.curves(history: run.session.trainer.history, events: EventLog.plotted(at: run.writer.eventsURL), folder: folder)
        switch outcome {
        case .finished(let summary):
            say("Done: test accuracy \(percent(summary.testAccuracy)) (best validation \(percent(summary.bestValidationAccuracy)) "
                + "at epoch \(summary.bestEpoch)), \(summary.parameters) parameters, "
                + "\(String(format: "%.1f", summary.wallSeconds)) s, \(Int(summary.samplesPerSecond)) samples/s.")
            say("Results in \(folder.path)/ (summary.json, metrics.csv, events.jsonl, curves.png, checkpoint.safetensors).")
        case .stopped(let epoch, let checkpointEpoch):
            let from = checkpointEpoch == epoch ? "checkpoint saved"
                : "inside a dendrite phase; resuming replays it from the checkpoint of epoch \(checkpointEpoch)"
            say("Stopped after epoch \(epoch) (\(from)). Continue with: dendrite-lab train \(folder.path)/config.yaml --resume --out \(folder.path)")
        }
        return outcome
    }
}
