package dev.linuxvm.engine.launch;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.backend.qemu.QemuHost;

import java.util.OptionalLong;

/** The default kernel command line per architecture and executor. */
public final class DefaultCmdline {
    private DefaultCmdline() {
    }

    /**
     * x86_64: the 16550 console plus {@code earlyprintk} so the e820 map and ACPI lines appear
     * before the console driver registers. Under emulation also {@code tsc_early_khz}: on microvm
     * under TCG the PIT-based TSC calibration hangs at random (vmm-engine/README.md,
     * "TSC calibration under TCG"), so we tell the kernel
     * the host TSC frequency, and {@code tsc=reliable}: TCG's TSC follows the host's, but the
     * clocksource watchdog, whose only reference there is jiffies (timer interrupts that TCG
     * delivers late on a loaded host), marks it unstable and falls back to refined-jiffies; some
     * seconds later it may switch back, and that late kernel line lands in a test's command
     * output. aarch64: the PL011 console; {@code earlycon} finds the UART through
     * SPCR (ACPI) or stdout-path (DT). Both: {@code panic=-1} reboots at once on a panic, which
     * ends the VM instead of hanging it.
     */
    public static String forArch(Arch arch, boolean emulated) {
        if (arch == Arch.X86_64) {
            StringBuilder s = new StringBuilder("console=ttyS0 earlyprintk=ttyS0 panic=-1");
            if (emulated) {
                OptionalLong khz = QemuHost.tscKhz();
                if (khz.isPresent()) {
                    s.append(" tsc_early_khz=").append(khz.getAsLong()).append(" tsc=reliable");
                }
            }
            return s.toString();
        }
        return "console=ttyAMA0 earlycon panic=-1";
    }
}
