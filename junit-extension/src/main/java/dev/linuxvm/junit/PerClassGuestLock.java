package dev.linuxvm.junit;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLocksProvider;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Under JUnit's parallel execution, the methods of a class with a per-class guest
 * ({@link Lifecycle#PER_CLASS}) must take turns: they type into one console. {@link LinuxVm} carries
 * {@code @ResourceLock(providers = PerClassGuestLock.class)}, and this provider gives such a class
 * an exclusive lock of its own ({@value #PREFIX}{@code <class name>}). JUnit holds a class's
 * {@link ResourceAccessMode#READ_WRITE} lock while the class runs and runs its methods one after
 * another in the class's thread, in the class's method order; other classes, with keys of their
 * own, still run beside it.
 */
final class PerClassGuestLock implements ResourceLocksProvider {
    static final String PREFIX = "dev.linuxvm.guest:";

    @Override
    public Set<Lock> provideForClass(Class<?> testClass) {
        return lockFor(testClass);
    }

    @Override
    public Set<Lock> provideForNestedClass(List<Class<?>> enclosingInstanceTypes, Class<?> testClass) {
        return lockFor(testClass);
    }

    private static Set<Lock> lockFor(Class<?> testClass) {
        boolean perClass = AnnotationSupport.findAnnotation(testClass, LinuxVm.class)
                .map(a -> a.lifecycle() == Lifecycle.PER_CLASS).orElse(false);
        return perClass ? Set.of(new Lock(PREFIX + testClass.getName(), ResourceAccessMode.READ_WRITE)) : Set.of();
    }
}
