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

    /// The probe keys still owed when a run of `frames` frames stops inside a period, after
    /// the first of a key's two presses: pressed once more then, they leave the Lab (and
    /// the screenshot a run saves at its end) as it was, curves shown.
    static func owedPresses(after frames: Int) -> [SDL_KeyCode] {
        var owed: [SDL_KeyCode] = []
        // A key's second press in the period cancels its first.
        for (frame, key) in probeKeys where frame < frames % probePeriod {
            if let i = owed.firstIndex(of: key) { owed.remove(at: i) } else { owed.append(key) }
        }
        return owed
    }

    /// A key press as if typed now.
    static func keyDown(_ key: SDL_KeyCode) -> SDL_Event {
        var e = SDL_Event()
        e.type = SDL_KEYDOWN.rawValue
        e.key.keysym.sym = SDL_Keycode(bitPattern: key.rawValue)
        e.key.state = UInt8(SDL_PRESSED)
        e.key.timestamp = SDL_GetTicks()
        return e
    }

    /// Queues a key press as if typed (SDL stamps its time).
    static func push(key: SDL_KeyCode) {
        var e = keyDown(key)
        _ = SDL_PushEvent(&e)
    }
}
