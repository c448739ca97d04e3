@preconcurrency import CSDL2
import DendriteCore

/// Keyboard and mouse: a pure function from the view state and one SDL event to the
/// actions it asks for. No side effects, so tests feed it synthetic `SDL_Event`s.
public enum Controls {
    public static func actions(for event: SDL_Event, state: LabState, config: LabConfig, networkShape: [Int],
                               extent: Float = 1.3) -> [LabAction] {
        switch event.type {
        case SDL_QUIT.rawValue:
            return [.quit]
        case SDL_KEYDOWN.rawValue:
            return keyActions(sym: event.key.keysym.sym, mod: event.key.keysym.mod, state: state)
        case SDL_DROPFILE.rawValue:
            // The app frees `file` after handling (SDL_free); here it is only read.
            guard let file = event.drop.file else { return [] }
            return [.openFile(String(cString: file))]
        case SDL_WINDOWEVENT.rawValue:
            let id = UInt32(event.window.event)
            if id == SDL_WINDOWEVENT_RESIZED.rawValue || id == SDL_WINDOWEVENT_SIZE_CHANGED.rawValue {
                return [.resize(Int(event.window.data1), Int(event.window.data2))]
            }
            return []
        case SDL_MOUSEMOTION.rawValue:
            let p = Vec2(Float(event.motion.x), Float(event.motion.y))
            return [.mouse(p.x, p.y), .hover(hit(p, state: state, config: config, shape: networkShape, extent: extent))]
        case SDL_MOUSEBUTTONDOWN.rawValue where event.button.button == UInt8(SDL_BUTTON_LEFT):
            let p = Vec2(Float(event.button.x), Float(event.button.y))
            if state.showHelp { return [.toggleHelp] }
            switch hit(p, state: state, config: config, shape: networkShape, extent: extent) {
            case .lessonButton(let b):
                return [b == .next ? .nextStep : .previousStep]
            case .button(let i):
                let buttons = Toolbar.buttons(width: state.width, state: state, config: config)
                return buttons[i].action.map { [$0] } ?? []
            case .neuron(let n):
                return [.clickNeuron(n)]
            default:
                return []
            }
        case SDL_MOUSEWHEEL.rawValue where state.lessonOpen && state.layout.lesson.contains(state.mouse):
            // One notch scrolls three lines; SDL's y is positive away from the user.
            var dy = Float(event.wheel.y)
            if event.wheel.direction == UInt32(SDL_MOUSEWHEEL_FLIPPED.rawValue) { dy = -dy }
            return dy == 0 ? [] : [.scrollLesson(-dy * 60)]
        default:
            return []
        }
    }

    static func keyActions(sym: SDL_Keycode, mod: UInt16, state: LabState) -> [LabAction] {
        let shift = (UInt32(mod) & KMOD_SHIFT.rawValue) != 0
        let ctrl = (UInt32(mod) & KMOD_CTRL.rawValue) != 0
        func k(_ code: SDL_KeyCode) -> Bool { sym == SDL_Keycode(code.rawValue) }
        if k(SDLK_ESCAPE) { return [state.showHelp ? .toggleHelp : .quit] }
        if k(SDLK_q) { return [.quit] }
        if k(SDLK_PAGEDOWN) { return [.nextStep] }
        if k(SDLK_PAGEUP) { return [.previousStep] }
        if k(SDLK_SPACE) { return [.togglePlay] }
        if k(SDLK_RIGHT) { return [shift ? .stepEpoch : .stepBatch] }
        if k(SDLK_e) { return [.stepEpoch] }
        if k(SDLK_PLUS) || k(SDLK_KP_PLUS) || k(SDLK_EQUALS) { return [.faster] }
        if k(SDLK_MINUS) || k(SDLK_KP_MINUS) { return [.slower] }
        if k(SDLK_r) { return [.reset] }
        if k(SDLK_n) { return [.reseed] }
        if k(SDLK_d) { return [.addDendrites] }
        if k(SDLK_m) { return [.cycleMode] }
        if k(SDLK_s) { return [ctrl ? .saveNetwork : .screenshot] }
        if k(SDLK_o) && ctrl { return [.loadNetwork] }
        if k(SDLK_u) { return [.toggleUpdateRule] }
        if k(SDLK_h) || k(SDLK_QUESTION) || (k(SDLK_SLASH) && shift) { return [.toggleHelp] }
        if k(SDLK_c) { return [.toggleCurves] }
        if k(SDLK_i) { return [.toggleInspector] }
        if k(SDLK_l) && state.lessonSteps > 0 { return [.toggleLesson] }
        if k(SDLK_LEFTBRACKET) { return [.noise(-5)] }
        if k(SDLK_RIGHTBRACKET) { return [.noise(5)] }
        let digits: [SDL_KeyCode] = [SDLK_1, SDLK_2, SDLK_3, SDLK_4, SDLK_5, SDLK_6, SDLK_7]
        if let i = digits.firstIndex(where: k), i < ToyData.Kind.allCases.count {
            return [.dataset(ToyData.Kind.allCases[i])]
        }
        return []
    }

    /// What is under window point `p`.
    public static func hit(_ p: Vec2, state: LabState, config: LabConfig, shape: [Int], extent: Float = 1.3) -> Hover? {
        let layout = state.layout
        if state.lessonOpen, layout.lesson.contains(p) {
            return LessonPanel.button(at: p, in: layout.lesson, stepIndex: state.stepIndex,
                                      steps: state.lessonSteps).map { .lessonButton($0) }
        }
        if layout.toolbar.contains(p) {
            let buttons = Toolbar.buttons(width: state.width, state: state, config: config)
            return Toolbar.button(at: p, in: buttons).map { .button($0) }
        }
        if layout.network.contains(p) {
            return NetworkGeometry(shape: shape, in: layout.network).neuron(at: p).map { .neuron($0) }
        }
        // With a neuron selected the data view shows two smaller maps: no single input under the mouse.
        let singleMap = state.selected.map { $0.column == 0 } ?? true
        if singleMap, layout.data.contains(p), let (x, y) = DataView.input(at: p, in: layout.data, extent: extent) {
            return .input(x, y)
        }
        return nil
    }
}
