import Foundation
import ArgumentParser
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
            let family = ParameterFront.family(name: run.experiment?.name ?? run.label, mode: run.mode)
            let plain = run.mode == .none && run.experiment?.network.hasDendriticLayer == false
            rows.append(CompareRow(summary: s, label: label, note: "", family: family, width: run.width, isPlain: plain))
            if let b = baselineOf[run.index], case .finished(let m, let mLabel) = states[b] {
                rows.append(CompareRow(summary: m, label: mLabel, note: run.mode == .none ? "matches dANN" : "matches \(run.mode.rawValue)",
                                       matched: true, group: "\(run.label) plain, widened",
                                       family: ParameterFront.matchedFamily(of: family), width: run.width, isPlain: true))
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
        try write(rows(plan, states), to: dir)
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

    /// Tables and pictures of `rows` in `dir`: compare.md, compare.csv,
    /// params-accuracy.png (one dot per setup) and, when some family has several widths,
    /// front.png (one line per family).
    static func write(_ rows: [CompareRow], to dir: URL) throws {
        guard !rows.isEmpty else { return }
        let table = CompareTable.render(rows)
        say("")
        say(table.markdown)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try AtomicFile.write(table.markdown, to: dir.appendingPathComponent("compare.md"))
        try AtomicFile.write(table.csv, to: dir.appendingPathComponent("compare.csv"))
        RunPlots.paramsAccuracy(rows, to: dir.appendingPathComponent("params-accuracy.png"))
        let front = ParameterFront(rows.map(\.frontSample))
        if front.hasWidthAxis {
            var datasets: [String] = []
            for r in rows where !datasets.contains(r.summary.dataset) { datasets.append(r.summary.dataset) }
            RunPlots.front(front, datasets: datasets, to: dir.appendingPathComponent("front.png"))
            say("Wrote \(dir.path)/compare.md, compare.csv, params-accuracy.png and front.png")
        } else {
            say("Wrote \(dir.path)/compare.md, compare.csv and params-accuracy.png")
        }
    }

    /// Several sweep folders in one table and one front (`compare --from A --from B
    /// --out C`): each folder's finished rows, in the order given, written to `out`.
    static func merge(_ dirs: [URL], into out: URL) throws {
        var rows: [CompareRow] = []
        for dir in dirs {
            let plan = try SweepPlan.read(from: dir)
            let r = self.rows(plan, SweepGather.states(plan, in: dir))
            say("\(dir.path): \(r.count) finished runs of \(plan.tasks.count) tasks")
            rows += r
        }
        guard !rows.isEmpty else { throw ValidationError("no finished runs in \(dirs.map(\.path).joined(separator: ", "))") }
        try write(rows, to: out)
    }
}
