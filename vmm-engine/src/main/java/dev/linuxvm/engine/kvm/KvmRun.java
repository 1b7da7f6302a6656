package dev.linuxvm.engine.kvm;

import java.nio.ByteBuffer;

/**
 * {@code struct kvm_run} (include/uapi/linux/kvm.h), the page each vCPU shares with KVM
 * through mmap of the vCPU fd. Only the header and the exit unions the backend reads are
 * described; offsets are pinned by tests against the header.
 */
public final class KvmRun {
    /** The fixed part of struct kvm_run (the mmap is KVM_GET_VCPU_MMAP_SIZE, larger). */
    public static final int SIZE = 2352;

    // Header.
    public static final int request_interrupt_window = 0;
    public static final int immediate_exit = 1;
    public static final int exit_reason = 8;
    public static final int ready_for_interrupt_injection = 12;
    public static final int if_flag = 13;
    public static final int flags = 14;
    public static final int cr8 = 16;
    public static final int apic_base = 24;
    /** Start of the exit-reason union. */
    public static final int EXIT_UNION = 32;

    // KVM_EXIT_UNKNOWN: hw.
    public static final int hw_hardware_exit_reason = EXIT_UNION;
    // KVM_EXIT_FAIL_ENTRY: fail_entry.
    public static final int fail_entry_hardware_entry_failure_reason = EXIT_UNION;
    public static final int fail_entry_cpu = EXIT_UNION + 8;
    // KVM_EXIT_IO: io.
    public static final int io_direction = EXIT_UNION;
    public static final int io_size = EXIT_UNION + 1;
    public static final int io_port = EXIT_UNION + 2;
    public static final int io_count = EXIT_UNION + 4;
    public static final int io_data_offset = EXIT_UNION + 8;
    // KVM_EXIT_MMIO: mmio.
    public static final int mmio_phys_addr = EXIT_UNION;
    public static final int mmio_data = EXIT_UNION + 8;
    public static final int mmio_len = EXIT_UNION + 16;
    public static final int mmio_is_write = EXIT_UNION + 20;
    // KVM_EXIT_INTERNAL_ERROR: internal.
    public static final int internal_suberror = EXIT_UNION;
    public static final int internal_ndata = EXIT_UNION + 4;
    public static final int internal_data = EXIT_UNION + 8;
    /** internal.data has 16 u64 entries. */
    public static final int INTERNAL_DATA_MAX = 16;
    // KVM_EXIT_X86_RDMSR / KVM_EXIT_X86_WRMSR: msr (error is ours to set, data too on a read).
    public static final int msr_error = EXIT_UNION;
    public static final int msr_reason = EXIT_UNION + 8;
    public static final int msr_index = EXIT_UNION + 12;
    public static final int msr_data = EXIT_UNION + 16;
    // KVM_EXIT_SYSTEM_EVENT: system_event.
    public static final int system_event_type = EXIT_UNION;
    public static final int system_event_ndata = EXIT_UNION + 4;

    // Exit reasons.
    public static final int KVM_EXIT_UNKNOWN = 0;
    public static final int KVM_EXIT_EXCEPTION = 1;
    public static final int KVM_EXIT_IO = 2;
    public static final int KVM_EXIT_HLT = 5;
    public static final int KVM_EXIT_MMIO = 6;
    public static final int KVM_EXIT_SHUTDOWN = 8;
    public static final int KVM_EXIT_FAIL_ENTRY = 9;
    public static final int KVM_EXIT_INTR = 10;
    public static final int KVM_EXIT_INTERNAL_ERROR = 17;
    public static final int KVM_EXIT_SYSTEM_EVENT = 24;
    public static final int KVM_EXIT_X86_RDMSR = 29;
    public static final int KVM_EXIT_X86_WRMSR = 30;

    /** io.direction values. */
    public static final int KVM_EXIT_IO_IN = 0, KVM_EXIT_IO_OUT = 1;
    /** internal.suberror: the instruction emulator failed. */
    public static final int KVM_INTERNAL_ERROR_EMULATION = 1;
    /** system_event.type values. */
    public static final int KVM_SYSTEM_EVENT_SHUTDOWN = 1, KVM_SYSTEM_EVENT_RESET = 2, KVM_SYSTEM_EVENT_CRASH = 3;

    private KvmRun() {
    }

    /** Decodes the exit in {@code run} (a native-order view of the vCPU's kvm_run mapping). */
    public static VcpuExit decode(ByteBuffer run) {
        int reason = run.getInt(exit_reason);
        switch (reason) {
            case KVM_EXIT_IO:
                return new VcpuExit.Io(run.get(io_direction) == KVM_EXIT_IO_OUT, run.get(io_size) & 0xFF,
                        run.getShort(io_port) & 0xFFFF, run.getInt(io_count), run.getLong(io_data_offset));
            case KVM_EXIT_MMIO:
                return new VcpuExit.Mmio(run.getLong(mmio_phys_addr), run.getInt(mmio_len), run.get(mmio_is_write) != 0);
            case KVM_EXIT_HLT:
                return new VcpuExit.Hlt();
            case KVM_EXIT_SHUTDOWN:
                return new VcpuExit.Shutdown();
            case KVM_EXIT_FAIL_ENTRY:
                return new VcpuExit.FailEntry(run.getLong(fail_entry_hardware_entry_failure_reason),
                        run.getInt(fail_entry_cpu));
            case KVM_EXIT_INTERNAL_ERROR: {
                int n = Math.min(Math.max(run.getInt(internal_ndata), 0), INTERNAL_DATA_MAX);
                long[] data = new long[n];
                for (int i = 0; i < n; i++) {
                    data[i] = run.getLong(internal_data + 8 * i);
                }
                return new VcpuExit.InternalError(run.getInt(internal_suberror), data);
            }
            case KVM_EXIT_SYSTEM_EVENT:
                return new VcpuExit.SystemEvent(run.getInt(system_event_type));
            case KVM_EXIT_INTR:
                return new VcpuExit.Interrupted();
            case KVM_EXIT_X86_RDMSR:
            case KVM_EXIT_X86_WRMSR:
                return new VcpuExit.Msr(reason == KVM_EXIT_X86_WRMSR, run.getInt(msr_index), run.getLong(msr_data),
                        run.getInt(msr_reason));
            default:
                return new VcpuExit.Other(reason, run.getLong(hw_hardware_exit_reason));
        }
    }
}
