import Testing
@testable import DendriteCore

/// Optimizer state is keyed by a parameter's identity. A parameter dropped without a
/// reset (a rejected dendrite set, say) must not hand its moments to a new parameter that
/// the allocator places at the same address.
@Suite struct OptimizerIdentityTests {
    /// Steps a parameter for a while, drops it, then makes new parameters of the same size
    /// one by one and steps each once: every first step must be a fresh Adam step (|Δw| = lr).
    @Test func aNewParameterNeverInheritsADroppedOnesAdamMoments() {
        let adam = Adam(learningRate: 0.1)
        for round in 0..<20 {
            var old: Parameter? = Parameter(name: "old\(round)", value: Tensor(shape: [16], repeating: 1))
            for _ in 0..<5 {
                old!.grad = Tensor(shape: [16], repeating: 0.5)   // Invariant: set just above.
                adam.step([old!])                                 // Invariant: set just above.
            }
            old = nil
            let fresh = Parameter(name: "new\(round)", value: Tensor(shape: [16], repeating: 1))
            fresh.grad = Tensor(shape: [16], repeating: -2)
            adam.step([fresh])
            // Adam's first step moves every weight by lr in the gradient's opposite direction.
            #expect(abs(fresh.value[0] - 1.1) < 1e-5, "round \(round): a new parameter started from stale moments (\(fresh.value[0]))")
        }
    }

    @Test func aNewParameterNeverInheritsADroppedOnesMomentum() {
        let sgd = SGD(learningRate: 0.1, momentum: 0.9)
        for round in 0..<20 {
            var old: Parameter? = Parameter(name: "old\(round)", value: Tensor(shape: [16], repeating: 1))
            for _ in 0..<5 {
                old!.grad = Tensor(shape: [16], repeating: 0.5)   // Invariant: set just above.
                sgd.step([old!])                                  // Invariant: set just above.
            }
            old = nil
            let fresh = Parameter(name: "new\(round)", value: Tensor(shape: [16], repeating: 1))
            fresh.grad = Tensor(shape: [16], repeating: -2)
            sgd.step([fresh])
            // The first momentum step is the gradient itself (torch's rule): 1 + 0.1 * 2.
            #expect(abs(fresh.value[0] - 1.2) < 1e-5, "round \(round): a new parameter started from a stale buffer (\(fresh.value[0]))")
        }
    }
}
