package dev.linuxvm.engine.backend;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.MemoryRegion;

import java.nio.file.Path;
import java.util.List;

/** Executes a {@link GuestImage}: the KVM backend or the QEMU executor. */
public interface Backend {
    /** Short name for messages and reports ("kvm", "qemu-tcg"). */
    String name();

    /**
     * Whether this backend can run a full boot of an {@code arch} guest on this host; when not,
     * {@link Availability#reason()} says why and how to fix it.
     */
    Availability availability(Arch arch);

    /** Starts the guest; console output goes to {@code console} from the backend's thread. */
    RunningVm start(GuestImage image, ConsoleListener console);

    /**
     * Whether this backend attaches the device of an image's {@link GuestImage#dataPort()} (the
     * QEMU executor does; the KVM backend has no virtio-mmio console model yet). Launchers
     * build images without a data port for a backend that does not.
     */
    default boolean supportsDataPort() {
        return false;
    }

    /**
     * Starts the guest like {@link #start}, ready to be {@linkplain RunningVm#snapshot()
     * snapshotted} (a template: e.g. its RAM in a file its clones can map copy-on-write).
     * Backends that cannot snapshot just start it.
     */
    default RunningVm startForSnapshot(GuestImage image, ConsoleListener console) {
        return start(image, console);
    }

    /**
     * Starts a new guest from {@code snapshot}: it continues where the snapshotted guest was,
     * with private memory, its console output going to {@code console}. The snapshot stays
     * usable for more guests.
     *
     * @throws UnsupportedOperationException when this backend cannot restore snapshots
     * @throws IllegalArgumentException when {@code snapshot} was taken by another backend
     */
    default RunningVm restore(Snapshot snapshot, ConsoleListener console) {
        throw new UnsupportedOperationException("the " + name() + " backend cannot restore snapshots");
    }

    /**
     * Gets ready to start a guest of this shape before its image is built, so that the
     * backend's own start-up (the QEMU executor: its process) overlaps the engine's work; the
     * result starts the image once built, or is closed unused. The default gets nothing ready.
     * Call it from any thread; the result's methods are for one thread at a time.
     *
     * @param dataPort whether the image will have a {@link GuestImage#dataPort()}
     */
    default Prestart prestart(Arch arch, long ramSize, int cpus, boolean dataPort) {
        return new Prestart() {
            @Override
            public RunningVm start(GuestImage image, ConsoleListener console) {
                return Backend.this.start(image, console);
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * {@link #prestart(Arch, long, int, boolean)} for an image that will boot {@code kernel}
     * (null: not known yet), so that the backend can get that kernel ready too; a hint only:
     * the image may boot another. The default ignores it.
     */
    default Prestart prestart(Arch arch, long ramSize, int cpus, boolean dataPort, Path kernel) {
        return prestart(arch, ramSize, cpus, dataPort);
    }

    /** A start made ready by {@link #prestart}: used once, or closed (closing after a start does nothing). */
    interface Prestart extends AutoCloseable {
        /**
         * Starts {@code image}, which must have the shape given to {@link #prestart}.
         *
         * @throws IllegalArgumentException when it has another shape
         * @throws IllegalStateException when already started or closed
         */
        RunningVm start(GuestImage image, ConsoleListener console);

        /**
         * Starts writing {@code regions}, the file-backed regions the image to come will hold (its
         * kernel), into the guest's memory while the rest of the image is built; {@link #start}
         * then writes only what is not there yet. Returns at once. An implementation that writes
         * ahead fails {@link #start} when {@code regions} holds one the image does not. Default:
         * nothing is written ahead, and {@link #start} writes everything.
         */
        default void preload(List<MemoryRegion> regions) {
        }

        /** Releases what was made ready (ends a process started ahead), unless started. */
        @Override
        void close();
    }

    record Availability(boolean available, String reason) {
        public static Availability yes(String why) {
            return new Availability(true, why);
        }

        public static Availability no(String whyAndFix) {
            return new Availability(false, whyAndFix);
        }
    }
}
