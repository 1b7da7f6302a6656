package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.VmmException.Kind;
import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.DataPort;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.RamRange;
import dev.linuxvm.engine.Arm64BootState;
import dev.linuxvm.engine.X86BootState;
import dev.linuxvm.engine.boot.arm64.Arm64Layout;
import dev.linuxvm.engine.boot.x86.X86Layout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code qemu-system-*} arguments that run a {@link GuestImage} and nothing else, and the
 * files they name. Pure: nothing is written or started here.
 *
 * <p>Both arches: {@code -nodefaults -no-user-config -display none} (no devices or config we did
 * not ask for), {@code -no-reboot} (a guest reset ends QEMU), {@code -S} (the CPU waits until the
 * executor has connected the QMP monitor and opened the serial port and sends {@code cont}, so no
 * byte and no event is lost), the serial port and QMP each on two FIFOs ({@code pipe} chardev)
 * in the private work directory, and every region's initialised bytes through
 * {@code -device loader,file=…,addr=…,force-raw=on} (zero-extension needs nothing: RAM starts
 * zeroed).
 */
public final class QemuCommandLine {
    // No String.format on the way to QEMU's start: its first call costs a cold JVM 5-10 ms (the CLI's start).
    /** The serial port's two FIFOs: QEMU reads {@code serial.in} and writes {@code serial.out}. */
    static final String SERIAL_PIPE = "serial";
    /** QMP's two FIFOs, as the serial port's: QEMU reads {@code qmp.in} and writes {@code qmp.out}. */
    static final String QMP_PIPE = "qmp";
    /** The data port's two FIFOs, as the serial port's. */
    static final String DATA_PIPE = "data";
    static final String RESET_ROM = "reset-rom.bin";
    static final String TRAMPOLINE = "trampoline.bin";
    static final String ENTRY_SLOT_FILE = "entry-slot.bin";
    /** Bytes at the top of the arm64 firmware window kept for the boot trampoline. */
    static final int ARM64_TRAMPOLINE_SLOT = 0x40;
    /**
     * Where the arm64 boot trampoline goes and the boot CPU starts: the last
     * {@link #ARM64_TRAMPOLINE_SLOT} bytes below {@link Arm64Layout#KERNEL_BASE}, at the top of
     * the firmware window the engine fills from the bottom. A fixed address, so that QEMU's
     * command line does not depend on the image.
     */
    static final long ARM64_TRAMPOLINE = Arm64Layout.KERNEL_BASE - ARM64_TRAMPOLINE_SLOT;
    static final String RAM_BACKEND_ID = "ram0";

    /**
     * The x86 CPU under TCG: {@code max} without ERMS and FSRM. With them the kernel copies and
     * clears pages with {@code rep movsb}/{@code stosb}, which TCG runs one byte per iteration
     * ({@code rep movsq}: eight); no ISA level (x86-64-v2..v4) needs either flag, so every guest
     * that runs on {@code max} runs here. QEMU's CPU time to power-off, --exec true, median of 5
     * interleaved: max 2.02 s, this 1.89 s, qemu64 1.92 s, EPYC 1.99 s (vmm-engine/README.md).
     */
    static final String TCG_X86_CPU = "max,-erms,-fsrm";
    private static final long MIB = 1L << 20;

    private QemuCommandLine() {
    }

    /** How QEMU executes guest code. */
    public enum Accelerator {
        /** QEMU's TCG binary translator; works everywhere. */
        TCG("tcg"),
        /** Hardware virtualization through /dev/kvm (same-architecture guests only). */
        KVM("kvm");

        private final String qemuName;

        Accelerator(String qemuName) {
            this.qemuName = qemuName;
        }

        public String qemuName() {
            return qemuName;
        }
    }

    /**
     * The arguments (binary first), the files they refer to, by path, and what the executor writes
     * into a {@link Ram.Filled} RAM file or a {@link Ram.Template}'s mapping ({@code ramWrites};
     * empty for every other {@link Ram}).
     *
     * @param serialPipe the serial port's FIFOs without their {@code .in}/{@code .out} suffix,
     *                   which the wrapper creates before QEMU starts ({@link QemuVm#WRAPPER})
     * @param qmpPipe    QMP's FIFOs, likewise
     * @param dataPipe   the data port's FIFOs, likewise, when the guest has one
     */
    public record Invocation(List<String> args, Map<Path, byte[]> files, List<RamWrite> ramWrites, Path serialPipe,
                             Path qmpPipe, Optional<Path> dataPipe) {
        public Invocation {
            ramWrites = List.copyOf(ramWrites);
        }
    }

    /**
     * Bytes at byte {@code offset} of a {@link Ram.Filled} file (the guest address, mapped):
     * {@code data}, or, for a region read from a file ({@link MemoryRegion#file()}),
     * {@code length} bytes of that file, copied file to file without passing through the heap.
     */
    public record RamWrite(long offset, byte[] data, Optional<MemoryRegion.FileSlice> file, int length) {
        public RamWrite(long offset, byte[] data) {
            this(offset, data, Optional.empty(), data.length);
        }

        static RamWrite of(long offset, MemoryRegion region) {
            return region.file().isPresent() ? new RamWrite(offset, null, region.file(), region.length())
                    : new RamWrite(offset, region.data());
        }
    }

    /**
     * Where the guest's RAM lives. A snapshot's template maps a file shared, so its RAM is the
     * file; the clones map the same file private (copy-on-write), so their writes stay theirs.
     */
    public sealed interface Ram {
        /** QEMU's own anonymous memory ({@code -m} alone): the default, cannot be snapshotted. */
        record Anonymous() implements Ram {
        }

        /** {@code memory-backend-file,share=on}: guest writes land in {@code file} (a template). */
        record SharedFile(Path file) implements Ram {
        }

        /** {@code memory-backend-file,share=off}: {@code file} mapped copy-on-write (a clone). */
        record PrivateFile(Path file) implements Ram {
        }

        /**
         * {@code memory-backend-file,share=on} over a tmpfs file into which the executor writes
         * the regions itself ({@link Invocation#ramWrites}) while QEMU starts, instead of
         * {@code -device loader} files: no region file is written and read back, QEMU copies
         * nothing, and QEMU's start-up overlaps the writes (it runs nothing before {@code cont}).
         */
        record Filled(Path file) implements Ram {
        }

        /**
         * {@code memory-backend-file,share=off} over a {@link RamTemplate}'s file, which holds the
         * kernel already: QEMU maps it copy-on-write, and the executor writes the rest of the
         * regions ({@link Invocation#ramWrites}, less what the template holds) into QEMU's
         * mapping before {@code cont} ({@link QemuVm.ProcessFill}).
         */
        record Template(Path file) implements Ram {
        }
    }

    /** The machine of a snapshot's clone: everything but the regions, which its RAM file already holds. */
    record RestoredMachine(Arch arch, int cpus, long ramSize, Accelerator accel, Path ramFile, Path resetRom,
                           Optional<DataPort> dataPort) {
    }

    /**
     * What the command line depends on: the machine, not what is loaded into it. QEMU can start
     * from this alone ({@link QemuBackend#prestart}) while the engine still builds the image,
     * whose bytes then go into the RAM file ({@link #loads}).
     */
    record Machine(Arch arch, long ramSize, int cpus, Optional<DataPort> dataPort) {
        static Machine of(GuestImage image) {
            return new Machine(image.arch(), image.ramSize(), image.cpus(), image.dataPort());
        }

        /** {@link #equals} without the record's bootstrap, which costs a cold JVM 10 ms (measured at the CLI's start). */
        boolean sameAs(Machine o) {
            return arch == o.arch && ramSize == o.ramSize && cpus == o.cpus
                    && dataPort.isPresent() == o.dataPort.isPresent()
                    && (dataPort.isEmpty() || dataPort.get().equals(o.dataPort.get()));
        }
    }

    public static Invocation build(GuestImage image, Path binary, Path workDir, Accelerator accel) {
        return build(image, binary, workDir, accel, new Ram.Anonymous());
    }

    public static Invocation build(GuestImage image, Path binary, Path workDir, Accelerator accel, Ram ram) {
        X86BootState x86 = image.bootState().match(s -> s, arm64 -> null);
        Invocation machine = machine(Machine.of(image), x86, binary, workDir, accel, ram);
        Invocation loads = loads(image, workDir, ram);
        List<String> args = new ArrayList<>(machine.args());
        args.addAll(loads.args());
        Map<Path, byte[]> files = new LinkedHashMap<>(machine.files());
        files.putAll(loads.files());
        return new Invocation(List.copyOf(args), files, loads.ramWrites(), machine.serialPipe(), machine.qmpPipe(),
                machine.dataPipe());
    }

    /**
     * The machine's arguments and files (x86: the reset ROM, built from {@code x86} with the
     * kernel entry left to {@link X86ResetRom#ENTRY_SLOT}; arm64: the loader device that starts
     * the boot CPU at {@link #ARM64_TRAMPOLINE}), with no region loaded.
     */
    static Invocation machine(Machine m, X86BootState x86, Path binary, Path workDir, Accelerator accel, Ram ram) {
        checkRam(m.arch(), m.ramSize());
        checkWorkDir(workDir);
        Map<Path, byte[]> files = new LinkedHashMap<>();
        List<String> args = new ArrayList<>();
        args.add(binary.toString());
        if (m.arch() == Arch.X86_64) {
            x86Machine(accel, args);
            commonArgs(m.ramSize(), m.cpus(), ram, workDir, args);
            Path rom = workDir.resolve(RESET_ROM);
            files.put(rom, X86ResetRom.build(x86));
            x86Devices(rom, args);
        } else {
            arm64Machine(accel, args);
            commonArgs(m.ramSize(), m.cpus(), ram, workDir, args);
            args.addAll(List.of("-device", "loader,addr=0x" + Long.toHexString(ARM64_TRAMPOLINE) + ",cpu-num=0"));
        }
        m.dataPort().ifPresent(port -> dataPort(port, workDir, args));
        return new Invocation(List.copyOf(args), files, List.of(), workDir.resolve(SERIAL_PIPE), workDir.resolve(QMP_PIPE),
                m.dataPort().map(p -> workDir.resolve(DATA_PIPE)));
    }

    /**
     * What goes into the guest's RAM before {@code cont}: every region with initialised bytes,
     * and x86 the kernel entry in {@link X86ResetRom#ENTRY_SLOT}, arm64 the boot trampoline;
     * {@code -device loader} arguments and files, or {@link RamWrite}s for a {@link Ram.Filled}
     * file. Only the args, files and RAM writes of the result are meaningful.
     */
    static Invocation loads(GuestImage image, Path workDir, Ram ram) {
        checkRam(image);
        Map<Path, byte[]> files = new LinkedHashMap<>();
        List<RamWrite> ramWrites = new ArrayList<>();
        List<String> args = new ArrayList<>();
        Loads loads = new Loads(image, workDir, ram instanceof Ram.Filled || ram instanceof Ram.Template, files, ramWrites, args);
        image.bootState().match(
                x86 -> {
                    x86Loads(image, x86, workDir, loads);
                    return null;
                },
                arm64 -> {
                    arm64Loads(image, arm64, workDir, loads);
                    return null;
                });
        return new Invocation(List.copyOf(args), files, ramWrites, workDir.resolve(SERIAL_PIPE), workDir.resolve(QMP_PIPE),
                Optional.empty());
    }

    /**
     * A clone of a snapshot: the template's machine with its RAM file mapped private and
     * {@code -incoming defer} (the executor feeds it the saved device and CPU state over QMP).
     * No {@code -device loader}: QEMU does not copy ROM blobs into RAM while a migration is
     * incoming (hw/core/loader.c rom_reset), the loader devices carry no migration state, and
     * each would cost the clone a heap copy of its file. The x86 {@code -bios} file stays: it
     * sizes the {@code pc.bios} RAM block, whose bytes then come with the state.
     */
    static Invocation restore(RestoredMachine m, Path binary, Path workDir) {
        checkWorkDir(workDir);
        List<String> args = new ArrayList<>();
        args.add(binary.toString());
        Ram ram = new Ram.PrivateFile(m.ramFile());
        if (m.arch() == Arch.X86_64) {
            x86Machine(m.accel(), args);
            commonArgs(m.ramSize(), m.cpus(), ram, workDir, args);
            x86Devices(m.resetRom(), args);
        } else {
            arm64Machine(m.accel(), args);
            commonArgs(m.ramSize(), m.cpus(), ram, workDir, args);
        }
        m.dataPort().ifPresent(port -> dataPort(port, workDir, args)); // migration needs the template's devices
        args.addAll(List.of("-incoming", "defer"));
        return new Invocation(List.copyOf(args), Map.of(), List.of(), workDir.resolve(SERIAL_PIPE), workDir.resolve(QMP_PIPE),
                m.dataPort().map(p -> workDir.resolve(DATA_PIPE)));
    }

    /**
     * The data port: a virtio-serial device on the transport the tables describe (QEMU names
     * the machine's transports virtio-mmio-bus.0, .1 ... by address on both microvm and virt;
     * without {@code bus=} a device takes the last free one), and on it one
     * {@code virtserialport} (port 1: port 0 is reserved for a virtconsole) named
     * {@link DataPort#NAME}, whose bytes go through two FIFOs the executor opens.
     */
    private static void dataPort(DataPort port, Path workDir, List<String> args) {
        args.addAll(List.of("-chardev", "pipe,id=data0,path=" + workDir.resolve(DATA_PIPE)));
        args.addAll(List.of("-device", "virtio-serial-device,bus=virtio-mmio-bus." + port.transport()));
        args.addAll(List.of("-device", "virtserialport,chardev=data0,nr=1,name=" + DataPort.NAME));
    }

    private static void checkWorkDir(Path workDir) {
        if (workDir.toString().contains(",")) {
            throw new QemuException("work directory " + workDir + " contains a comma, which QEMU's option syntax cannot take: set java.io.tmpdir elsewhere");
        }
    }

    private static void x86Loads(GuestImage image, X86BootState state, Path workDir, Loads loads) {
        long romLow = X86ResetRom.LOW_ALIAS_BASE;
        for (MemoryRegion r : image.regions()) {
            if (r.address() < romLow + X86ResetRom.SIZE && r.end() > romLow) {
                throw new QemuException(Kind.INTERNAL, String.format(
                        "%s overlaps the QEMU executor's reset ROM at [0x%x-0x100000): keep 0xF0000-0xFFFFF free of regions",
                        r, romLow));
            }
            if (r.address() < X86ResetRom.ENTRY_SLOT + 8 && r.end() > X86ResetRom.ENTRY_SLOT) {
                throw new QemuException(Kind.INTERNAL, String.format(
                        "%s overlaps the reset ROM's kernel entry slot at 0x%x: keep those 8 bytes free of regions",
                        r, X86ResetRom.ENTRY_SLOT));
            }
        }
        loads.regions();
        loads.load(workDir.resolve(ENTRY_SLOT_FILE), X86ResetRom.ENTRY_SLOT, X86ResetRom.entrySlot(state));
    }

    private static void x86Machine(Accelerator accel, List<String> args) {
        // microvm: no PCI, no firmware tables in guest memory. acpi=off: QEMU builds no ACPI
        // (with our -bios nothing would copy its fw_cfg tables anyway); ioapic2=off: only the
        // IOAPIC at X86Layout.IOAPIC_START that the engine's MADT describes; x-option-roms=off;
        // PIT, PIC, RTC and the ISA 16550 at COM1 (X86Layout.COM1_PORT/COM1_IRQ) on, as on a PC.
        // QEMU fixes those addresses itself; X86CommandLineAgreementTest checks them against the layout.
        args.addAll(List.of("-M", "microvm,acpi=off,pcie=off,ioapic2=off,usb=off,x-option-roms=off,"
                + "pit=on,pic=on,rtc=on,isa-serial=on,auto-kernel-cmdline=off"));
        args.addAll(List.of("-accel", accel.qemuName()));
        // TCG: max gives the guest every feature TCG emulates; its TSC is the host's, so the
        // engine's tsc_early_khz= (QemuHost.tscKhz()) holds. KVM: the host CPU as it is.
        args.addAll(List.of("-cpu", accel == Accelerator.KVM ? "host" : TCG_X86_CPU));
    }

    private static void x86Devices(Path resetRom, List<String> args) {
        args.addAll(List.of("-bios", resetRom.toString()));
        // The FADT's SLEEP_CONTROL_REG: the kernel's S5 write (0x34) exits QEMU with status 105
        // (QemuVm.isPowerOffStatus). Not SLEEP_STATUS_PORT, which gets WAK_STS written first.
        args.addAll(List.of("-device", "isa-debug-exit,iobase=0x" + Integer.toHexString(X86Layout.SLEEP_CONTROL_PORT) + ",iosize=2"));
    }

    private static void arm64Loads(GuestImage image, Arm64BootState state, Path workDir, Loads loads) {
        long qemuDtbEnd = Arm64Layout.FIRMWARE_BASE;
        for (MemoryRegion r : image.regions()) {
            if (r.address() < qemuDtbEnd) {
                throw new QemuException(Kind.INTERNAL, String.format(
                        "%s is below 0x%x: QEMU virt writes its own DTB into the first MiB of RAM; place blobs at or above RAM + 1 MiB",
                        r, qemuDtbEnd));
            }
            if (r.address() < ARM64_TRAMPOLINE + Arm64Trampoline.SIZE && r.end() > ARM64_TRAMPOLINE) {
                throw new QemuException(Kind.INTERNAL, String.format(
                        "%s overlaps the boot trampoline at 0x%x, the last %d bytes of the firmware window below the kernel",
                        r, ARM64_TRAMPOLINE, ARM64_TRAMPOLINE_SLOT));
            }
        }
        loads.regions();
        loads.load(workDir.resolve(TRAMPOLINE), ARM64_TRAMPOLINE, Arm64Trampoline.encode(state));
    }

    private static void arm64Machine(Accelerator accel, List<String> args) {
        // acpi=off: QEMU builds no ACPI tables of its own. Only firmware would read them (through
        // fw_cfg), and there is none: the guest's ACPI tables are the engine's. Without a firmware
        // the machine's devices are the same either way (the GPIO controller, not the GED).
        // Measured: QEMU answers QMP 1.8 ms sooner (27.0 against 28.8 ms, median of 21).
        args.addAll(List.of("-M", "virt,gic-version=3,acpi=off"));
        args.addAll(List.of("-accel", accel.qemuName()));
        // cortex-a57 under TCG: -cpu max emulates pointer authentication and boots 4x slower.
        args.addAll(List.of("-cpu", accel == Accelerator.KVM ? "host" : "cortex-a57"));
    }

    private static void checkRam(Arch arch, long ramSize) {
        if (ramSize % MIB != 0 || ramSize == 0) {
            throw new QemuException(Kind.BAD_INPUT, String.format("guest RAM size 0x%x is not a whole number of MiB: QEMU's -m takes MiB", ramSize));
        }
    }

    private static void checkRam(GuestImage image) {
        checkRam(image.arch(), image.ramSize());
        long expectedBase = image.arch() == Arch.X86_64 ? 0 : Arm64Layout.RAM_BASE;
        if (image.ramBase() != expectedBase) {
            throw new QemuException(Kind.INTERNAL, String.format("%s guest RAM starts at 0x%x, but QEMU's machine puts it at 0x%x: use the platform layout",
                    image.arch(), image.ramBase(), expectedBase));
        }
        // QEMU splits the RAM itself from -m alone (microvm: [0, 3 GiB) + from 4 GiB; virt: one
        // range at 0x4000_0000), so the image's ranges must be exactly that split.
        List<RamRange> qemu = qemuRamRanges(image.arch(), image.ramSize());
        if (!sameRanges(image.ramRanges(), qemu)) {
            throw new QemuException(Kind.INTERNAL, String.format("%s guest RAM is %s, but QEMU's machine maps -m %d as %s: use the platform layout",
                    image.arch(), image.ramRanges(), image.ramSize() / MIB, qemu));
        }
    }

    /** {@code a.equals(b)} without the records' equals bootstrap, which costs a cold JVM 10 ms (the CLI's start). */
    private static boolean sameRanges(List<RamRange> a, List<RamRange> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).base() != b.get(i).base() || a.get(i).size() != b.get(i).size()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Where QEMU's machine puts {@code ramSize} bytes of {@code -m}: {@code virt} one range at
     * {@link Arm64Layout#RAM_BASE} (hw/arm/virt.c VIRT_MEM); {@code microvm} up to
     * {@link X86Layout#MMIO_HOLE_START} at 0 and the rest at {@link X86Layout#HIGH_RAM_START}
     * (measured on QEMU 7.2 with {@code info mtree -f}: vmm-engine/README.md, "Guest RAM sizes").
     */
    static List<RamRange> qemuRamRanges(Arch arch, long ramSize) {
        if (arch == Arch.AARCH64) {
            return List.of(new RamRange(Arm64Layout.RAM_BASE, ramSize));
        }
        long low = Math.min(ramSize, X86Layout.MMIO_HOLE_START);
        if (ramSize == low) {
            return List.of(new RamRange(0, low));
        }
        return List.of(new RamRange(0, low), new RamRange(X86Layout.HIGH_RAM_START, ramSize - low));
    }

    private static void commonArgs(long ramSize, int cpus, Ram ram, Path workDir, List<String> args) {
        args.addAll(List.of("-m", Long.toString(ramSize / MIB)));
        if (ram instanceof Ram.SharedFile f) {
            memoryBackendFile(ramSize, f.file(), true, args);
        } else if (ram instanceof Ram.Filled f) {
            memoryBackendFile(ramSize, f.file(), true, args);
        } else if (ram instanceof Ram.PrivateFile f) {
            memoryBackendFile(ramSize, f.file(), false, args);
        } else if (ram instanceof Ram.Template t) {
            memoryBackendFile(ramSize, t.file(), false, args);
        }
        args.addAll(List.of("-smp", Integer.toString(cpus)));
        args.addAll(List.of("-nodefaults", "-no-user-config", "-display", "none", "-no-reboot", "-S"));
        args.addAll(List.of("-chardev", "pipe,id=ser0,path=" + workDir.resolve(SERIAL_PIPE)));
        args.addAll(List.of("-serial", "chardev:ser0"));
        args.addAll(List.of("-chardev", "pipe,id=qmp0,path=" + workDir.resolve(QMP_PIPE)));
        args.addAll(List.of("-mon", "chardev=qmp0,mode=control"));
    }

    /**
     * The machine's RAM as one file-backed block; microvm still splits it around the 32-bit
     * hole itself (aliases into the one block), virt maps it whole, so {@link #qemuRamRanges}
     * holds either way. {@code -m} stays: QEMU checks it equals the backend's size.
     */
    private static void memoryBackendFile(long ramSize, Path file, boolean shared, List<String> args) {
        if (file.toString().contains(",")) {
            throw new QemuException("guest RAM file " + file + " contains a comma, which QEMU's option syntax cannot take:"
                    + " set QemuBackend.Builder.ramRoot elsewhere");
        }
        args.addAll(List.of("-object", "memory-backend-file,id=" + RAM_BACKEND_ID + ",size=" + ramSize / MIB + "M,mem-path="
                + file + ",share=" + (shared ? "on" : "off")));
        args.addAll(List.of("-machine", "memory-backend=" + RAM_BACKEND_ID));
    }

    /**
     * Where initialised bytes go: a {@code -device loader} file each, or, for a {@link Ram.Filled}
     * RAM file, a {@link RamWrite} at the address's offset in that file.
     */
    private record Loads(GuestImage image, Path workDir, boolean filled, Map<Path, byte[]> files, List<RamWrite> ramWrites,
                         List<String> args) {
        /** Every region with initialised bytes (all zero needs nothing: RAM starts zeroed). */
        void regions() {
            int i = 0;
            for (MemoryRegion r : image.regions()) {
                if (r.length() == 0) {
                    continue;
                }
                Path file = workDir.resolve("region-" + (i < 10 ? "0" : "") + i++ + ".bin");
                if (filled) {
                    ramWrites.add(RamWrite.of(ramFileOffset(image.arch(), image.ramSize(), r.address(), r.length()), r));
                } else {
                    load(file, r.address(), r.data());
                }
            }
        }

        void load(Path file, long address, byte[] data) {
            if (filled) {
                ramWrites.add(new RamWrite(ramFileOffset(image.arch(), image.ramSize(), address, data.length), data));
            } else {
                files.put(file, data);
                args.addAll(List.of("-device", loader(file, address)));
            }
        }
    }

    /**
     * The offset of guest address {@code address} in the machine's one RAM block: the
     * {@link #qemuRamRanges} laid end to end (microvm's RAM above 4 GiB follows the low part).
     */
    static long ramFileOffset(Arch arch, long ramSize, long address, long length) {
        long offset = 0;
        for (RamRange r : qemuRamRanges(arch, ramSize)) {
            if (address >= r.base() && address + length <= r.base() + r.size()) {
                return offset + (address - r.base());
            }
            offset += r.size();
        }
        throw new QemuException(Kind.INTERNAL, String.format("[0x%x-0x%x) is not inside the guest's RAM %s",
                address, address + length, qemuRamRanges(arch, ramSize)));
    }

    private static String loader(Path file, long address) {
        return "loader,file=" + file + ",addr=0x" + Long.toHexString(address) + ",force-raw=on";
    }
}
