import Testing
import DendriteCore
@testable import DendriteLab

extension LabSuite {
    @Suite struct ProbeTests {
        static func bits(_ a: [[Float]]) -> [[UInt32]] { a.map { $0.map(\.bitPattern) } }

        /// The grid probe reads the activations, the dendrite and candidate grids and the
        /// error maps from one forward pass (the errors' backward walk follows it); they are
        /// the bits that separate passes give.
        @Test func oneForwardGivesTheBitsOfSeparatePasses() throws {
            var config = smallConfig()
            config.mode = .pb
            let c = LabController(config: config)
            var epochs = 0
            while c.session.phase != .dendrite || c.session.network.dendriteCount == 0, epochs < 200 {
                c.perform(.stepEpoch)
                epochs += 1
            }
            // A candidate in training and a set already accepted: every grid kind is read.
            try #require(c.session.phase == .dendrite && c.session.network.dendriteCount > 0, "\(epochs) epochs")
            let net = c.session.network, rows = 8 * 8
            let labels = (0..<rows).map { Int32($0 % 2) }
            let probe = Probe(network: net, resolution: 8, labels: labels)

            let x = Tensor(shape: [rows, 2], NeuronProbe.gridPoints(resolution: 8, extent: probe.extent))
            let groups = NeuronGroup.groups(of: net)
            let activations = Probe.groupActivations(recorded: net.forwardRecording(x), groups)
            let dendrites = groups.map { Probe.dendriteGrids(net, group: $0, rows: rows) }
            let errors = NeuronProbe.errors(of: net, x: x, labels: labels)
            #expect(groups.indices.contains { probe.hasCandidate(group: $0) })
            #expect(Self.bits(probe.gridActivations) == Self.bits(activations))
            #expect(zip(probe.dendriteGrids, dendrites).allSatisfy { Self.bits($0) == Self.bits($1) })
            #expect(probe.dendriteGrids.map(\.count) == dendrites.map(\.count))
            let separate = groups.map { errors[$0.neuronLayer]?.storage ?? [] }
            #expect(separate.contains { !$0.isEmpty })
            #expect(Self.bits(probe.gridErrors) == Self.bits(separate))
        }
    }
}
