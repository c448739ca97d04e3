import Foundation
import DendriteCore

/// The gather step of a sweep (`sweep status DIR`, `compare --from DIR`, and the end of
/// `compare`): tabulates every finished task as `compare` does, each run followed by its
/// matched baseline, writes DIR/compare.md, compare.csv and params-accuracy.png, and
/// lists what is not finished with the `--array=` indices to resubmit.
enum SweepReport {
    struct Counts {
        var finished = 0, failed: [Int] = [], running: [Int] = [], open: [Int] = []
    }

    /// The table rows of the finished tasks, in `compare`'s order.
    static func rows(_ plan: SweepPlan, _ states: [TaskState]) -> [CompareRow] {
        let baselineOf = plan.matchedTask
        var rows: [CompareRow] = []
        for run in plan.tasks where !run.isMatchedBaseline {
            guard case .finished(let s, let label) = states[run.index] else { continue }
            rows.append(CompareRow(summary: s, label: label, note: ""))
            if let b = baselineOf[run.index], case .finished(let m, let mLabel) = states[b] {
                rows.append(CompareRow(summary: m, label: mLabel, note: "matches \(run.mode.rawValue)",
                                       matched: true, group: "\(run.label) plain, widened"))
            }
        }
        return rows
    }

    @discardableResult
    static func gather(_ plan: SweepPlan, in dir: URL) throws -> Counts {
        let states = SweepGather.states(plan, in: dir)
        var c = Counts()
        for (i, s) in states.enumerated() {
            switch s {
            case .finished, .noBaseline: c.finished += 1
            case .failed(let line): c.failed.append(i); say("task \(i) \(plan.tasks[i].folder): failed: \(line)")
            case .running(let who): c.running.append(i); say("task \(i) \(plan.tasks[i].folder): running \(who)")
            case .unfinished(let what): c.open.append(i); say("task \(i) \(plan.tasks[i].folder): \(what)")
            case .missing: c.open.append(i)
            }
        }
        let rows = rows(plan, states)
        if !rows.isEmpty {
            let table = CompareTable.render(rows)
            say("")
            say(table.markdown)
            try AtomicFile.write(table.markdown, to: dir.appendingPathComponent("compare.md"))
            try AtomicFile.write(table.csv, to: dir.appendingPathComponent("compare.csv"))
            RunPlots.paramsAccuracy(rows, to: dir.appendingPathComponent("params-accuracy.png"))
            say("Wrote \(dir.path)/compare.md, compare.csv and params-accuracy.png")
        }
        let n = plan.tasks.count
        var line = "\(c.finished) of \(n) tasks finished"
        if !c.running.isEmpty { line += ", \(c.running.count) running (\(NumberList.ranges(c.running)))" }
        if !c.failed.isEmpty { line += ", \(c.failed.count) failed (\(NumberList.ranges(c.failed)))" }
        if !c.open.isEmpty { line += ", \(c.open.count) not run or unfinished (\(NumberList.ranges(c.open)))" }
        say(line + ".")
        let redo = c.failed + c.open
        if !redo.isEmpty {
            let d = ShellQuote.word(dir.path)
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent(SbatchScript.fileName).path) {
                say("Resubmit: sbatch --array=\(NumberList.ranges(redo)) \(d)/\(SbatchScript.fileName)")
            }
            say("Or run them here: dendrite-lab sweep run \(d)")
        }
        return c
    }
}
