@preconcurrency import CSDL2

/// How long a key press takes to show: from the key's SDL timestamp to the end of the
/// frame that drew its effect (the frame after its event was handled, presented).
/// `lab --frames N` presses keys itself and prints the result; real presses count too.
public struct InputLatency: Sendable {
    public private(set) var count = 0
    public private(set) var totalMilliseconds = 0.0
    public private(set) var maxMilliseconds = 0.0
    public var meanMilliseconds: Double { count > 0 ? totalMilliseconds / Double(count) : 0 }

    mutating func record(milliseconds ms: Double) {
        count += 1
        totalMilliseconds += ms
        maxMilliseconds = max(maxMilliseconds, ms)
    }

    /// Keys a `--frames` run presses, at frames (modulo `probePeriod`) of each period: C
    /// hides the curves and shows them again (a visible change that leaves the Lab as it
    /// was), so the run measures input while training plays.
    static let probePeriod = 40
    static let probeKeys: [(frame: Int, key: SDL_KeyCode)] = [(10, SDLK_c), (30, SDLK_c)]

    /// Queues a key press as if typed (SDL stamps its time).
    static func push(key: SDL_KeyCode) {
        var e = SDL_Event()
        e.type = SDL_KEYDOWN.rawValue
        e.key.keysym.sym = SDL_Keycode(bitPattern: key.rawValue)
        e.key.state = UInt8(SDL_PRESSED)
        e.key.timestamp = SDL_GetTicks()
        _ = SDL_PushEvent(&e)
    }
}
