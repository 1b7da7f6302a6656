package dev.linuxvm.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A host directory of kernel modules placed under {@code /lib/modules/<release>/} before boot, so
 * {@code insmod /lib/modules/<release>/x.ko} and {@code modprobe x} work in the guest (a
 * {@code modules.dep} is generated when the directory has none). On the class or a test method.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface GuestModules {
    /** Host directory; a relative one is resolved against the test's working directory. */
    String host();

    /**
     * The guest kernel's {@code uname -r}; empty (the default): the provisioned test kernel's, or
     * for {@link LinuxVm#kernel()} the release in the kernel file's {@code Linux version} banner.
     */
    String release() default "";
}
