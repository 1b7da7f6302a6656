package dev.linuxvm.engine.kvm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request numbers against the values the kernel's own macros produce (checked by compiling
 * include/uapi/linux/kvm.h from linux-libc-dev 6.1 and printing them; arm64-only requests by
 * the same arithmetic on arch/arm64/include/uapi/asm/kvm.h's structure sizes).
 */
class IoctlsTest {
    @Test
    void system_ioctls() {
        assertThat(Ioctls.KVM_GET_API_VERSION).isEqualTo(0xAE00L);
        assertThat(Ioctls.KVM_CREATE_VM).isEqualTo(0xAE01L);
        assertThat(Ioctls.KVM_CHECK_EXTENSION).isEqualTo(0xAE03L);
        assertThat(Ioctls.KVM_GET_VCPU_MMAP_SIZE).isEqualTo(0xAE04L);
        assertThat(Ioctls.KVM_GET_SUPPORTED_CPUID).isEqualTo(0xC008AE05L);
    }

    @Test
    void vm_ioctls() {
        assertThat(Ioctls.KVM_CREATE_VCPU).isEqualTo(0xAE41L);
        assertThat(Ioctls.KVM_SET_USER_MEMORY_REGION).isEqualTo(0x4020AE46L);
        assertThat(Ioctls.KVM_SET_TSS_ADDR).isEqualTo(0xAE47L);
        assertThat(Ioctls.KVM_SET_IDENTITY_MAP_ADDR).isEqualTo(0x4008AE48L);
        assertThat(Ioctls.KVM_CREATE_IRQCHIP).isEqualTo(0xAE60L);
        assertThat(Ioctls.KVM_IRQ_LINE).isEqualTo(0x4008AE61L);
        assertThat(Ioctls.KVM_CREATE_PIT2).isEqualTo(0x4040AE77L);
        assertThat(Ioctls.KVM_SET_GSI_ROUTING).isEqualTo(0x4008AE6AL);
        assertThat(Ioctls.KVM_CREATE_DEVICE).isEqualTo(0xC00CAEE0L);
        // Values printed by a C program built against linux/kvm.h (6.1 uapi).
        assertThat(Ioctls.KVM_X86_SET_MSR_FILTER).isEqualTo(0x4188AEC6L);
        assertThat(Ioctls.KVM_ENABLE_CAP).isEqualTo(0x4068AEA3L);
        assertThat(Ioctls.KVM_ARM_PREFERRED_TARGET).isEqualTo(0x8020AEAFL);
    }

    @Test
    void vcpu_ioctls() {
        assertThat(Ioctls.KVM_RUN).isEqualTo(0xAE80L);
        assertThat(Ioctls.KVM_GET_REGS).isEqualTo(0x8090AE81L);
        assertThat(Ioctls.KVM_SET_REGS).isEqualTo(0x4090AE82L);
        assertThat(Ioctls.KVM_GET_SREGS).isEqualTo(0x8138AE83L);
        assertThat(Ioctls.KVM_SET_SREGS).isEqualTo(0x4138AE84L);
        assertThat(Ioctls.KVM_TRANSLATE).isEqualTo(0xC018AE85L);
        assertThat(Ioctls.KVM_SET_MSRS).isEqualTo(0x4008AE89L);
        assertThat(Ioctls.KVM_GET_FPU).isEqualTo(0x81A0AE8CL);
        assertThat(Ioctls.KVM_SET_FPU).isEqualTo(0x41A0AE8DL);
        assertThat(Ioctls.KVM_SET_CPUID2).isEqualTo(0x4008AE90L);
        assertThat(Ioctls.KVM_GET_LAPIC).isEqualTo(0x8400AE8EL);
        assertThat(Ioctls.KVM_SET_LAPIC).isEqualTo(0x4400AE8FL);
        assertThat(Ioctls.KVM_GET_TSC_KHZ).isEqualTo(0xAEA3L);
        assertThat(Ioctls.KVM_GET_ONE_REG).isEqualTo(0x4010AEABL);
        assertThat(Ioctls.KVM_SET_ONE_REG).isEqualTo(0x4010AEACL);
        assertThat(Ioctls.KVM_ARM_VCPU_INIT).isEqualTo(0x4020AEAEL);
        assertThat(Ioctls.KVM_SET_DEVICE_ATTR).isEqualTo(0x4018AEE1L);
    }

    /**
     * The snapshot calls: values printed by a C program (printf of each macro) built with gcc
     * against linux-libc-dev 6.1.187's linux/kvm.h on x86_64. KVM_GET_REG_LIST and
     * KVM_GET_DEVICE_ATTR are generic (the same on arm64).
     */
    @Test
    void snapshot_ioctls() {
        assertThat(Ioctls.KVM_GET_MSR_INDEX_LIST).isEqualTo(0xC004AE02L);
        assertThat(Ioctls.KVM_GET_MSRS).isEqualTo(0xC008AE88L);
        assertThat(Ioctls.KVM_GET_XSAVE).isEqualTo(0x9000AEA4L);
        assertThat(Ioctls.KVM_SET_XSAVE).isEqualTo(0x5000AEA5L);
        assertThat(Ioctls.KVM_GET_XSAVE2).isEqualTo(0x9000AECFL);
        assertThat(Ioctls.KVM_GET_XCRS).isEqualTo(0x8188AEA6L);
        assertThat(Ioctls.KVM_SET_XCRS).isEqualTo(0x4188AEA7L);
        assertThat(Ioctls.KVM_GET_MP_STATE).isEqualTo(0x8004AE98L);
        assertThat(Ioctls.KVM_SET_MP_STATE).isEqualTo(0x4004AE99L);
        assertThat(Ioctls.KVM_GET_VCPU_EVENTS).isEqualTo(0x8040AE9FL);
        assertThat(Ioctls.KVM_SET_VCPU_EVENTS).isEqualTo(0x4040AEA0L);
        assertThat(Ioctls.KVM_GET_DEBUGREGS).isEqualTo(0x8080AEA1L);
        assertThat(Ioctls.KVM_SET_DEBUGREGS).isEqualTo(0x4080AEA2L);
        assertThat(Ioctls.KVM_GET_IRQCHIP).isEqualTo(0xC208AE62L);
        assertThat(Ioctls.KVM_SET_IRQCHIP).isEqualTo(0x8208AE63L);
        assertThat(Ioctls.KVM_GET_PIT2).isEqualTo(0x8070AE9FL);
        assertThat(Ioctls.KVM_SET_PIT2).isEqualTo(0x4070AEA0L);
        assertThat(Ioctls.KVM_GET_CLOCK).isEqualTo(0x8030AE7CL);
        assertThat(Ioctls.KVM_SET_CLOCK).isEqualTo(0x4030AE7BL);
        assertThat(Ioctls.KVM_GET_CPUID2).isEqualTo(0xC008AE91L);
        assertThat(Ioctls.KVM_GET_REG_LIST).isEqualTo(0xC008AEB0L);
        assertThat(Ioctls.KVM_GET_DEVICE_ATTR).isEqualTo(0x4018AEE2L);
    }

    @Test
    void snapshot_capabilities() {
        assertThat(Ioctls.KVM_CAP_MP_STATE).isEqualTo(0xE);
        assertThat(Ioctls.KVM_CAP_ADJUST_CLOCK).isEqualTo(0x27);
        assertThat(Ioctls.KVM_CAP_VCPU_EVENTS).isEqualTo(0x29);
        assertThat(Ioctls.KVM_CAP_DEBUGREGS).isEqualTo(0x32);
        assertThat(Ioctls.KVM_CAP_XSAVE).isEqualTo(0x37);
        assertThat(Ioctls.KVM_CAP_XCRS).isEqualTo(0x38);
        assertThat(Ioctls.KVM_CAP_XSAVE2).isEqualTo(0xD0);
    }

    @Test
    void requests_that_share_a_number_differ_by_size_and_have_their_own_names() {
        // KVM_GET_PIT2 and KVM_GET_VCPU_EVENTS are both 0x9F, told apart by the size field.
        assertThat(Ioctls.name(Ioctls.KVM_GET_PIT2)).isEqualTo("KVM_GET_PIT2");
        assertThat(Ioctls.name(Ioctls.KVM_GET_VCPU_EVENTS)).isEqualTo("KVM_GET_VCPU_EVENTS");
    }

    @Test
    void encoding_fields_sit_where_asm_generic_ioctl_h_puts_them() {
        long req = Ioctls._IOC(Ioctls.IOC_READ | Ioctls.IOC_WRITE, 0x12, 0x34, 0x3FFF);
        assertThat(req).isEqualTo(0xFFFF1234L);
        assertThat(Ioctls._IOR(Ioctls.KVMIO, 0, 1)).isEqualTo(0x8001AE00L);
        assertThat(Ioctls._IOW(Ioctls.KVMIO, 0, 1)).isEqualTo(0x4001AE00L);
    }

    @Test
    void names_requests_for_messages() {
        assertThat(Ioctls.name(0xAE01L)).isEqualTo("KVM_CREATE_VM");
        assertThat(Ioctls.name(0x1234L)).isEqualTo("ioctl 0x1234");
    }
}
