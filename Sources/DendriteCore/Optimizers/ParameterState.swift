/// An optimizer's per-parameter state (Adam's moments, SGD's momentum), keyed by the
/// parameter's identity. Each entry keeps its parameter alive: a parameter dropped without
/// a reset (a rejected dendrite set, a refit) would otherwise free its address, and the
/// next parameter the allocator put there would start from its moments.
struct ParameterState<Value> {
    private var entries: [ObjectIdentifier: (owner: Parameter, value: Value)] = [:]

    subscript(_ p: Parameter) -> Value? {
        get { entries[ObjectIdentifier(p)]?.value }
        set { entries[ObjectIdentifier(p)] = newValue.map { (p, $0) } }
    }

    /// Takes the entry out (the step works on it and puts it back).
    mutating func removeValue(for p: Parameter) -> Value? {
        entries.removeValue(forKey: ObjectIdentifier(p))?.value
    }

    mutating func removeAll() { entries.removeAll() }
}
