import Foundation

/// A fresh folder under the system temp directory, removed by `remove()`.
struct TempFolder {
    let path: String

    init() {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("dendrite-tests-" + UUID().uuidString)
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func write(_ bytes: [UInt8], _ name: String) -> String {
        let p = file(name)
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
