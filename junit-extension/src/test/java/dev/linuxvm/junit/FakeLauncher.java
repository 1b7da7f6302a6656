package dev.linuxvm.junit;

import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.engine.launch.BackendChoice;
import dev.linuxvm.engine.launch.DefaultCmdline;

import dev.linuxvm.engine.VmmException;
import dev.linuxvm.engine.backend.Backend;
import dev.linuxvm.engine.backend.ConsoleListener;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link GuestLauncher} that starts {@link FakeVm}s; records every launch, and how many were
 * running (launched, not yet closed) at most at once.
 */
public final class FakeLauncher implements GuestLauncher {
    static final List<VmSpec> SPECS = new CopyOnWriteArrayList<>();
    static final List<FakeVm> VMS = new CopyOnWriteArrayList<>();
    static final AtomicInteger RUNNING = new AtomicInteger();
    static final AtomicInteger PEAK = new AtomicInteger();

    static void reset() {
        SPECS.clear();
        VMS.clear();
        RUNNING.set(0);
        PEAK.set(0);
    }

    @Override
    public Backend.Availability availability(VmSpec spec) {
        if (spec.backend() == BackendChoice.KVM) {
            return Backend.Availability.no("fake: /dev/kvm is absent; use backend = QEMU or AUTO");
        }
        return Backend.Availability.yes("fake: always available");
    }

    @Override
    public LaunchedGuest launch(VmSpec spec, ConsoleListener console) {
        SPECS.add(spec);
        if (spec.kernel().filter(k -> k.startsWith("/nonexistent")).isPresent()) {
            throw new VmmException(VmmException.Kind.BAD_INPUT, "fake: no kernel " + spec.kernel().get());
        }
        String cmdline = spec.defaultCmdline() ? DefaultCmdline.forArch(spec.arch(), false) : spec.cmdline();
        FakeVm vm = new FakeVm(console, spec.arch().unameMachine(), cmdline, RUNNING::decrementAndGet);
        PEAK.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
        VMS.add(vm);
        vm.boot();
        Map<String, byte[]> artifacts = spec.mode() == BootMode.ACPI
                ? Map.of("DSDT.aml", new byte[] {'D', 'S', 'D', 'T'}, "APIC.aml", new byte[] {'A', 'P', 'I', 'C'})
                : Map.of("guest.dtb", new byte[] {(byte) 0xd0, 0x0d, (byte) 0xfe, (byte) 0xed});
        return new LaunchedGuest(vm, "fake", "fake: chosen by the test configuration",
                spec.kernel().orElse(Path.of("/provisioned/" + spec.arch() + "/kernel")),
                spec.initrd().orElse(Path.of("/provisioned/" + spec.arch() + "/initramfs.cpio.gz")),
                cmdline, artifacts);
    }
}
