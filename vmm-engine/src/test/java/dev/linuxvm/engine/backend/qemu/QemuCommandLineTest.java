package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.DataPort;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.VmmException;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.X86BootState;
import dev.linuxvm.engine.RamRange;
import dev.linuxvm.engine.boot.arm64.Arm64Layout;
import dev.linuxvm.engine.boot.x86.X86GuestBuilder;
import dev.linuxvm.engine.backend.qemu.QemuCommandLine.Accelerator;
import dev.linuxvm.engine.Arm64BootState;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QemuCommandLineTest {
    private static final Path WORK = Path.of("/tmp/w");

    @Test
    void x86_64_runs_microvm_with_the_reset_rom_debug_exit_and_one_loader_per_region() {
        QemuCommandLine.Invocation inv = QemuCommandLine.build(
                TestGuests.x86(TestGuests.X86_LOOP, "x"), Path.of("/usr/bin/qemu-system-x86_64"), WORK, Accelerator.TCG);
        assertThat(inv.args()).containsExactly(
                "/usr/bin/qemu-system-x86_64",
                "-M", "microvm,acpi=off,pcie=off,ioapic2=off,usb=off,x-option-roms=off,pit=on,pic=on,rtc=on,isa-serial=on,auto-kernel-cmdline=off",
                "-accel", "tcg",
                "-cpu", "max,-erms,-fsrm",
                "-m", "128",
                "-smp", "1",
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot", "-S",
                "-chardev", "pipe,id=ser0,path=/tmp/w/serial",
                "-serial", "chardev:ser0",
                "-chardev", "pipe,id=qmp0,path=/tmp/w/qmp",
                "-mon", "chardev=qmp0,mode=control",
                "-bios", "/tmp/w/reset-rom.bin",
                "-device", "isa-debug-exit,iobase=0x604,iosize=2",
                "-device", "loader,file=/tmp/w/region-00.bin,addr=0x1000,force-raw=on",      // gdt
                "-device", "loader,file=/tmp/w/region-01.bin,addr=0x2000,force-raw=on",      // rsi text
                "-device", "loader,file=/tmp/w/region-02.bin,addr=0x4000,force-raw=on",      // page tables
                "-device", "loader,file=/tmp/w/region-03.bin,addr=0x100000,force-raw=on",    // code
                "-device", "loader,file=/tmp/w/entry-slot.bin,addr=0x1ff8,force-raw=on");    // the ROM's entry
        assertThat(inv.files()).containsOnlyKeys(
                WORK.resolve("reset-rom.bin"), WORK.resolve("region-00.bin"), WORK.resolve("region-01.bin"),
                WORK.resolve("region-02.bin"), WORK.resolve("region-03.bin"), WORK.resolve("entry-slot.bin"));
        assertThat(inv.files().get(WORK.resolve("region-03.bin"))).isEqualTo(TestGuests.X86_LOOP);
        assertThat(inv.files().get(WORK.resolve("entry-slot.bin")))
                .isEqualTo(X86ResetRom.entrySlot((X86BootState) TestGuests.x86(TestGuests.X86_LOOP, "x").bootState()));
        assertThat(inv.serialPipe()).isEqualTo(WORK.resolve("serial"));
        assertThat(inv.qmpPipe()).isEqualTo(WORK.resolve("qmp"));
    }

    @Test
    void aarch64_runs_virt_and_starts_cpu0_at_the_trampoline_after_the_regions() {
        QemuCommandLine.Invocation inv = QemuCommandLine.build(
                TestGuests.arm64(TestGuests.ARM_LOOP, "x"), Path.of("qemu-system-aarch64"), WORK, Accelerator.TCG);
        assertThat(inv.args()).containsExactly(
                "qemu-system-aarch64",
                "-M", "virt,gic-version=3,acpi=off",
                "-accel", "tcg",
                "-cpu", "cortex-a57",
                "-m", "128",
                "-smp", "1",
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot", "-S",
                "-chardev", "pipe,id=ser0,path=/tmp/w/serial",
                "-serial", "chardev:ser0",
                "-chardev", "pipe,id=qmp0,path=/tmp/w/qmp",
                "-mon", "chardev=qmp0,mode=control",
                "-device", "loader,addr=0x401fffc0,cpu-num=0",                               // the machine: CPU 0's start
                "-device", "loader,file=/tmp/w/region-00.bin,addr=0x40200000,force-raw=on",  // code
                "-device", "loader,file=/tmp/w/region-01.bin,addr=0x40300000,force-raw=on",  // x0 text
                "-device", "loader,file=/tmp/w/trampoline.bin,addr=0x401fffc0,force-raw=on");
    }

    @Test
    void kvm_uses_the_host_cpu() {
        List<String> x86 = QemuCommandLine.build(TestGuests.x86(TestGuests.X86_LOOP, ""), Path.of("q"), WORK, Accelerator.KVM).args();
        assertThat(String.join(" ", x86)).contains("-accel kvm -cpu host");
        List<String> arm = QemuCommandLine.build(TestGuests.arm64(TestGuests.ARM_LOOP, ""), Path.of("q"), WORK, Accelerator.KVM).args();
        assertThat(String.join(" ", arm)).contains("-accel kvm -cpu host");
    }

    @Test
    void the_trampoline_has_a_fixed_slot_below_the_kernel_and_regions_stay_out_of_it() {
        assertThat(QemuCommandLine.ARM64_TRAMPOLINE).isEqualTo(Arm64Layout.KERNEL_BASE - 0x40).isEqualTo(0x401f_ffc0L);
        assertThat(QemuCommandLine.ARM64_TRAMPOLINE_SLOT).isGreaterThanOrEqualTo(Arm64Trampoline.SIZE);
        GuestImage image = arm(MemoryRegion.of("firmware", 0x4010_0000L, new byte[0x10_0000 - 0x20]));
        assertThatThrownBy(() -> QemuCommandLine.build(image, Path.of("q"), WORK, Accelerator.TCG))
                .isInstanceOf(QemuException.class)
                .hasMessageContaining("firmware [0x40100000-0x401fffe0) overlaps the boot trampoline at 0x401fffc0");
    }

    @Test
    void rejects_x86_regions_over_the_entry_slot() {
        GuestImage image = GuestImage.builder(Arch.X86_64).ram(0, 128 << 20)
                .region(MemoryRegion.of("gdt page", 0x1000L, new byte[4096]))
                .bootState(TestGuests.x86State()).build();
        assertThatThrownBy(() -> QemuCommandLine.build(image, Path.of("q"), WORK, Accelerator.TCG))
                .isInstanceOf(QemuException.class)
                .hasMessageContaining("gdt page [0x1000-0x2000) overlaps the reset ROM's kernel entry slot at 0x1ff8");
    }

    @Test
    void the_machine_alone_is_the_command_line_of_a_full_build_without_its_loads() {
        GuestImage x86 = TestGuests.x86(TestGuests.X86_LOOP, "x");
        QemuCommandLine.Invocation machine = QemuCommandLine.machine(QemuCommandLine.Machine.of(x86),
                (X86BootState) x86.bootState(), Path.of("q"), WORK, Accelerator.TCG, new QemuCommandLine.Ram.Anonymous());
        QemuCommandLine.Invocation full = QemuCommandLine.build(x86, Path.of("q"), WORK, Accelerator.TCG);
        assertThat(full.args()).startsWith(machine.args().toArray(String[]::new));
        assertThat(full.args().subList(machine.args().size(), full.args().size())).allMatch(a -> a.equals("-device") || a.startsWith("loader,file="));
        assertThat(machine.files()).containsOnlyKeys(WORK.resolve(QemuCommandLine.RESET_ROM));
    }

    @Test
    void zero_only_regions_get_no_loader() {
        GuestImage image = arm(new MemoryRegion("bss", 0x4100_0000L, new byte[0], 0x10_0000), MemoryRegion.of("k", 0x4020_0000L, new byte[4]));
        List<String> args = QemuCommandLine.build(image, Path.of("q"), WORK, Accelerator.TCG).args();
        assertThat(args.stream().filter(a -> a.startsWith("loader,file=/tmp/w/region"))).hasSize(1);
    }

    @Test
    void rejects_aarch64_blobs_in_the_first_mib_of_ram() {
        GuestImage image = arm(MemoryRegion.of("dtb", 0x4000_0000L, new byte[16]));
        assertThatThrownBy(() -> QemuCommandLine.build(image, Path.of("q"), WORK, Accelerator.TCG))
                .isInstanceOf(QemuException.class)
                .hasMessageContaining("dtb [0x40000000-0x40000010) is below 0x40100000")
                .hasMessageContaining("place blobs at or above RAM + 1 MiB");
    }

    @Test
    void rejects_x86_regions_over_the_reset_rom() {
        GuestImage image = GuestImage.builder(Arch.X86_64).ram(0, 128 << 20)
                .region(MemoryRegion.of("smbios", 0xF_0000L, new byte[16]))
                .bootState(TestGuests.x86State()).build();
        assertThatThrownBy(() -> QemuCommandLine.build(image, Path.of("q"), WORK, Accelerator.TCG))
                .isInstanceOf(QemuException.class)
                .hasMessageContaining("smbios [0xf0000-0xf0010) overlaps the QEMU executor's reset ROM");
    }

    @Test
    void rejects_ram_that_qemu_cannot_give_in_the_same_place() {
        GuestImage odd = GuestImage.builder(Arch.X86_64).ram(0, (128 << 20) + 4096).bootState(TestGuests.x86State()).build();
        assertThatThrownBy(() -> QemuCommandLine.build(odd, Path.of("q"), WORK, Accelerator.TCG))
                .hasMessageContaining("not a whole number of MiB");
        GuestImage moved = GuestImage.builder(Arch.AARCH64).ram(0x8000_0000L, 128 << 20)
                .bootState(new Arm64BootState(0x8020_0000L, 0)).build();
        assertThatThrownBy(() -> QemuCommandLine.build(moved, Path.of("q"), WORK, Accelerator.TCG))
                .hasMessageContaining("aarch64 guest RAM starts at 0x80000000, but QEMU's machine puts it at 0x40000000");
        // 3.5 GiB in one piece runs into the 32-bit hole, where microvm puts no RAM
        GuestImage unsplit = GuestImage.builder(Arch.X86_64).ram(0, 3584L << 20).bootState(TestGuests.x86State()).build();
        assertThatThrownBy(() -> QemuCommandLine.build(unsplit, Path.of("q"), WORK, Accelerator.TCG))
                .isInstanceOf(QemuException.class)
                .hasMessageContaining("x86_64 guest RAM is [RAM [0x0-0xe0000000)], but QEMU's machine maps -m 3584 as"
                        + " [RAM [0x0-0xc0000000), RAM [0x100000000-0x120000000)]");
    }

    @Test
    void takes_ram_above_the_32_bit_hole_where_microvm_and_virt_put_it() {
        for (long mib : new long[] {512, 3072, 3584, 16384}) {
            long bytes = mib << 20;
            GuestImage x86 = GuestImage.builder(Arch.X86_64).ram(X86GuestBuilder.ramRanges(bytes))
                    .bootState(TestGuests.x86State()).build();
            assertThat(QemuCommandLine.build(x86, Path.of("q"), WORK, Accelerator.TCG).args())
                    .containsSubsequence("-m", Long.toString(mib));
            GuestImage arm = GuestImage.builder(Arch.AARCH64).ram(Arm64Layout.RAM_BASE, bytes)
                    .bootState(new Arm64BootState(0x4020_0000L, 0)).build();
            assertThat(QemuCommandLine.build(arm, Path.of("q"), WORK, Accelerator.TCG).args())
                    .containsSubsequence("-m", Long.toString(mib));
        }
        assertThat(QemuCommandLine.qemuRamRanges(Arch.X86_64, 3584L << 20)).containsExactly(
                new RamRange(0, 0xC000_0000L), new RamRange(0x1_0000_0000L, 512L << 20));
        assertThat(QemuCommandLine.qemuRamRanges(Arch.X86_64, 3072L << 20)).containsExactly(new RamRange(0, 0xC000_0000L));
        assertThat(QemuCommandLine.qemuRamRanges(Arch.AARCH64, 16L << 30)).containsExactly(new RamRange(0x4000_0000L, 16L << 30));
    }

    @Test
    void a_snapshot_template_maps_its_ram_file_shared_where_anonymous_ram_would_be() {
        Path ram = Path.of("/dev/shm/s/ram");
        List<String> args = QemuCommandLine.build(TestGuests.x86(TestGuests.X86_LOOP, ""), Path.of("q"), WORK, Accelerator.TCG,
                new QemuCommandLine.Ram.SharedFile(ram)).args();
        assertThat(args).containsSubsequence("-m", "128",
                "-object", "memory-backend-file,id=ram0,size=128M,mem-path=/dev/shm/s/ram,share=on",
                "-machine", "memory-backend=ram0", "-smp", "1");
        assertThat(args).contains("-bios", "/tmp/w/reset-rom.bin").doesNotContain("-incoming");
        assertThat(QemuCommandLine.build(TestGuests.x86(TestGuests.X86_LOOP, ""), Path.of("q"), WORK, Accelerator.TCG).args())
                .noneMatch(a -> a.startsWith("memory-backend"));
    }

    @Test
    void a_clone_of_a_guest_with_a_data_port_gets_the_same_virtio_serial_port_before_its_state_comes_in() {
        QemuCommandLine.Invocation inv = QemuCommandLine.restore(new QemuCommandLine.RestoredMachine(Arch.AARCH64, 1,
                512L << 20, Accelerator.TCG, Path.of("/dev/shm/s/ram"), null, Optional.of(DataPort.of(Arch.AARCH64))),
                Path.of("q"), WORK);
        assertThat(inv.args()).containsSubsequence(
                "-chardev", "pipe,id=data0,path=" + WORK.resolve("data"),
                "-device", "virtio-serial-device,bus=virtio-mmio-bus.0",
                "-device", "virtserialport,chardev=data0,nr=1,name=dev.linuxvm.data",
                "-incoming", "defer");
        assertThat(inv.dataPipe()).contains(WORK.resolve("data"));
    }

    @Test
    void a_filled_ram_file_takes_the_regions_instead_of_loader_files() {
        Path ram = Path.of("/dev/shm/f/ram");
        GuestImage x86 = TestGuests.x86(TestGuests.X86_LOOP, "x");
        QemuCommandLine.Invocation inv = QemuCommandLine.build(x86, Path.of("q"), WORK, Accelerator.TCG,
                new QemuCommandLine.Ram.Filled(ram));
        assertThat(inv.args()).contains("memory-backend-file,id=ram0,size=128M,mem-path=/dev/shm/f/ram,share=on")
                .noneMatch(a -> a.startsWith("loader"));
        assertThat(inv.files()).containsOnlyKeys(WORK.resolve(QemuCommandLine.RESET_ROM));
        List<MemoryRegion> initialised = x86.regions().stream().filter(r -> r.data().length > 0).toList();
        assertThat(inv.ramWrites()).hasSize(initialised.size() + 1); // and the entry slot, last
        assertThat(inv.ramWrites()).last().satisfies(w -> assertThat(w.offset()).isEqualTo(X86ResetRom.ENTRY_SLOT));
        for (int i = 0; i < initialised.size(); i++) { // microvm's RAM starts at 0: offset = address
            assertThat(inv.ramWrites().get(i).offset()).isEqualTo(initialised.get(i).address());
            assertThat(inv.ramWrites().get(i).data()).isSameAs(initialised.get(i).data());
        }

        GuestImage arm = TestGuests.arm64(TestGuests.ARM_LOOP, "x");
        QemuCommandLine.Invocation armInv = QemuCommandLine.build(arm, Path.of("q"), WORK, Accelerator.TCG,
                new QemuCommandLine.Ram.Filled(ram));
        long stub = QemuCommandLine.ARM64_TRAMPOLINE;
        // the trampoline goes into RAM too; only the loader that points CPU 0 at it stays
        assertThat(armInv.args()).filteredOn(a -> a.startsWith("loader"))
                .containsExactly(String.format("loader,addr=0x%x,cpu-num=0", stub));
        assertThat(armInv.files()).isEmpty();
        assertThat(armInv.ramWrites()).last().satisfies(w -> assertThat(w.offset()).isEqualTo(stub - Arm64Layout.RAM_BASE));
        assertThat(armInv.ramWrites().get(0).offset())
                .isEqualTo(arm.regions().stream().filter(r -> r.data().length > 0).findFirst().orElseThrow().address() - Arm64Layout.RAM_BASE);
    }

    @Test
    void ram_file_offsets_follow_the_machine_split_of_ram() {
        long ram = 4096L << 20; // microvm: 3 GiB low, the rest from 4 GiB
        assertThat(QemuCommandLine.ramFileOffset(Arch.X86_64, ram, 0x1000, 16)).isEqualTo(0x1000);
        assertThat(QemuCommandLine.ramFileOffset(Arch.X86_64, ram, 0x1_0000_0000L, 16)).isEqualTo(0xC000_0000L);
        assertThatThrownBy(() -> QemuCommandLine.ramFileOffset(Arch.X86_64, ram, 0xBFFF_FFF0L, 32))
                .isInstanceOf(QemuException.class).hasMessageContaining("is not inside the guest's RAM");
        assertThat(QemuCommandLine.ramFileOffset(Arch.AARCH64, 512L << 20, 0x4010_0000L, 16)).isEqualTo(0x10_0000);
    }

    @Test
    void a_clone_maps_the_ram_file_private_waits_for_incoming_state_and_loads_no_regions() {
        Path ram = Path.of("/dev/shm/s/ram");
        List<String> x86 = QemuCommandLine.restore(new QemuCommandLine.RestoredMachine(Arch.X86_64, 2, 3584L << 20,
                Accelerator.TCG, ram, Path.of("/dev/shm/s/reset-rom.bin"), Optional.empty()), Path.of("q"), WORK).args();
        assertThat(x86).containsSubsequence("q", "-M", "-m", "3584",
                "-object", "memory-backend-file,id=ram0,size=3584M,mem-path=/dev/shm/s/ram,share=off",
                "-machine", "memory-backend=ram0", "-smp", "2", "-S",
                "-bios", "/dev/shm/s/reset-rom.bin", "-device", "isa-debug-exit,iobase=0x604,iosize=2",
                "-incoming", "defer");
        List<String> arm = QemuCommandLine.restore(new QemuCommandLine.RestoredMachine(Arch.AARCH64, 1, 512L << 20,
                Accelerator.TCG, ram, null, Optional.empty()), Path.of("q"), WORK).args();
        assertThat(arm).containsSubsequence("-M", "virt,gic-version=3,acpi=off", "-cpu", "cortex-a57", "-m", "512",
                "-object", "memory-backend-file,id=ram0,size=512M,mem-path=/dev/shm/s/ram,share=off", "-incoming", "defer");
        assertThat(x86).noneMatch(a -> a.startsWith("loader"));
        assertThat(arm).noneMatch(a -> a.startsWith("loader")).doesNotContain("-bios");
    }

    @Test
    void rejects_a_ram_file_with_a_comma() {
        assertThatThrownBy(() -> QemuCommandLine.build(TestGuests.x86(TestGuests.X86_LOOP, ""), Path.of("q"), WORK,
                Accelerator.TCG, new QemuCommandLine.Ram.SharedFile(Path.of("/dev/shm/a,b/ram"))))
                .isInstanceOf(QemuException.class).hasMessageContaining("contains a comma");
    }

    @Test
    void rejects_a_work_directory_with_a_comma() {
        assertThatThrownBy(() -> QemuCommandLine.build(TestGuests.x86(TestGuests.X86_LOOP, ""), Path.of("q"), Path.of("/tmp/a,b"), Accelerator.TCG))
                .hasMessageContaining("contains a comma");
    }

    @Test
    void takes_a_work_directory_deeper_than_a_unix_socket_path_could_be() {
        // no socket any more (sun_path holds 107 bytes): the serial port, QMP and the data port are FIFOs
        Path deep = Path.of("/tmp/" + "d".repeat(300));
        QemuCommandLine.Invocation inv = QemuCommandLine.build(TestGuests.x86(TestGuests.X86_LOOP, ""), Path.of("q"), deep,
                Accelerator.TCG);
        assertThat(inv.args()).contains("pipe,id=qmp0,path=" + deep.resolve("qmp"));
    }

    @Test
    void rejects_a_boot_state_of_the_other_architecture() {
        // the image cannot even be built, so no executor ever sees one
        assertThatThrownBy(() -> GuestImage.builder(Arch.X86_64).ram(0, 128 << 20).bootState(new Arm64BootState(0x100000, 0)).build())
                .isInstanceOf(VmmException.class)
                .hasMessage("guest layout error: an x86_64 guest with an aarch64 boot state");
    }

    private static GuestImage arm(MemoryRegion... regions) {
        GuestImage.Builder b = GuestImage.builder(Arch.AARCH64).ram(0x4000_0000L, 256 << 20)
                .bootState(new Arm64BootState(0x4020_0000L, 0x4800_0000L));
        for (MemoryRegion r : regions) {
            b.region(r);
        }
        return b.build();
    }
}
