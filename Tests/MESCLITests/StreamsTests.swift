import Foundation
import Glibc
import Testing
import TestSupport
@testable import MESCLI
import MESCore

/// A descriptor number that is not open (so nothing else's file is written by mistake).
private func closedDescriptor() -> Int32 {
    var fd: Int32 = 900
    while fcntl(fd, F_GETFD) != -1 { fd += 1 }
    return fd
}

@Suite struct StreamsOutputTests {
    @Test func aFullDeviceIsAnError() throws {
        let fd = open("/dev/full", O_WRONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        let out = Output(fd: fd, name: "stdout")
        out.line("1 16 30 44 038 016 18")
        #expect(!out.hasFailed)
        let e = thrownError { try out.check() }
        #expect(e?.code.rawValue == "output_failed")
        #expect(e?.status == .ioError)
        #expect(e?.field == "stdout")
        #expect(e?.message == "Écriture impossible sur la sortie standard (plus de place sur le disque) : la sortie est incomplète.")
        #expect(out.hasFailed)
        #expect(out.failure == OutputFailure(stream: "stdout", code: ENOSPC))
        // Later writes are dropped without even being formatted.
        var called = false
        out.append { _ in called = true }
        out.write("more")
        #expect(!called)
        #expect(thrownError { try out.check() }?.code.rawValue == "output_failed")
    }

    @Test func aClosedDescriptorIsAnError() {
        let out = Output(fd: closedDescriptor())
        #expect(out.name.hasPrefix("fd"))
        out.write("x")
        let e = thrownError { try out.check() }
        #expect(e?.code.rawValue == "output_failed")
        #expect(out.failure?.code == EBADF)
        #expect(e?.message.contains("le descripteur") == true)
    }

    @Test func aReaderThatWentAwayStopsTheLoop() throws {
        signal(SIGPIPE, SIG_IGN)   // as `MES.main` does
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        close(fds[0])
        defer { close(fds[1]) }
        let out = Output(fd: fds[1], name: "stdout")
        var lines = 0
        while !out.hasFailed && lines < 10_000_000 {
            out.line("116304403801618")
            lines += 1
        }
        #expect(lines < 10_000)   // stopped at the first flush (64 KiB)
        #expect(out.failure?.isBrokenPipe == true)
        #expect(thrownError { try out.check() }?.code.rawValue == "output_failed")
    }

    @Test func writeNowDeliversOrThrowsBeforeASideEffect() throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let out = Output(fd: fds[1])
        try out.writeNow("ABCD-EFGH-JKMN\n")
        var buf = [UInt8](repeating: 0, count: 64)
        let n = read(fds[0], &buf, 64)
        #expect(String(decoding: buf[0..<max(n, 0)], as: UTF8.self) == "ABCD-EFGH-JKMN\n")

        let full = open("/dev/full", O_WRONLY | O_CLOEXEC)
        defer { close(full) }
        var consumed = false
        let e = thrownError {
            try Output(fd: full).writeNow("ABCD-EFGH-JKMN\n")
            consumed = true
        }
        #expect(e?.code.rawValue == "output_failed")
        #expect(!consumed)
    }

    @Test func aSimulatedFailureInMemory() {
        let out = Output(failingWith: EPIPE)
        out.write("x")
        #expect(thrownError { try out.check() }?.code.rawValue == "output_failed")
        #expect(out.failure?.isBrokenPipe == true)
        #expect(out.captured.isEmpty)
        let ok = Output()
        ok.write("x")
        #expect(thrownError { try ok.check() } == nil)
        #expect(ok.text == "x")
    }

    @Test func anErrorStreamIsNamedSo() {
        #expect(OutputFailure(stream: "stderr", code: EIO).error.message.hasPrefix("Écriture impossible sur la sortie d'erreur"))
    }
}

@Suite struct StreamsInputTests {
    func lines(_ input: Input, max: Int = InputLimits.nirLine) throws -> [String] {
        var out: [String] = []
        try input.forEachLine(maxLineLength: max) { out.append(String(decoding: $0, as: UTF8.self)) }
        return out
    }

    @Test func linesAreSplitAsBefore() throws {
        #expect(try lines(Input("a\nb\r\n\nc")) == ["a", "b\r", "", "c"])
        #expect(try lines(Input("a\n")) == ["a"])
        #expect(try lines(Input("")) == [])
    }

    @Test func linesAcrossChunksFromADescriptor() throws {
        // Lines of every length up to the limit, so that many straddle the 64 KiB chunks.
        var expected: [String] = []
        var text = ""
        for i in 0..<3_000 {
            let s = String(repeating: Character(UnicodeScalar(UInt8(97 + i % 26))), count: (i * 37) % 200)
            expected.append(s)
            text += s + "\n"
        }
        text += String(repeating: "z", count: 4096)   // the last line: no newline, exactly the limit
        expected.append(String(repeating: "z", count: 4096))
        let path = temporaryPath("mes-lines")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        defer { unlink(path) }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        #expect(try lines(Input(fd: fd)) == expected)
    }

    /// Attacking the memchr split: a pipe written in pieces of every size, so that line ends,
    /// carried-over lines and lines of exactly the limit fall at every place of a read; the
    /// same lines come out, and a line one byte over the limit is refused by its number.
    @Test func aPipeWrittenInPiecesOfEverySizeSplitsAlike() throws {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<20 {
            var expected: [String] = []
            var text: [UInt8] = []
            for i in 0..<400 {
                let n = [0, 1, 4095, 4096, Int.random(in: 0...300, using: &rng)][i % 5]
                let line = String(repeating: "\(i % 10)", count: n) + (i % 7 == 0 ? "\r" : "")
                if line.utf8.count > 4096 { continue }
                expected.append(line)
                text += Array(line.utf8) + [0x0A]
            }
            let tooLong = round % 2 == 1
            if tooLong { text += Array(repeating: 0x78, count: 4097) + [0x0A] + Array("après\n".utf8) }
            var fds: [Int32] = [0, 0]
            #expect(pipe(&fds) == 0)
            let writer = fds[1], bytes = text
            let done = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                var rng = SystemRandomNumberGenerator()
                var at = 0
                while at < bytes.count {
                    let n = min(bytes.count - at, [1, 2, 7, 4095, 4096, 4097, 65_536][Int.random(in: 0..<7, using: &rng)])
                    let w = bytes[at..<(at + n)].withUnsafeBytes { write(writer, $0.baseAddress, n) }
                    if w <= 0 { break }
                    at += w
                }
                close(writer)
                done.signal()
            }
            var got: [String] = []
            let error = thrownError { try Input(fd: fds[0]).forEachLine(maxLineLength: 4096) { got.append(String(decoding: $0, as: UTF8.self)) } }
            close(fds[0])
            done.wait()
            #expect(got == expected, "round \(round): \(got.count) lines against \(expected.count)")
            if tooLong {
                #expect(error?.code.rawValue == "line_too_long" && error?.message.contains("\(expected.count + 1)") == true, "\(String(describing: error))")
            } else {
                #expect(error == nil, "\(String(describing: error))")
            }
        }
    }

    @Test func anEndlessLineEndsAtOnce() throws {
        let fd = open("/dev/zero", O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        var e: MESError?
        let t = elapsed { e = thrownError { try Input(fd: fd).forEachLine(maxLineLength: InputLimits.nirLine) { _ in } } }
        #expect(e?.code.rawValue == "line_too_long")
        #expect(e?.status == .invalidData)
        #expect(e?.message == "Ligne 1 trop longue (plus de 4 Kio)")
        #expect(e?.field == "stdin")
        #expect(t < .seconds(1))
    }

    @Test func aLongLineIsNamedByItsNumber() {
        let long = String(repeating: "1", count: 4097)
        var seen: [String] = []
        let e = thrownError {
            try Input("ok\n\(long)\nnot reached\n").forEachLine(maxLineLength: InputLimits.nirLine) { seen.append(String(decoding: $0, as: UTF8.self)) }
        }
        #expect(e?.message == "Ligne 2 trop longue (plus de 4 Kio)")
        #expect(seen == ["ok"])
        // Cut across chunks: the carried-over part counts.
        #expect(thrownError { try Input("a\n" + long).forEachLine(maxLineLength: 4096) { _ in } }?.code.rawValue == "line_too_long")
        #expect(thrownError { try Input(String(repeating: "x", count: 11)).forEachLine(maxLineLength: 10) { _ in } }?.code.rawValue == "line_too_long")
        #expect(thrownError { try Input(String(repeating: "x", count: 10)).forEachLine(maxLineLength: 10) { _ in } } == nil)
    }

    @Test func theDeprecatedLineReaderStaysUnbounded() throws {
        let long = String(repeating: "9", count: 100_000)
        var got: [Int] = []
        try Input("a\n\(long)\nb").forEachLine { got.append($0.count) }
        #expect(got == [1, 100_000, 1])
    }

    @Test func readAllIsBounded() throws {
        #expect(try Input("secret\n").readAll(limit: 7) == Array("secret\n".utf8))
        #expect(thrownError { _ = try Input("secret\n").readAll(limit: 6) }?.code.rawValue == "input_too_large")
        let fd = open("/dev/zero", O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        var e: MESError?
        let t = elapsed { e = thrownError { _ = try Input(fd: fd).readAll() } }
        #expect(e?.message == "Entrée standard trop volumineuse (plus de 4 Mio)")
        #expect(e?.status == .invalidData)
        #expect(t < .seconds(1))
        #expect(thrownError { _ = try Input(fd: fd).readAll(limit: InputLimits.passwordFile, field: "password-file") }?.field == "password-file")
    }
}
