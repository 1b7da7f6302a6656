/**
 * JUnit 5 support for direct-booted Linux guests.
 *
 * <pre>{@code
 * @LinuxVm(arch = GuestArch.AARCH64)   // BootMode, BackendChoice: dev.linuxvm.engine.launch
 * class BootTest {
 *     @Test
 *     void reachesShell(SerialConsole console, LinuxVmHandle vm) {
 *         console.expect("linuxvm: userspace ready");
 *         assertThat(console.exec("uname -m")).succeeded().outputContains("aarch64");
 *         console.sendLine("poweroff -f");
 *         assertThat(vm.awaitExit(ofSeconds(10)).describe()).isEqualTo("powered off");
 *     }
 *
 *     @BootMatrix(modes = {BootMode.ACPI, BootMode.DEVICE_TREE})   // "[aarch64, acpi]", "[aarch64, device-tree]"
 *     void firmware(SerialConsole console, BootMode mode) { ... }
 * }
 * }</pre>
 *
 * <p>The guest is started by a {@link dev.linuxvm.junit.GuestLauncher} (found through
 * {@code -Dlinuxvm.launcher} or {@link java.util.ServiceLoader}). A guest this host cannot run
 * (no launcher, no executor) fails the test with the fix in the message; it is skipped instead
 * only with {@code @LinuxVm(skipWhenUnavailable = true)} or {@code -Dlinuxvm.skipWhenUnavailable=true}. Each guest writes {@code target/linuxvm/<class>/<method>[<arch>,<mode>]/}
 * with {@code console.log}, the generated ACPI tables / DTB and {@code summary.properties}.
 * The snippet mirrors {@code LinuxVmExtensionTest.BootSample}, which runs in this module's tests.
 */
package dev.linuxvm.junit;

import dev.linuxvm.engine.launch.BootMode;
