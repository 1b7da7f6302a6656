package dev.linuxvm.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.VmmException;
import dev.linuxvm.engine.backend.Backend;
import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.launch.BackendSelector;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** {@link Launcher.Booted} without a guest: a start that fails is kept for the one who takes it. */
class BootedTest {
    private static final class FailingBackend implements Backend {
        int starts;

        @Override
        public String name() {
            return "failing";
        }

        @Override
        public Availability availability(Arch arch) {
            return Availability.yes("test");
        }

        @Override
        public RunningVm start(GuestImage image, ConsoleListener console) {
            starts++;
            throw new VmmException(VmmException.Kind.HOST_ENVIRONMENT, "no room for the guest");
        }
    }

    @Test
    void a_start_that_fails_is_thrown_by_attach_not_by_the_boot_and_close_still_releases() {
        FailingBackend backend = new FailingBackend();
        Launcher.Prepared prepared = new Launcher.Prepared(new BackendSelector.Selection(backend, "failing", false, "test"),
                Path.of("vmlinux"), null, null);
        Launcher.Booted booted = Launcher.Booted.boot(prepared);
        assertThat(backend.starts).isEqualTo(1);
        assertThat(booted.prepared()).isSameAs(prepared);
        assertThatThrownBy(() -> booted.attach((b, o, l) -> { }))
                .isInstanceOf(VmmException.class).hasMessage("no room for the guest");
        booted.close(); // nothing started: nothing to stop, and no second start
        assertThat(backend.starts).isEqualTo(1);
    }
}
