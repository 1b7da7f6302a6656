package dev.linuxvm.engine.devices;

import dev.linuxvm.engine.backend.ConsoleListener;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Collects what a UART transmits. */
final class CapturingConsole implements ConsoleListener {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public synchronized void onOutput(byte[] buffer, int offset, int length) {
        bytes.write(buffer, offset, length);
    }

    synchronized String text() {
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }
}
