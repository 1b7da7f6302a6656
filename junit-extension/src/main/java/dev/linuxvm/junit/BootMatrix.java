package dev.linuxvm.junit;

import dev.linuxvm.engine.launch.BootMode;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated method once per (arch, mode) pair, each with a fresh guest. Display names
 * read {@code [aarch64, acpi]}. Other settings come from {@link LinuxVm} on the method or class.
 * Pairs that cannot exist (device tree on x86_64) are a configuration error, not a skip.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ExtendWith(LinuxVmExtension.class)
public @interface BootMatrix {
    BootMode[] modes() default {BootMode.ACPI};

    /** Architectures; empty means the one {@link LinuxVm#arch()} names (host by default). */
    GuestArch[] arches() default {};
}
