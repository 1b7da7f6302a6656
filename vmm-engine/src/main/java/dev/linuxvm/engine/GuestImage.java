package dev.linuxvm.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a guest sees at its first instruction: RAM size and placement, every byte the
 * engine put into memory, and the boot CPU's registers. Backends (KVM, QEMU) only execute a
 * {@code GuestImage}; they never load or generate anything themselves.
 */
public final class GuestImage {
    private final Arch arch;
    private final long ramBase;
    private final long ramSize;
    private final int cpus;
    private final List<MemoryRegion> regions;
    private final BootCpuState bootState;
    private final String cmdline;
    private final Map<String, byte[]> artifacts;

    private GuestImage(Builder b) {
        this.arch = Objects.requireNonNull(b.arch, "arch");
        this.ramBase = b.ramBase;
        this.ramSize = b.ramSize;
        if (b.cpus < 1) {
            throw new VmmException("guest layout error: " + b.cpus + " vCPUs: need at least 1");
        }
        this.cpus = b.cpus;
        this.bootState = Objects.requireNonNull(b.bootState, "boot CPU state");
        this.cmdline = Objects.requireNonNull(b.cmdline, "cmdline");
        List<MemoryRegion> sorted = new ArrayList<>(b.regions);
        sorted.sort(Comparator.comparingLong(MemoryRegion::address));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i - 1).overlaps(sorted.get(i))) {
                throw new VmmException("guest layout error: " + sorted.get(i - 1) + " overlaps " + sorted.get(i));
            }
        }
        long ramEnd = Math.addExact(ramBase, ramSize);
        for (MemoryRegion r : sorted) {
            if (r.address() < ramBase || r.end() > ramEnd) {
                throw new VmmException(String.format(
                        "guest layout error: %s is outside guest RAM [0x%x-0x%x): give the guest more memory",
                        r, ramBase, ramEnd));
            }
        }
        this.regions = List.copyOf(sorted);
        this.artifacts = Map.copyOf(b.artifacts);
    }

    public static Builder builder(Arch arch) {
        return new Builder(arch);
    }

    public Arch arch() {
        return arch;
    }

    /** Guest physical address where RAM starts (x86_64: 0; aarch64 virt: 0x4000_0000). */
    public long ramBase() {
        return ramBase;
    }

    public long ramSize() {
        return ramSize;
    }

    /** Number of vCPUs; the firmware tables (MADT, DT cpus) describe exactly this many. */
    public int cpus() {
        return cpus;
    }

    /** Regions ordered by address, non-overlapping, all inside RAM. */
    public List<MemoryRegion> regions() {
        return regions;
    }

    public BootCpuState bootState() {
        return bootState;
    }

    /** The kernel command line the guest was given. */
    public String cmdline() {
        return cmdline;
    }

    /**
     * Generated firmware blobs by file name ("DSDT.aml", "guest.dtb"), for reports and for
     * checking with reference tools. Their bytes are also in {@link #regions()}.
     */
    public Map<String, byte[]> artifacts() {
        return artifacts;
    }

    public static final class Builder {
        private final Arch arch;
        private long ramBase;
        private long ramSize;
        private int cpus = 1;
        private final List<MemoryRegion> regions = new ArrayList<>();
        private BootCpuState bootState;
        private String cmdline = "";
        private final Map<String, byte[]> artifacts = new LinkedHashMap<>();

        private Builder(Arch arch) {
            this.arch = arch;
        }

        public Builder ram(long base, long size) {
            this.ramBase = base;
            this.ramSize = size;
            return this;
        }

        public Builder cpus(int cpus) {
            this.cpus = cpus;
            return this;
        }

        public Builder region(MemoryRegion region) {
            regions.add(region);
            return this;
        }

        public Builder bootState(BootCpuState state) {
            this.bootState = state;
            return this;
        }

        public Builder cmdline(String cmdline) {
            this.cmdline = cmdline;
            return this;
        }

        public Builder artifact(String fileName, byte[] bytes) {
            artifacts.put(fileName, bytes);
            return this;
        }

        public GuestImage build() {
            return new GuestImage(this);
        }
    }
}
