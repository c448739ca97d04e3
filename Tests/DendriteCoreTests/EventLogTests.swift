import Foundation
import Testing
@testable import DendriteCore

/// events.jsonl read back for the end-of-run pictures.
@Suite struct EventLogTests {
    @Test func theEventsThePicturesUseComeBackAsWritten() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eventlog-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = RunWriter(folder: folder)
        try writer.resume(history: [])
        let written: [TrainingEvent] = [
            .phaseChanged(epoch: 3, from: .neuron, to: .dendrite, reason: "plateau"),
            .candidateCorrelation(epoch: 4, epochInPhase: 1, heldOut: 0.25, batch: 0.5),
            .candidateCorrelation(epoch: 5, epochInPhase: 2, heldOut: -0.125, batch: 0.375),
            .dendriteAdded(epoch: 5, dendrites: 1, layers: ["layers.1"], correlations: [0.25, 0.5]),
            .decision(epoch: 6, message: "kept"),
        ]
        for e in written { try writer.record(e) }
        // A line cut short by a crash is skipped, not fatal.
        let handle = try FileHandle(forWritingTo: writer.eventsURL)
        handle.seekToEndOfFile()
        handle.write(Data("{\"event\":\"candidate_correlation\",\"epo".utf8))
        try handle.close()
        let read = EventLog.plotted(at: writer.eventsURL)
        #expect(read == [written[1], written[2], written[3]])
        #expect(EventLog.plotted(at: folder.appendingPathComponent("missing.jsonl")).isEmpty)
    }
}
