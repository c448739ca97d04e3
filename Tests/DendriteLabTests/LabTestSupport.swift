@preconcurrency import CSDL2
import Testing
import DendriteCore
@testable import DendriteLab

/// All Lab tests run one at a time: SDL_Init/SDL_Quit and SDL_VIDEODRIVER are process-wide.
@Suite(.serialized) enum LabSuite {}

/// A key press as SDL delivers it.
func keyEvent(_ code: SDL_KeyCode, shift: Bool = false) -> SDL_Event {
    var e = SDL_Event()
    e.type = SDL_KEYDOWN.rawValue
    e.key.type = SDL_KEYDOWN.rawValue
    e.key.keysym.sym = SDL_Keycode(code.rawValue)
    e.key.keysym.mod = shift ? UInt16(KMOD_LSHIFT.rawValue) : 0
    return e
}

/// A left click at window point `p`.
func clickEvent(at p: Vec2) -> SDL_Event {
    var e = SDL_Event()
    e.type = SDL_MOUSEBUTTONDOWN.rawValue
    e.button.type = SDL_MOUSEBUTTONDOWN.rawValue
    e.button.button = UInt8(SDL_BUTTON_LEFT)
    e.button.x = Int32(p.x)
    e.button.y = Int32(p.y)
    return e
}

func motionEvent(at p: Vec2) -> SDL_Event {
    var e = SDL_Event()
    e.type = SDL_MOUSEMOTION.rawValue
    e.motion.type = SDL_MOUSEMOTION.rawValue
    e.motion.x = Int32(p.x)
    e.motion.y = Int32(p.y)
    return e
}

/// A small, fast session for tests.
func smallConfig(_ dataset: ToyData.Kind = .xor) -> LabConfig {
    var c = LabConfig()
    c.dataset = dataset
    c.samples = 200
    c.hidden = [4, 4]
    c.seed = 7
    return c
}

/// Sum of absolute channel differences, 0...765.
func distance(_ a: Color, _ b: Color) -> Int {
    abs(Int(a.r) - Int(b.r)) + abs(Int(a.g) - Int(b.g)) + abs(Int(a.b) - Int(b.b))
}

/// How many pixels in `r` differ from `background` by more than a faint tint.
func inkedPixels(_ off: Offscreen, in r: Rect, background: Color) -> Int {
    off.pixels(in: r).filter { distance($0, background) > 30 }.count
}
