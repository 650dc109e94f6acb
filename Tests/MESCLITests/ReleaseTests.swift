import Foundation
import Testing
@testable import MESCLI

/// The release a CI runner downloads (`scripts/release`): a stripped binary linked with
/// `--static-swift-stdlib` in a tarball with its man page, completions and schemas, and the
/// tarball's SHA-256. It needs no library of the Swift toolchain (the toolchain hidden by a mount
/// namespace, it still runs) and makes the same bytes as the debug build.
///
/// `scripts/test` (the whole suite) builds the release before the tests start and names its
/// tarball in `MES_TEST_RELEASE_TARBALL`; run alone, the first test here builds it
/// (incrementally, in `.build/release-tree`).
@Suite(.serialized) struct ReleaseTests {
    struct ReleaseFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// The release, built once per test process, and unpacked.
    struct Release: Sendable {
        let tarball: String
        let name: String
        /// Where it was unpacked: `root/NAME/bin/mes`…
        let root: String
        var top: String { root + "/" + name }
        var binary: String { top + "/bin/mes" }
    }

    static let release: Result<Release, ReleaseFailure> = {
        let tarball: String
        if let built = ProcessInfo.processInfo.environment["MES_TEST_RELEASE_TARBALL"], FileManager.default.fileExists(atPath: built) {
            tarball = built  // scripts/test built it from this tree a moment ago
        } else {
            let build = try? runCaptured(URL(fileURLWithPath: "/bin/bash"), [packageRoot.appendingPathComponent("scripts/release").path, "--quiet"],
                                         environment: cleanEnvironment(), cwd: packageRoot, timeout: 1_800)
            guard let build, build.status == 0 else {
                return .failure(ReleaseFailure("scripts/release failed (\(build?.status ?? -1)): \(build?.stderr.suffix(3_000) ?? "")"))
            }
            tarball = packageRoot.appendingPathComponent(build.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).path
        }
        let name = URL(fileURLWithPath: tarball).lastPathComponent.replacingOccurrences(of: ".tar.gz", with: "")
        let root = temporaryDirectory("mes-release").path
        guard let untar = try? runProgram("/usr/bin/tar", ["-xzf", tarball, "-C", root]), untar.status == 0 else {
            return .failure(ReleaseFailure("could not unpack \(tarball)"))
        }
        return .success(Release(tarball: tarball, name: name, root: root))
    }()

    static func built() throws -> Release { try release.get() }

    /// The toolchain's folder (`/opt/swift`): where the debug build finds `libswiftCore.so`.
    static func toolchainLibraries() throws -> String {
        let ldd = try runProgram("/usr/bin/ldd", [debugBinary.path])
        guard let line = ldd.output.split(separator: "\n").first(where: { $0.contains("libswiftCore.so") }),
              let arrow = line.range(of: "=> "), let lib = line[arrow.upperBound...].split(separator: " ").first,
              let usr = lib.range(of: "/usr/lib/swift") else {
            throw ReleaseFailure("the debug build does not name libswiftCore.so: \(ldd.output)")
        }
        return String(lib[..<usr.lowerBound])
    }

    @Test func theTarballHoldsTheBinaryItsDocumentsAndItsSum() throws {
        let r = try Self.built()
        let list = try runProgram("/usr/bin/tar", ["-tzf", r.tarball]).output.split(separator: "\n").map(String.init)
        for entry in ["bin/mes", "share/man/man1/mes.1", "share/bash-completion/completions/mes", "share/zsh/site-functions/_mes",
                      "share/fish/vendor_completions.d/mes.fish", "share/mes/schemas/oppose.schema.json",
                      "share/mes/schemas/error.schema.json", "share/mes/CHANGELOG.md"] {
            #expect(list.contains(r.name + "/" + entry), "\(entry) missing from \(list.prefix(10))")
        }
        let schemas = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("schemas").path)
        #expect(list.filter { $0.hasPrefix(r.name + "/share/mes/schemas/") && $0.hasSuffix(".json") }.count == schemas.count)
        // SHA256SUMS names the tarball and `sha256sum -c` accepts it; both readable by all.
        let dist = URL(fileURLWithPath: r.tarball).deletingLastPathComponent().path
        for file in [r.tarball, dist + "/SHA256SUMS"] {
            #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o644, "\(file)")
        }
        let sums = try String(contentsOfFile: dist + "/SHA256SUMS", encoding: .utf8)
        #expect(sums.hasSuffix("  \(r.name).tar.gz\n"), "\(sums)")
        let check = try runCaptured(URL(fileURLWithPath: "/usr/bin/sha256sum"), ["-c", "SHA256SUMS"], environment: cleanEnvironment(),
                                    cwd: URL(fileURLWithPath: dist))
        #expect(check.status == 0 && check.stdout.contains(": OK"), "\(check.stdout) \(check.stderr)")
        // The man page and completions are the binary's own, the same as the checked-in copies.
        let man = try String(contentsOfFile: r.top + "/share/man/man1/mes.1", encoding: .utf8)
        #expect(man == (try String(contentsOf: packageRoot.appendingPathComponent("man/mes.1"), encoding: .utf8)))
        // Stripped: no symbol table left.
        let sections = try runProgram(findProgram("readelf") ?? "/usr/bin/readelf", ["-S", "-W", r.binary]).output
        #expect(sections.contains(".text") && !sections.contains(".symtab"), "\(sections.prefix(2_000))")
    }

    /// Its `--version --json` names the commit it was built from (the work tree's, "-dirty" when
    /// it holds uncommitted changes to the sources).
    @Test func itNamesItsCommit() throws {
        let r = try Self.built()
        let head = try runCaptured(URL(fileURLWithPath: "/usr/bin/env"), ["git", "rev-parse", "HEAD"], environment: cleanEnvironment(),
                                   cwd: packageRoot).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let v = try runCaptured(URL(fileURLWithPath: r.binary), ["--version", "--json"], environment: [:])
        let commit = v.json["commit"] as? String ?? ""
        #expect(head.count == 40 && (commit == head || commit == head + "-dirty"), "\(commit) against \(head)")
        #expect(v.json["version"] as? String == MES.version && r.name == "mes-\(MES.version)-linux-x86_64")
    }

    @Test func itNeedsNoLibraryOfTheSwiftToolchain() throws {
        let r = try Self.built()
        let ldd = try runCaptured(URL(fileURLWithPath: "/usr/bin/ldd"), [r.binary], environment: ["PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": ""])
        #expect(ldd.status == 0, "\(ldd.stderr)")
        let libraries = ldd.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(!libraries.isEmpty)
        for l in libraries {
            #expect(!l.hasPrefix("libswift") && !l.hasPrefix("libFoundation") && !l.hasPrefix("lib_Foundation")
                    && !l.hasPrefix("libdispatch") && !l.hasPrefix("libBlocksRuntime") && !l.contains("not found"), "\(l)")
        }
        let toolchain = try Self.toolchainLibraries()
        #expect(!ldd.stdout.contains(toolchain + "/"), "\(ldd.stdout)")
        // libcurl, and the Kerberos, LDAP, SSH and TLS libraries it pulls, are loaded only when
        // a message is sent (issue 31): no command pays for them at start-up.
        #expect(!ldd.stdout.contains("libcurl") && !ldd.stdout.contains("libkrb5") && !ldd.stdout.contains("libldap"), "\(ldd.stdout)")
        // libxml2, with ICU and liblzma, only when a spreadsheet is read; and no ICU in the
        // binary: no module imports Foundation (the binary was 62 MB with it, 18 MB without).
        #expect(!ldd.stdout.contains("libxml2") && !ldd.stdout.contains("libicu") && !ldd.stdout.contains("liblzma"), "\(ldd.stdout)")
        let size = (try FileManager.default.attributesOfItem(atPath: r.binary)[.size] as? Int) ?? 0
        #expect(size < 30_000_000, "\(size) bytes: is Foundation (and ICU's data) linked in again?")
        #expect(libraries.count <= 10, "\(libraries.count) libraries at start-up: \(ldd.stdout)")
        // With an empty environment it runs.
        let bare = try runCaptured(URL(fileURLWithPath: r.binary), ["--version"], environment: ["LD_LIBRARY_PATH": ""])
        #expect(bare.status == 0 && bare.stdout.hasPrefix("mes "), "\(bare.status) \(bare.stderr)")
    }

    /// In a mount namespace where the toolchain's folder is an empty directory, the release runs
    /// and the debug build cannot start (which shows the toolchain is really out of reach).
    @Test func itRunsWithTheToolchainHidden() throws {
        let r = try Self.built()
        guard let unshare = findProgram("unshare"), try runProgram(unshare, ["-m", "true"]).status == 0 else {
            Issue.record("unshare -m is not allowed here: the toolchain cannot be hidden (ldd is checked by another test)")
            return
        }
        let toolchain = try Self.toolchainLibraries()
        let empty = temporaryDirectory("mes-empty").path
        let nir = "150109612345640"
        func hidden(_ binary: String) throws -> RunResult {
            try runCaptured(URL(fileURLWithPath: unshare), ["-m", "/bin/sh", "-c",
                                                            "mount --bind \"$1\" \"$2\" && exec \"$3\" nir check \"$4\"", "sh",
                                                            empty, toolchain, binary, nir],
                            environment: ["PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": ""])
        }
        let release = try hidden(r.binary)
        #expect(release.status == 0 && release.stdout.contains("valide"), "\(release.status) \(release.stdout) \(release.stderr)")
        let debug = try hidden(debugBinary.path)
        #expect(debug.status == 127 && debug.stderr.contains("libswift"), "the toolchain was not hidden: \(debug.status) \(debug.stderr)")
    }

    /// `scripts/install --static` installs that build, with its man page, completions and schemas.
    @Test func installStaticPutsTheReleaseInPlace() throws {
        let r = try Self.built()
        let prefix = temporaryDirectory("mes-prefix-static").appendingPathComponent("usr")
        let run = try runCaptured(URL(fileURLWithPath: "/bin/bash"), [packageRoot.appendingPathComponent("scripts/install").path, "--static",
                                                                      "--prefix", prefix.path],
                                  environment: cleanEnvironment(), cwd: packageRoot, timeout: 1_800)
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        let installed = prefix.appendingPathComponent("bin/mes").path
        #expect(FileManager.default.contents(atPath: installed) == FileManager.default.contents(atPath: r.binary))
        for schema in ["oppose.schema.json", "error.schema.json"] {
            #expect(FileManager.default.contents(atPath: prefix.appendingPathComponent("share/mes/schemas/" + schema).path)
                    == FileManager.default.contents(atPath: packageRoot.appendingPathComponent("schemas/" + schema).path))
        }
        #expect(FileManager.default.fileExists(atPath: prefix.appendingPathComponent("share/man/man1/mes.1").path))
    }

    /// The same seed gives the same bytes from the release as from the debug build: fixtures
    /// (roster and members), NIRs and serials, valid and invalid.
    @Test func itMakesTheSameBytesAsTheDebugBuild() throws {
        let r = try Self.built()
        func outputs(_ binary: String) throws -> [Data] {
            let dir = temporaryDirectory("mes-release-bytes")
            defer { try? FileManager.default.removeItem(at: dir) }
            let env = cleanEnvironment(["MES_HOME": "store", "MES_NOW": "2026-01-01T10:00:00Z"])
            var out: [Data] = []
            for args in [["nir", "generate", "--count", "500", "--seed", "ci"],
                         ["nir", "generate", "--count", "500", "--seed", "ci", "--invalid", "--json"],
                         ["vitale", "generate", "--card", "photo", "--count", "200", "--seed", "ci", "--invalid"],
                         ["fixtures", "--count", "400", "--seed", "ci", "--roster", "r.csv", "--members", "m.csv", "--json"]] {
                let run = try runCaptured(URL(fileURLWithPath: binary), args, environment: env, cwd: dir)
                #expect(run.status == 0, "\(args): \(run.stderr)")
                out.append(Data(run.stdout.utf8))
            }
            out.append(try Data(contentsOf: dir.appendingPathComponent("r.csv")))
            out.append(try Data(contentsOf: dir.appendingPathComponent("m.csv")))
            return out
        }
        let release = try outputs(r.binary), debug = try outputs(debugBinary.path)
        #expect(release.count == debug.count)
        for (k, (a, b)) in zip(release, debug).enumerated() {
            #expect(a == b, "output \(k) differs: \(a.count) bytes against \(b.count)")
            #expect(a.count > 100)
        }
    }
}

/// `scripts/release`'s arguments, refused before anything is built.
@Suite struct ReleaseScriptArgumentTests {
    func release(_ args: [String]) throws -> RunResult {
        try runCaptured(URL(fileURLWithPath: "/bin/bash"), [packageRoot.appendingPathComponent("scripts/release").path] + args,
                        environment: cleanEnvironment(), cwd: packageRoot, timeout: 60)
    }

    @Test func badArgumentsStopBeforeTheBuild() throws {
        let unknown = try release(["--bogus"])
        #expect(unknown.status == 64 && unknown.stderr.contains("unknown option '--bogus'"), "\(unknown.stderr)")
        let missing = try release(["--dist"])
        #expect(missing.status == 64 && missing.stderr.contains("--dist needs a directory"), "\(missing.stderr)")
        let empty = try release(["--dist="])
        #expect(empty.status == 64, "\(empty.stderr)")
        for target in ["/dev/full", "/dev/null/x", "/proc/version"] {
            let r = try release(["--dist", target])
            #expect(r.status == 73 && r.stderr.contains("cannot write into"), "\(target): \(r.status) \(r.stderr)")
            #expect(!r.stdout.contains("building"))
        }
        let help = try release(["--help"])
        #expect(help.status == 0 && help.stdout.contains("SHA256SUMS"))
    }
}

/// `mes --version --json` names the commit: `unknown` from a plain `swift build`; the release's
/// is `git rev-parse HEAD` (see ReleaseTests).
@Suite struct VersionCommitTests {
    @Test func aPlainBuildSaysUnknown() throws {
        let v = try runCaptured(debugBinary, ["--version", "--json"], environment: cleanEnvironment())
        #expect(v.status == 0 && v.json["commit"] as? String == "unknown" && v.json["version"] as? String == MES.version, "\(v.stdout)")
        #expect(try runCaptured(debugBinary, ["--version"], environment: cleanEnvironment()).stdout == "mes \(MES.version)\n")
    }
}
