package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.backend.ConsoleListener;

/**
 * Child-JVM main for {@link QemuBackendTest}: starts a looping x86 guest, prints QEMU's pid and
 * waits to be killed (the test SIGKILLs this JVM and checks that QEMU goes too).
 */
public final class OrphanProbe {
    public static void main(String[] args) throws Exception {
        QemuVm vm = (QemuVm) QemuBackend.builder().tcgOnly().build()
                .start(TestGuests.x86(TestGuests.X86_LOOP, ""), ConsoleListener.DISCARD);
        System.out.println(vm.qemuPid() + " " + vm.workDir());
        System.out.flush();
        Thread.sleep(60_000);
    }

    private OrphanProbe() {
    }
}
