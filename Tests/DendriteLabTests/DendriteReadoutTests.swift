@preconcurrency import CSDL2
import Testing
import DendriteCore
@testable import DendriteLab

extension LabSuite {
    @Suite struct DendriteReadoutTests {
        /// The v the Lab reads (the layer's last forward, indexed [B, D, C]) must be the v
        /// that made the output: y - n = sum_d A[d, c] v_d for every sample and neuron.
        @Test func readoutMatchesTheLayersForwardPass() throws {
            var rng = RNG(seed: 3)
            let dense = Dense(inputSize: 3, outputSize: 4, rng: &rng, name: "l")
            let layer = PerforatedLayer(wrapping: dense, name: "l", mode: .gd)
            layer.addDendriteSet(rng: &rng, scale: 0.5)
            layer.addDendriteSet(rng: &rng, scale: 0.5)
            for set in layer.dendrites {
                for i in 0..<set.output.count { set.output.value[i] = rng.uniform(-1, 1) }
                if let k = set.cascade { for i in 0..<k.count { k.value[i] = rng.uniform(-1, 1) } }
            }
            var x = Tensor(shape: [5, 3])
            for i in 0..<x.count { x[i] = rng.uniform(-1, 1) }
            let y = layer.forward(x, training: false)
            let v = try #require(dendriteOutputs(of: layer, rows: 5))
            let n = dense.forward(x, training: false)
            #expect(v.count == 5 * 2 * 4)
            for b in 0..<5 {
                for c in 0..<4 {
                    var sum: Float = 0
                    for d in 0..<2 { sum += layer.dendrites[d].output.value[c] * v[(b * 2 + d) * 4 + c] }
                    #expect(abs(y[b * 4 + c] - n[b * 4 + c] - sum) < 1e-5)
                }
            }
        }

        @Test func addingDendritesInGDModeShowsBranchesOnEveryNeuron() throws {
            var config = smallConfig()
            config.mode = .gd
            let c = LabController(config: config)
            c.handle(keyEvent(SDLK_e))
            #expect(c.frame().picture.layers[1].neurons.allSatisfy { $0.dendrites.branches.isEmpty })
            c.handle(keyEvent(SDLK_d))
            #expect(c.session.dendriteSets == 1)
            c.handle(keyEvent(SDLK_e))  // let A move away from 0
            let picture = c.frame().picture
            for layer in picture.layers.dropFirst() {
                for n in layer.neurons {
                    #expect(n.dendrites.branches.count == 1)
                    #expect(n.dendrites.branches[0].output > 0 && n.dendrites.branches[0].output < 1)
                }
            }
            // And they are drawn where the layout puts them.
            let off = try Offscreen(width: c.state.width, height: c.state.height)
            c.draw(off.canvas)
            let layout = LabLayout(width: c.state.width, height: c.state.height)
            let geo = NetworkGeometry(shape: c.networkShape, in: layout.network)
            let tree = geo.dendriteTree(column: 1, unit: 0, count: 1)
            let tip = tree.branches[0].tip
            #expect(distance(off.pixel(x: Int(tip.x), y: Int(tip.y)), Theme.standard.panel) > 40)
        }

        /// `inputs: local 1`: every first-layer branch reports the one input it samples
        /// (the core's table), deeper branches an input of theirs, and the network view
        /// ties the branch to that input with a dotted line; `all` reports nil.
        @Test func localBranchesShowTheInputTheySample() throws {
            var config = smallConfig()
            config.mode = .gd
            config.branchInputs = .sampled(.local, k: 1)
            let c = LabController(config: config)
            c.handle(keyEvent(SDLK_d))
            c.handle(keyEvent(SDLK_e))
            let picture = c.frame().picture
            let perforated = c.session.network.perforatedLayers
            for (column, layer) in picture.layers.enumerated().dropFirst() {
                for (u, n) in layer.neurons.enumerated() {
                    let inputs = try #require(n.dendrites.branches.first?.inputs)
                    #expect(inputs == perforated[column - 1].sampledInputs(set: 0, neuron: u))
                    #expect(inputs.count == 1 && inputs[0] < picture.layers[column - 1].neurons.count)
                }
            }
            // The dotted line: its first dash leaves the tip towards the sampled input.
            let off = try Offscreen(width: c.state.width, height: c.state.height)
            c.draw(off.canvas)
            let layout = LabLayout(width: c.state.width, height: c.state.height)
            let geo = NetworkGeometry(shape: c.networkShape, in: layout.network)
            let tip = geo.dendriteTree(column: 1, unit: 0, count: 1).branches[0].tip
            let input = try #require(picture.layers[1].neurons[0].dendrites.branches[0].inputs?.first)
            let d = geo.centres[0][input] - tip
            let length = (d.x * d.x + d.y * d.y).squareRoot()
            let dashes = max(2, Int(length / 9))
            let onDash = tip + d * ((length - geo.radius - 3) / length * 4.5 / Float(dashes))   // mid dash 3, clear of the tree
            // A 1.5-pixel anti-aliased dash: look in the 3x3 pixels around the point.
            let marked = (-1...1).flatMap { dx in (-1...1).map { dy in
                distance(off.pixel(x: Int(onDash.x) + dx, y: Int(onDash.y) + dy), Theme.standard.panel)
            } }.max() ?? 0
            #expect(marked > 40)

            config.branchInputs = .all
            let dense = LabController(config: config)
            dense.handle(keyEvent(SDLK_d))
            #expect(dense.frame().picture.layers[1].neurons.allSatisfy { $0.dendrites.branches.first.map { $0.inputs == nil } == true })
        }

        @Test func pbModeShowsCandidatesErrorAndCorrelationInTheDendritePhase() {
            var config = smallConfig()
            config.mode = .pb
            let c = LabController(config: config)
            c.handle(keyEvent(SDLK_e))
            c.handle(keyEvent(SDLK_d))
            #expect(c.session.phase == .dendrite)
            for _ in 0..<3 { c.handle(keyEvent(SDLK_RIGHT)) }
            let picture = c.frame().picture
            #expect(picture.phase == .dendrite)
            let hidden = picture.layers[1].neurons
            #expect(hidden.allSatisfy { $0.dendrites.branches.last?.isCandidate == true })
            #expect(hidden.allSatisfy { $0.dendrites.errorSignal != nil })
            #expect(hidden.allSatisfy { $0.dendrites.candidateCorrelation != nil })
            // D again ends the phase: candidates become frozen dendrites.
            c.handle(keyEvent(SDLK_d))
            #expect(c.session.phase == .neuron)
            #expect(c.session.dendriteSets == 1)
            #expect(c.frame().picture.layers[1].neurons.allSatisfy { $0.dendrites.branches.count == 1 && !$0.dendrites.branches[0].isCandidate })
        }

        @Test func resetRemovesDendritesAndRestoresInitialWeights() {
            var config = smallConfig()
            config.mode = .gd
            let c = LabController(config: config)
            let initial = c.session.network.parameters.map(\.value)
            c.handle(keyEvent(SDLK_d))
            c.handle(keyEvent(SDLK_e))
            #expect(c.session.dendriteSets == 1)
            c.handle(keyEvent(SDLK_r))
            #expect(c.session.dendriteSets == 0)
            #expect(c.session.network.parameters.map(\.value) == initial)
        }
    
        /// In a lesson the Lab stops where the lesson's runner stops (free play trains on:
        /// TrainOnTests).
        @Test func aLessonPausesWhenTheSwitchingRuleFinishes() throws {
            let yaml = """
                ---
                title: T
                dataset: {name: xor, count: 200}
                network: {layers: [dense 4, tanh, dense 4, tanh, dense 2]}
                mode: pb
                dendrites: {n_epochs_to_switch: 1, max_dendrites: 1, max_p_epochs: 2}
                epochs: 3000
                seed: 7
                ---
                ## S
                text
                """
            let c = LabController(lesson: try LessonLoader.parse(yaml, file: "t.md"))
            c.perform(.togglePlay)
            c.restore({ var s = c.state; s.speedLevel = LabState.speeds.count - 1; return s }())
            var frames = 0
            while c.state.playing && frames < 2000 { c.tick(budget: 10); frames += 1 }
            #expect(c.session.isFinished, "the rule should stop within \(frames) frames")
            #expect(!c.state.playing)
            #expect(c.state.message?.hasPrefix("The switching rule kept") != true, "a lesson must not train on: \(c.state.message ?? "")")
            let batches = c.session.batchesRun
            c.handle(keyEvent(SDLK_RIGHT))
            #expect(c.session.batchesRun == batches, "stepping a finished run would only be undone")
            #expect(c.session.events.contains { if case .phaseChanged = $0 { return true } else { return false } })
        }
    }
}
