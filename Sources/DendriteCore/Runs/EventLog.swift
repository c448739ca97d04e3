import Foundation

/// Reads a run's `events.jsonl` back (what `RunWriter.record` wrote), so the pictures
/// drawn at the end of a run cover every invocation of it, not only the last one after
/// `--resume`: dendrite additions (the curves' markers) and the candidates' correlation
/// per dendrite-phase epoch. Lines it cannot read (a line cut short by a crash, or
/// another kind of event) are skipped: the file is an audit log, the pictures are extras.
public enum EventLog {
    public static func plotted(at url: URL) -> [TrainingEvent] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let obj = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                  let kind = obj["event"] as? String, let epoch = (obj["epoch"] as? NSNumber)?.intValue else { return nil }
            func float(_ key: String) -> Float? { (obj[key] as? NSNumber).map { $0.floatValue } }
            switch kind {
            case "dendrite_added":
                guard let dendrites = (obj["dendrites"] as? NSNumber)?.intValue else { return nil }
                let layers = obj["layers"] as? [String] ?? []
                let correlations = (obj["correlations"] as? [NSNumber] ?? []).map(\.floatValue)
                return .dendriteAdded(epoch: epoch, dendrites: dendrites, layers: layers, correlations: correlations)
            case "candidate_correlation":
                guard let heldOut = float("held_out"), let batch = float("batch") else { return nil }
                let inPhase = (obj["epoch_in_phase"] as? NSNumber)?.intValue ?? 0
                return .candidateCorrelation(epoch: epoch, epochInPhase: inPhase, heldOut: heldOut, batch: batch)
            default:
                return nil
            }
        }
    }
}
