package dev.linuxvm.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A host file or directory placed at an absolute guest path before the guest boots (an overlay
 * archive appended to the initramfs); a directory is copied recursively. Repeatable, on the test
 * class, on a test method (for its own guest, added to the class's), or in {@link LinuxVm#files()}.
 *
 * <p>A host file that does not exist, a guest path that is not absolute, or two entries placing
 * the same guest path fail the test with an
 * {@link org.junit.jupiter.api.extension.ExtensionConfigurationException} naming the entry, before
 * any guest boots.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(GuestFiles.class)
public @interface GuestFile {
    /** Host path; a relative one is resolved against the test's working directory (the module). */
    String host();

    /** Absolute guest path. */
    String guest();

    /**
     * Permission bits of the guest file (of every regular file, for a directory), e.g. {@code 0755};
     * the default, -1, takes 0755 for a host file its owner may execute, else 0644.
     */
    int mode() default -1;
}
