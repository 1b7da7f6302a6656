package dev.linuxvm.junit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Files in and out of a running guest over its serial console, with only busybox on the guest
 * side: base64 ({@code base64}, {@code base64 -d}) in chunks, each acknowledged, then
 * {@code sha256sum} on both ends.
 *
 * <p>In: the terminal's echo is turned off ({@code stty -echo}, so 27 MB of base64 are not sent
 * back), then per chunk the guest runs {@code head -n <lines> | base64 -d >> file} and says
 * when it reads; the host writes the chunk's lines and waits for the command's status. A chunk
 * is smaller than the kernel's tty buffering (the flip buffers hold 640 KiB,
 * {@code TTYB_DEFAULT_MEM_LIMIT} in {@code drivers/tty/tty_buffer.c}), so the UART never drops
 * input while {@code head} is slow to read; a canonical-mode read returns one line, so
 * {@code head} never reads past its chunk. Echo is restored afterwards, also on failure.
 *
 * <p>Out: per chunk {@code dd ... | base64} through {@link SerialConsole#exec}; a chunk's text is
 * far below the console window ({@link ConsoleBuffer#DEFAULT_CAPACITY}), so it is never cut.
 * The fail-fast markers that could start a base64 line ("Oops") do not apply during the copy.
 */
final class ConsoleFiles {
    /** Raw bytes per chunk: 256 KiB of base64 text in 76-column lines (busybox base64's width). */
    static final int CHUNK = 192 * 1024;
    /** Line width of the encoded text, as busybox base64 and MIME write it. */
    static final int LINE = 76;
    private static final Pattern BASE64_PREFIX = Pattern.compile("[A-Za-z0-9+/=]+");

    private final SerialConsole console;
    private final GuestFileChecks checks;

    ConsoleFiles(SerialConsole console) {
        this.console = console;
        this.checks = new GuestFileChecks(console);
    }

    /** See {@link LinuxVmHandle#copyIn}. */
    long copyIn(Path host, String guest) {
        if (!Files.isRegularFile(host)) {
            throw new IllegalArgumentException("copyIn: " + host + " is not a file on this host");
        }
        String q = quote(guest);
        MessageDigest sha = GuestFileChecks.sha256();
        long size;
        ExecResult prepared = console.exec("mkdir -p \"$(dirname " + q + ")\" && : > " + q);
        checks.check(prepared, "copyIn " + host + " -> " + guest + ": cannot create the guest file");
        checks.check(console.exec("stty -echo"), "copyIn " + host + " -> " + guest + ": cannot turn off the terminal echo");
        try (InputStream in = Files.newInputStream(host)) {
            size = 0;
            byte[] chunk;
            Base64.Encoder encoder = Base64.getMimeEncoder(LINE, new byte[] {'\n'});
            while ((chunk = in.readNBytes(CHUNK)).length > 0) {
                sha.update(chunk);
                size += chunk.length;
                byte[] text = encoder.encode(chunk);
                int lines = 1;
                for (byte b : text) {
                    lines += b == '\n' ? 1 : 0;
                }
                String nonce = SerialConsole.nonce();
                console.sendLine("printf '__LVM_%s_R__\\n' " + nonce + "; head -n " + lines + " | base64 -d >> " + q
                        + "; printf '__LVM_%s_C_%d__\\n' " + nonce + " $?");
                console.expect(Pattern.compile("__LVM_" + nonce + "_R__"));
                console.sendData(text);
                console.sendData(new byte[] {'\n'});
                int status = Integer.parseInt(console.expect(Pattern.compile("__LVM_" + nonce + "_C_(\\d+)__")).group(1));
                if (status != 0) {
                    throw checks.failure("copyIn " + host + " -> " + guest + ": base64 -d failed with status " + status
                            + " at byte " + (size - chunk.length));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("copyIn: cannot read " + host, e);
        } finally {
            console.exec("stty echo");
        }
        verify("copyIn " + host + " -> " + guest, guest, size, HexFormat.of().formatHex(sha.digest()));
        return size;
    }

    /** See {@link LinuxVmHandle#copyOut}. */
    long copyOut(String guest, Path host) {
        String q = quote(guest);
        String what = "copyOut " + guest + " -> " + host;
        long size = checks.guestSize(what, q);
        String guestSha = checks.guestSha256(what, q);
        SerialConsole quiet = console.failFastOn(console.failFastMarkers().stream()
                .filter(m -> !BASE64_PREFIX.matcher(m).matches()).toArray(String[]::new));
        MessageDigest sha = GuestFileChecks.sha256();
        Base64.Decoder decoder = Base64.getMimeDecoder();
        long received = 0;
        try {
            if (host.toAbsolutePath().getParent() != null) {
                Files.createDirectories(host.toAbsolutePath().getParent());
            }
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(host), sha)) {
                for (long block = 0; block * CHUNK < size; block++) {
                    ExecResult r = quiet.exec("dd if=" + q + " bs=" + CHUNK + " skip=" + block + " count=1 2>/dev/null | base64");
                    checks.check(r, what + ": reading block " + block);
                    byte[] bytes = decoder.decode(GuestFileChecks.withoutKernelLines(r.output()).getBytes(StandardCharsets.US_ASCII));
                    out.write(bytes);
                    received += bytes.length;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": cannot write " + host, e);
        } catch (IllegalArgumentException e) {
            throw checks.failure(what + ": the guest's base64 did not decode: " + e.getMessage());
        }
        String hostSha = HexFormat.of().formatHex(sha.digest());
        if (received != size || !hostSha.equals(guestSha)) {
            throw checks.failure(what + ": the copy differs from the guest file\n  guest: " + size + " bytes, sha256 " + guestSha
                    + "\n  host:  " + received + " bytes, sha256 " + hostSha);
        }
        return size;
    }

    private void verify(String what, String guest, long size, String hostSha) {
        String q = quote(guest);
        long guestSize = checks.guestSize(what + " (reading it back)", q);
        String guestSha = checks.guestSha256(what, q);
        if (guestSize != size || !guestSha.equals(hostSha)) {
            throw checks.failure(what + ": the guest file differs from the host file\n  host:  " + size + " bytes, sha256 "
                    + hostSha + "\n  guest: " + guestSize + " bytes, sha256 " + guestSha);
        }
    }

    /** {@code path} in single quotes for sh. */
    static String quote(String path) {
        return "'" + path.replace("'", "'\\''") + "'";
    }

}
