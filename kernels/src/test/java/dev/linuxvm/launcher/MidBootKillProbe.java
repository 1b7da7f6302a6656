package dev.linuxvm.launcher;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.launch.BackendChoice;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Child-JVM main for {@link SigkillMidBootTest}: boots the provisioned x86_64 Debian guest on the
 * QEMU executor, prints {@code qemu PID} once QEMU runs, {@code booting} once the kernel has
 * printed something, and then waits to be killed in the middle of the boot.
 */
public final class MidBootKillProbe {
    public static void main(String[] args) throws Exception {
        Launcher.Prepared guest = Launcher.prepare(LaunchRequest.of(Arch.X86_64).withBackend(BackendChoice.QEMU),
                System.err::println);
        CountDownLatch output = new CountDownLatch(1);
        ConsoleListener console = (b, off, len) -> output.countDown();
        RunningVm vm = guest.start(console);
        long qemu;
        try (Stream<ProcessHandle> d = ProcessHandle.current().descendants()) {
            qemu = d.filter(p -> p.info().command().orElse("").contains("qemu-system")).findFirst().orElseThrow().pid();
        }
        System.out.println("qemu " + qemu);
        System.out.flush();
        if (!output.await(60, TimeUnit.SECONDS)) {
            System.out.println("no console output in 60 s");
            System.exit(2);
        }
        System.out.println("booting");
        System.out.flush();
        vm.awaitExit(java.time.Duration.ofMinutes(5)); // killed long before
    }

    private MidBootKillProbe() {
    }
}
