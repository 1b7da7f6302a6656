package dev.linuxvm.engine.acpi.aml;

/** An {@link AmlSink} that only sums the bytes it is given, modulo 256. */
public final class ChecksumSink implements AmlSink {
    private int sum;

    @Override
    public void u8(int b) {
        sum = (sum + b) & 0xFF;
    }

    /** Sum of all bytes so far, modulo 256. */
    public int sum() {
        return sum;
    }

    /** The byte that, appended, makes the total sum zero. */
    public int complement() {
        return (-sum) & 0xFF;
    }
}
