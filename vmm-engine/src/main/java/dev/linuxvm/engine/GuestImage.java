package dev.linuxvm.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a guest sees at its first instruction: RAM size and placement, every byte the
 * engine put into memory, and the boot CPU's registers. Backends (KVM, QEMU) only execute a
 * {@code GuestImage}; they never load or generate anything themselves.
 */
public final class GuestImage {
    private final Arch arch;
    private final List<RamRange> ram;
    private final int cpus;
    private final List<MemoryRegion> regions;
    private final BootCpuState bootState;
    private final String cmdline;
    private final Map<String, byte[]> artifacts;
    private final Optional<DataPort> dataPort;

    private GuestImage(Builder b) {
        this.arch = Objects.requireNonNull(b.arch, "arch");
        if (b.ram.isEmpty()) {
            throw new VmmException(VmmException.Kind.INTERNAL, "guest layout error: no guest RAM given");
        }
        List<RamRange> ranges = new ArrayList<>(b.ram);
        ranges.sort(Comparator.comparingLong(RamRange::base));
        for (int i = 1; i < ranges.size(); i++) {
            if (ranges.get(i - 1).end() > ranges.get(i).base()) {
                throw new VmmException(VmmException.Kind.INTERNAL, "guest layout error: " + ranges.get(i - 1) + " overlaps " + ranges.get(i));
            }
        }
        this.ram = List.copyOf(ranges);
        if (b.cpus < 1) {
            throw new VmmException(VmmException.Kind.INTERNAL, "guest layout error: " + b.cpus + " vCPUs: need at least 1");
        }
        this.cpus = b.cpus;
        this.bootState = Objects.requireNonNull(b.bootState, "boot CPU state");
        Arch stateArch = bootState.match(x86 -> Arch.X86_64, arm64 -> Arch.AARCH64);
        if (stateArch != b.arch) {
            throw new VmmException(VmmException.Kind.INTERNAL, "guest layout error: an " + b.arch + " guest with an "
                    + stateArch + " boot state");
        }
        this.cmdline = Objects.requireNonNull(b.cmdline, "cmdline");
        List<MemoryRegion> sorted = new ArrayList<>(b.regions);
        sorted.sort(Comparator.comparingLong(MemoryRegion::address));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i - 1).overlaps(sorted.get(i))) {
                throw new VmmException(VmmException.Kind.INTERNAL, "guest layout error: " + sorted.get(i - 1) + " overlaps " + sorted.get(i));
            }
        }
        for (MemoryRegion r : sorted) {
            if (ram.stream().noneMatch(range -> range.contains(r.address(), r.size()))) {
                throw new VmmException(VmmException.Kind.INTERNAL, String.format(
                        "guest layout error: %s is outside guest RAM %s: give the guest more memory", r, ram));
            }
        }
        this.regions = List.copyOf(sorted);
        this.artifacts = Map.copyOf(b.artifacts);
        this.dataPort = Optional.ofNullable(b.dataPort);
    }

    public static Builder builder(Arch arch) {
        return new Builder(arch);
    }

    public Arch arch() {
        return arch;
    }

    /** Guest physical address where RAM starts (x86_64: 0; aarch64 virt: 0x4000_0000). */
    public long ramBase() {
        return ram.get(0).base();
    }

    /** Bytes of guest RAM in all ranges together (what the user asked for). */
    public long ramSize() {
        return ram.stream().mapToLong(RamRange::size).sum();
    }

    /**
     * Where the RAM is, ordered by address and non-overlapping: one range unless the layout
     * leaves a hole (x86_64 above 3 GiB). Backends map exactly these.
     */
    public List<RamRange> ramRanges() {
        return ram;
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

    /**
     * The data port the firmware tables describe, if any: the executor must attach a
     * virtio-console at exactly that transport.
     */
    public Optional<DataPort> dataPort() {
        return dataPort;
    }

    public static final class Builder {
        private final Arch arch;
        private final List<RamRange> ram = new ArrayList<>();
        private int cpus = 1;
        private final List<MemoryRegion> regions = new ArrayList<>();
        private BootCpuState bootState;
        private String cmdline = "";
        private final Map<String, byte[]> artifacts = new LinkedHashMap<>();
        private DataPort dataPort;

        private Builder(Arch arch) {
            this.arch = arch;
        }

        /** RAM as one range. */
        public Builder ram(long base, long size) {
            return ram(List.of(new RamRange(base, size)));
        }

        /** RAM as the given ranges, replacing any given before. */
        public Builder ram(List<RamRange> ranges) {
            ram.clear();
            ram.addAll(ranges);
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

        /** The data port the tables describe (see {@link GuestImage#dataPort()}). */
        public Builder dataPort(DataPort port) {
            this.dataPort = port;
            return this;
        }

        public GuestImage build() {
            return new GuestImage(this);
        }
    }
}
