// swift-tools-version:6.0
import PackageDescription

/// The engine is compiled with optimisation even in debug builds: the default test
/// suite trains real (small) networks, and unoptimised Swift inner loops are ~50x slower.
let fastInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "DendriteLab",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dendrite-lab", targets: ["dendrite-lab"]),
        .executable(name: "dendrite-bench", targets: ["dendrite-bench"]),
        .executable(name: "dendrite-fuzz", targets: ["dendrite-fuzz"]),
        .library(name: "DendriteCore", targets: ["DendriteCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZlibShim", path: "Sources/CZlibShim"),
        .systemLibrary(name: "CKernels", path: "Sources/CKernels"),
        .systemLibrary(name: "CAffinity", path: "Sources/CAffinity"),
        .systemLibrary(name: "CSDL2", path: "Sources/CSDL2", pkgConfig: "sdl2",
                       providers: [.apt(["libsdl2-dev", "libsdl2-ttf-dev", "libsdl2-image-dev"])]),
        .target(
            name: "DendriteCore",
            dependencies: ["CBLAS", "CKernels", "CAffinity", "CZlibShim", "Yams", "ZIPFoundation"],
            swiftSettings: fastInDebug),
        .target(
            name: "DendriteLab",
            dependencies: ["DendriteCore", "CSDL2"],
            swiftSettings: fastInDebug),
        .executableTarget(
            name: "dendrite-lab",
            dependencies: ["DendriteCore", "DendriteLab",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "dendrite-bench",
            dependencies: ["DendriteCore", "CBLAS",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/dendrite-bench",
            swiftSettings: fastInDebug),
        .executableTarget(
            name: "dendrite-fuzz",
            dependencies: ["DendriteCore", "DendriteLab",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/dendrite-fuzz",
            swiftSettings: fastInDebug),
        .testTarget(name: "DendriteCoreTests", dependencies: ["DendriteCore"]),
        .testTarget(name: "DendriteLabTests", dependencies: ["DendriteLab", "DendriteCore"]),
        .testTarget(name: "CLITests", dependencies: ["dendrite-lab", "DendriteCore"]),
    ]
)
