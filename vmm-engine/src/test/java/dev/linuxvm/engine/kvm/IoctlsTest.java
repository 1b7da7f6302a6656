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
