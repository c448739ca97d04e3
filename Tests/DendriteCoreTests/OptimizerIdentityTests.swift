import Testing
@testable import DendriteCore

/// Optimizer state is keyed by a parameter's identity. A parameter dropped without a
/// reset (a rejected dendrite set, say) must not hand its state to a new parameter that
/// the allocator places at the same address.
@Suite struct OptimizerIdentityTests {
    /// 20 rounds of: step a parameter 5 times, drop it, make a new one of the same size and
    /// step it once with gradient -2 from weights 1. Returns each new parameter's weight.
    func firstStepsAfterDroppingOthers(_ optimizer: Optimizer) -> [Float] {
        (0..<20).map { round in
            var old: Parameter? = Parameter(name: "old\(round)", value: Tensor(shape: [16], repeating: 1))
            for _ in 0..<5 {
                old?.grad = Tensor(shape: [16], repeating: 0.5)
                optimizer.step(old.map { [$0] } ?? [])
            }
            old = nil
            let fresh = Parameter(name: "new\(round)", value: Tensor(shape: [16], repeating: 1))
            fresh.grad = Tensor(shape: [16], repeating: -2)
            optimizer.step([fresh])
            return fresh.value[0]
        }
    }

    @Test func aNewParameterNeverInheritsADroppedOnesAdamMoments() {
        // Adam's first step moves every weight by lr against the gradient's sign.
        for (round, w) in firstStepsAfterDroppingOthers(Adam(learningRate: 0.1)).enumerated() {
            #expect(abs(w - 1.1) < 1e-5, "round \(round): a new parameter started from stale moments (\(w))")
        }
    }

    @Test func aNewParameterNeverInheritsADroppedOnesMomentum() {
        // The first momentum step is the gradient itself (torch's rule): 1 + 0.1 * 2.
        for (round, w) in firstStepsAfterDroppingOthers(SGD(learningRate: 0.1, momentum: 0.9)).enumerated() {
            #expect(abs(w - 1.2) < 1e-5, "round \(round): a new parameter started from a stale buffer (\(w))")
        }
    }
}
