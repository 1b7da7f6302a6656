package dev.linuxvm.junit;

import dev.linuxvm.engine.launch.BootMode;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated method, or every test of the annotated class, once per (arch, mode) pair,
 * each with a fresh guest. Display names read {@code [aarch64, acpi]}. Other settings come from
 * {@link LinuxVm} on the method or class. Pairs that cannot exist (device tree on x86_64) are a
 * configuration error, not a skip.
 *
 * <p>On a method, the method is a JUnit test template: one invocation per pair. On a class, the
 * class is a JUnit class template: its tests run once per pair, as they would without the matrix
 * (one guest per method, or one per pair with {@link Lifecycle#PER_CLASS}), so a
 * {@code @TestFactory}'s dynamic tests and containers appear under each pair. A method of such a
 * class cannot carry a matrix of its own.
 *
 * <p>Repeat the annotation to run more than one product: every pair of every annotation runs,
 * each once, in order. x86_64 in ACPI mode and aarch64 in both modes:
 * <pre>{@code
 * @BootMatrix(arches = GuestArch.X86_64)
 * @BootMatrix(arches = GuestArch.AARCH64, modes = {BootMode.ACPI, BootMode.DEVICE_TREE})
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ClassTemplate
@ExtendWith(LinuxVmExtension.class)
@Repeatable(BootMatrix.List.class)
public @interface BootMatrix {
    BootMode[] modes() default {BootMode.ACPI};

    /** Architectures; empty means the one {@link LinuxVm#arch()} names (host by default). */
    GuestArch[] arches() default {};

    /** The container of repeated {@link BootMatrix} annotations; a template like the annotation itself. */
    @Target({ElementType.TYPE, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    @Documented
    @TestTemplate
    @ClassTemplate
    @ExtendWith(LinuxVmExtension.class)
    @interface List {
        BootMatrix[] value();
    }
}
