package dev.linuxvm.junit;

/** AssertJ entry points: {@code import static dev.linuxvm.junit.LinuxVmAssertions.assertThat;}. */
public final class LinuxVmAssertions {
    private LinuxVmAssertions() {
    }

    public static SerialConsoleAssert assertThat(SerialConsole actual) {
        return new SerialConsoleAssert(actual);
    }

    public static ExecResultAssert assertThat(ExecResult actual) {
        return new ExecResultAssert(actual);
    }
}
