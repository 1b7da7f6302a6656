package dev.linuxvm.junit;

import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.engine.launch.BackendChoice;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.VmmException;
import dev.linuxvm.engine.backend.Backend;
import dev.linuxvm.launcher.GuestFilesOverlay;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeClassTemplateInvocationCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContext;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContextProvider;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * Registered by {@link LinuxVm} and {@link BootMatrix}. Boots one guest per test method (or per
 * class), resolves {@link SerialConsole}, {@link LinuxVmHandle}, {@link BootMode} and
 * {@link Arch} parameters and writes the report directory. A guest this host cannot run fails the
 * test with the reason and the fix, unless the user chose to skip such tests
 * ({@link LinuxVm#skipWhenUnavailable()} or {@value #SKIP_WHEN_UNAVAILABLE_PROPERTY}): the choice
 * follows the engine error's {@link VmmException.Kind}, never its message.
 *
 * <p>Configuration parameters (JUnit configuration or system properties):
 * {@value GuestLauncher#LAUNCHER_PROPERTY} (launcher class), {@value #REPORT_DIR_PROPERTY}
 * (report root, default {@code target/linuxvm}), {@value #BUFFER_PROPERTY} (console window in chars),
 * {@value #SKIP_WHEN_UNAVAILABLE_PROPERTY} ({@code true}: skip every test this host cannot run).
 * {@value #MAX_PARALLEL_GUESTS_PROPERTY} (guests running at once, default: the host's processors;
 * see {@link GuestSlots}), {@value SnapshotTemplates#PROPERTY} ({@code false}: boot every guest cold; see
 * {@link LinuxVm#snapshot()}).
 *
 * <p>When a guest has stopped, its report files are attached to the test
 * ({@link ReportAttachments}), after the {@code linuxvm.report} report entry that names the directory.
 */
public final class LinuxVmExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        ParameterResolver, TestTemplateInvocationContextProvider, ClassTemplateInvocationContextProvider,
        TestExecutionExceptionHandler {

    public static final String REPORT_DIR_PROPERTY = "linuxvm.report.dir";
    public static final String BUFFER_PROPERTY = "linuxvm.console.buffer";
    /** {@code true}: skip, rather than fail, every test whose guest this host cannot run. */
    public static final String SKIP_WHEN_UNAVAILABLE_PROPERTY = "linuxvm.skipWhenUnavailable";
    /** Guests running at once ({@link GuestSlots}). */
    public static final String MAX_PARALLEL_GUESTS_PROPERTY = GuestSlots.PROPERTY;
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LinuxVmExtension.class);
    private static final String SESSION = "session";
    /** The {@link MatrixEntry} of the class-level {@link BootMatrix} invocation a test runs in. */
    private static final String CLASS_MATRIX_ENTRY = "classMatrixEntry";
    /** The last segment of a test template invocation's unique id: {@code [test-template-invocation:#3]}. */
    private static final Pattern TEMPLATE_INVOCATION = Pattern.compile("\\[test-template-invocation:#(\\d+)]$");

    // ---- lifecycle ---------------------------------------------------------------------------

    @Override
    public void beforeAll(ExtensionContext context) {
        if (hasMatrix(context.getRequiredTestClass())) {
            return; // each class matrix invocation starts its own per-class guest
        }
        Optional<LinuxVm> onClass = classAnnotation(context);
        if (onClass.isPresent() && onClass.get().lifecycle() == Lifecycle.PER_CLASS) {
            VmSpec spec = specFrom(onClass.get(), null, null, List.of(context.getRequiredTestClass()));
            startSession(context, spec, classReportDir(context), onClass.get());
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Method method = context.getRequiredTestMethod();
        MatrixEntry classEntry = context.getStore(NS).get(CLASS_MATRIX_ENTRY, MatrixEntry.class);
        if (hasMatrix(method)) {
            if (classEntry != null) {
                throw new ExtensionConfigurationException("@BootMatrix on method " + method.getName() + " of class "
                        + context.getRequiredTestClass().getSimpleName() + ", which has a @BootMatrix itself: keep one");
            }
            return; // the matrix invocation's own extension starts the guest
        }
        Optional<LinuxVm> onMethod = AnnotationSupport.findAnnotation(method, LinuxVm.class);
        Optional<LinuxVm> onClass = classAnnotation(context);
        if (onMethod.isEmpty() && onClass.isPresent() && onClass.get().lifecycle() == Lifecycle.PER_CLASS) {
            return; // the class-level guest from beforeAll serves this method
        }
        if (onMethod.isPresent() && onMethod.get().lifecycle() == Lifecycle.PER_CLASS) {
            throw new ExtensionConfigurationException("@LinuxVm(lifecycle = PER_CLASS) on method "
                    + method.getName() + ": a per-class guest is declared on the class, not on a method");
        }
        LinuxVm config = onMethod.or(() -> onClass).orElse(null);
        VmSpec spec = specFrom(config, classEntry == null ? null : classEntry.arch(), classEntry == null ? null : classEntry.mode(),
                List.of(context.getRequiredTestClass(), method));
        startSession(context, spec, methodReportDir(context, null), config);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        // The session closes with the method's store (a Running value); nothing else to do.
    }

    /** Adds the report path and console tail to failures that do not already quote them. */
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        GuestSession session = session(context);
        if (session != null && session.console() != null && !(throwable instanceof ConsoleException)
                && !(throwable instanceof TestAbortedException)) {
            throwable.addSuppressed(new GuestReport(session.reportDir(), session.console().vmState(),
                    session.console().tail(SerialConsole.TAIL_LINES)));
        }
        throw throwable;
    }

    /**
     * Steps:
     * <ol>
     *   <li>find the launcher and ask whether it can run {@code spec} here: a guest this host
     *       cannot run ({@link VmmException.Kind#HOST_ENVIRONMENT}) fails the test, or skips it
     *       when {@code config} or the run asked for that;</li>
     *   <li>claim the report directory and wait for a slot ({@link GuestSlots}); a guest nested in a
     *       running one (method-level guest in a per-class guest's class) shares its slot;</li>
     *   <li>start the guest; store it so it closes with {@code context};</li>
     *   <li>when it has closed (or failed to start), attach its report files and release the slot.</li>
     * </ol>
     */
    static void startSession(ExtensionContext context, VmSpec spec, Path reportDir, LinuxVm config) {
        boolean skip = skipWhenUnavailable(context, config);
        GuestLauncher launcher = findLauncher(context, spec, reportDir, skip);
        Backend.Availability availability = launcher.availability(spec);
        if (!availability.available()) {
            unavailable(skip, spec, reportDir, "cannot boot an " + spec.arch() + " guest (" + spec.mode().displayName()
                    + ", backend " + spec.backend() + ") on this host: " + availability.reason());
        }
        int capacity = context.getConfigurationParameter(BUFFER_PROPERTY).map(Integer::parseInt)
                .orElse(ConsoleBuffer.DEFAULT_CAPACITY);
        boolean nested = context.getParent().map(LinuxVmExtension::session).isPresent();
        GuestSlots.Slot slot = GuestSlots.of(context).acquire(reportDir, nested);
        context.publishReportEntry("linuxvm.report", reportDir.toAbsolutePath().toString());
        GuestSession session;
        try {
            session = GuestSession.start(launcher, spec, reportDir, capacity, slot, snapshots(context, config));
        } catch (RuntimeException | Error e) {
            try (slot) {
                ReportAttachments.publish(context, reportDir); // the console of a failed boot is the clue
            } catch (RuntimeException publishing) {
                e.addSuppressed(publishing);
            }
            if (skip && e instanceof GuestLaunchException && ((GuestLaunchException) e).kind() == VmmException.Kind.HOST_ENVIRONMENT) {
                throw new TestAbortedException(e.getMessage(), e);
            }
            throw e;
        }
        context.getStore(NS).put(SESSION, new Running(session, slot, context));
        context.publishReportEntry("linuxvm.snapshot", session.snapshotNote());
        if (session.dataPortNote() != null) {
            context.publishReportEntry("linuxvm.data-port", session.dataPortNote());
        }
        context.publishReportEntry("linuxvm.console", reportDir.resolve(GuestSession.LOG_FILE).toAbsolutePath().toString());
    }

    /** Snapshots unless {@link LinuxVm#snapshot()} or the run ({@value SnapshotTemplates#PROPERTY}) turned them off. */
    static GuestSession.Snapshots snapshots(ExtensionContext context, LinuxVm config) {
        if (config != null && !config.snapshot()) {
            return GuestSession.Snapshots.off("@LinuxVm(snapshot = false)");
        }
        if (!SnapshotTemplates.enabledForRun(context)) {
            return GuestSession.Snapshots.off(SnapshotTemplates.PROPERTY + "=false");
        }
        return GuestSession.Snapshots.on(SnapshotTemplates.of(context));
    }

    /** The user's choice: {@link LinuxVm#skipWhenUnavailable()} on the effective annotation, or the run's property. */
    static boolean skipWhenUnavailable(ExtensionContext context, LinuxVm config) {
        return (config != null && config.skipWhenUnavailable())
                || context.getConfigurationParameter(SKIP_WHEN_UNAVAILABLE_PROPERTY).map(Boolean::parseBoolean).orElse(false);
    }

    /** This host cannot run the guest: skip when asked to, else fail with the reason, the fix and how to skip. */
    private static void unavailable(boolean skip, VmSpec spec, Path reportDir, String reason) {
        if (skip) {
            throw new TestAbortedException(reason);
        }
        throw new GuestLaunchException(spec, reportDir, new VmmException(VmmException.Kind.HOST_ENVIRONMENT, reason));
    }

    /** The guest serving {@code context} (its own or an enclosing one), or null. */
    private static GuestSession session(ExtensionContext context) {
        Running running = context.getStore(NS).get(SESSION, Running.class);
        return running == null ? null : running.session();
    }

    /** A started guest in the store: closing it stops the guest, attaches its files and frees its slot. */
    private record Running(GuestSession session, GuestSlots.Slot slot, ExtensionContext context) implements AutoCloseable {
        @Override
        public void close() {
            try (slot) {
                try {
                    session.close();
                } catch (RuntimeException | Error e) {
                    try {
                        ReportAttachments.publish(context, session.reportDir());
                    } catch (RuntimeException publishing) {
                        e.addSuppressed(publishing);
                    }
                    throw e;
                }
                ReportAttachments.publish(context, session.reportDir());
            }
        }
    }

    // ---- launcher discovery -----------------------------------------------------------------

    static GuestLauncher findLauncher(ExtensionContext context, VmSpec spec, Path reportDir, boolean skip) {
        Optional<String> named = context.getConfigurationParameter(GuestLauncher.LAUNCHER_PROPERTY)
                .map(String::trim).filter(s -> !s.isEmpty());
        if (named.isPresent()) {
            Class<?> type;
            try {
                type = Class.forName(named.get(), true, Thread.currentThread().getContextClassLoader());
            } catch (ClassNotFoundException e) {
                throw new ExtensionConfigurationException(GuestLauncher.LAUNCHER_PROPERTY + "=" + named.get()
                        + ": no such class on the test classpath", e);
            }
            if (!GuestLauncher.class.isAssignableFrom(type)) {
                throw new ExtensionConfigurationException(GuestLauncher.LAUNCHER_PROPERTY + "=" + named.get()
                        + " does not implement " + GuestLauncher.class.getName());
            }
            return (GuestLauncher) ReflectionSupport.newInstance(type);
        }
        Iterator<GuestLauncher> found = ServiceLoader.load(GuestLauncher.class).iterator();
        if (found.hasNext()) {
            return found.next();
        }
        unavailable(skip, spec, reportDir, "no guest launcher is available: put the linuxvm engine's launcher on the"
                + " test classpath (META-INF/services/" + GuestLauncher.class.getName() + ") or set -D"
                + GuestLauncher.LAUNCHER_PROPERTY + "=<class implementing " + GuestLauncher.class.getName() + ">");
        throw new AssertionError("unreachable");
    }

    // ---- configuration ----------------------------------------------------------------------

    private static Optional<LinuxVm> classAnnotation(ExtensionContext context) {
        return context.getTestClass().flatMap(c -> AnnotationSupport.findAnnotation(c, LinuxVm.class));
    }

    /** The spec from an annotation (null: all defaults), with matrix overrides when non-null. */
    static VmSpec specFrom(LinuxVm config, Arch archOverride, BootMode modeOverride) {
        return specFrom(config, archOverride, modeOverride, List.of());
    }

    /**
     * As {@link #specFrom(LinuxVm, Arch, BootMode)}, with the guest files and modules of
     * {@code config} and the {@link GuestFile} / {@link GuestModules} annotations on {@code elements}
     * (the class, then the method), checked before any boot.
     */
    static VmSpec specFrom(LinuxVm config, Arch archOverride, BootMode modeOverride, List<AnnotatedElement> elements) {
        VmSpec plain = specFrom0(config, archOverride, modeOverride);
        List<dev.linuxvm.launcher.GuestFile> files = new ArrayList<>();
        List<dev.linuxvm.launcher.GuestModules> modules = new ArrayList<>();
        if (config != null) {
            for (GuestFile f : config.files()) {
                files.add(guestFile(f));
            }
        }
        for (AnnotatedElement e : elements) {
            for (GuestFile f : AnnotationSupport.findRepeatableAnnotations(e, GuestFile.class)) {
                dev.linuxvm.launcher.GuestFile entry = guestFile(f);
                if (!files.contains(entry)) { // @Inherited and meta-annotations can show one twice
                    files.add(entry);
                }
            }
            AnnotationSupport.findAnnotation(e, GuestModules.class).ifPresent(m -> {
                var entry = new dev.linuxvm.launcher.GuestModules(Path.of(m.host()).toAbsolutePath(),
                        m.release().isEmpty() ? Optional.empty() : Optional.of(m.release()));
                if (!modules.contains(entry)) {
                    modules.add(entry);
                }
            });
        }
        try {
            GuestFilesOverlay.check(files, modules);
        } catch (VmmException e) {
            throw new ExtensionConfigurationException(e.getMessage(), e);
        }
        return new VmSpec(plain.arch(), plain.mode(), plain.kernel(), plain.provisioned(), plain.initrd(), plain.cmdline(), plain.memoryMib(),
                plain.cpus(), plain.backend(), plain.bootTimeout(), files, modules, plain.dataPort());
    }

    private static dev.linuxvm.launcher.GuestFile guestFile(GuestFile f) {
        try {
            return new dev.linuxvm.launcher.GuestFile(Path.of(f.host()).toAbsolutePath(), f.guest(), f.mode());
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException("@GuestFile(host = \"" + f.host() + "\", guest = \"" + f.guest()
                    + "\"): " + e.getMessage(), e);
        }
    }

    private static VmSpec specFrom0(LinuxVm config, Arch archOverride, BootMode modeOverride) {
        Arch arch = archOverride != null ? archOverride : (config == null ? GuestArch.HOST : config.arch()).resolve();
        BootMode mode = modeOverride != null ? modeOverride : (config == null ? BootMode.ACPI : config.mode());
        Optional<Path> kernel = config == null || config.kernel().isEmpty() ? Optional.empty() : Optional.of(Path.of(config.kernel()));
        Optional<Path> initrd = config == null || config.initrd().isEmpty() ? Optional.empty() : Optional.of(Path.of(config.initrd()));
        String cmdline = config == null ? "" : config.cmdline(); // "": the launcher picks the default
        return new VmSpec(arch, mode, kernel, config == null ? ProvisionedKernel.DEBIAN : config.provisioned(), initrd, cmdline,
                config == null ? 512 : config.memory(),
                config == null ? 1 : config.cpus(),
                config == null ? BackendChoice.AUTO : config.backend(),
                Duration.ofSeconds(config == null ? 60 : config.bootTimeout()), List.of(), List.of(),
                config != null && config.dataPort());
    }

    static Path reportRoot(ExtensionContext context) {
        return Path.of(context.getConfigurationParameter(REPORT_DIR_PROPERTY).orElse("target/linuxvm"));
    }

    /**
     * {@code <class>/<method>}; a matrix entry appends {@code [<arch>,<mode>]}, an invocation of
     * another test template (repeated, parameterized) its index, {@code [3]}, so invocations running
     * in parallel never share a directory.
     */
    static Path methodReportDir(ExtensionContext context, VmSpec matrixEntry) {
        Matcher invocation = TEMPLATE_INVOCATION.matcher(context.getUniqueId());
        String method = context.getRequiredTestMethod().getName()
                + (matrixEntry != null ? "[" + matrixEntry.arch() + "," + matrixEntry.mode().displayName() + "]"
                : invocation.find() ? "[" + invocation.group(1) + "]" : "");
        return classReportDir(context).resolve(GuestSession.safeFileName(method));
    }

    /** {@code <class>}, or in a class-level {@link BootMatrix} invocation {@code <class>[<arch>,<mode>]}. */
    static Path classReportDir(ExtensionContext context) {
        MatrixEntry entry = context.getStore(NS).get(CLASS_MATRIX_ENTRY, MatrixEntry.class);
        return reportRoot(context).resolve(GuestSession.safeFileName(context.getRequiredTestClass().getName()
                + (entry == null ? "" : "[" + entry.arch() + "," + entry.mode().displayName() + "]")));
    }

    // ---- parameters -------------------------------------------------------------------------

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == SerialConsole.class || type == LinuxVmHandle.class || type == BootMode.class || type == Arch.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
        GuestSession session = session(context);
        if (session == null) {
            throw new ParameterResolutionException("no linuxvm guest for " + context.getDisplayName()
                    + ": annotate the test class or method with @LinuxVm (guests are started for test methods and"
                    + " @BootMatrix invocations, not for constructors or @BeforeAll methods of per-method guests)");
        }
        Class<?> type = parameterContext.getParameter().getType();
        if (type == SerialConsole.class) {
            return session.console();
        } else if (type == LinuxVmHandle.class) {
            return session.handle();
        } else if (type == BootMode.class) {
            return session.spec().mode();
        }
        return session.spec().arch();
    }

    // ---- the matrix -------------------------------------------------------------------------

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> hasMatrix(m)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        Method method = context.getRequiredTestMethod();
        List<BootMatrix> matrix = AnnotationSupport.findRepeatableAnnotations(method, BootMatrix.class);
        LinuxVm config = AnnotationSupport.findAnnotation(method, LinuxVm.class).or(() -> classAnnotation(context)).orElse(null);
        List<AnnotatedElement> elements = List.of(context.getRequiredTestClass(), method);
        return entries(matrix, config, method.getName(), elements).stream()
                .map(e -> new MatrixInvocation(specFrom(config, e.arch(), e.mode(), elements), config));
    }

    @Override
    public boolean supportsClassTemplate(ExtensionContext context) {
        return context.getTestClass().map(c -> hasMatrix(c)).orElse(false);
    }

    @Override
    public Stream<ClassTemplateInvocationContext> provideClassTemplateInvocationContexts(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        List<BootMatrix> matrix = AnnotationSupport.findRepeatableAnnotations(testClass, BootMatrix.class);
        LinuxVm config = classAnnotation(context).orElse(null);
        return entries(matrix, config, testClass.getSimpleName(), List.of(testClass)).stream()
                .map(e -> new ClassMatrixInvocation(e, config));
    }

    /** Whether {@code element} carries one or more {@link BootMatrix} annotations. */
    private static boolean hasMatrix(AnnotatedElement element) {
        return !AnnotationSupport.findRepeatableAnnotations(element, BootMatrix.class).isEmpty();
    }

    /**
     * The (arch, mode) pairs of the {@code matrices}, in order, each once; each is checked as a
     * spec of {@code config} on {@code elements} now, so an impossible pair (device tree on
     * x86_64) fails before any guest boots.
     */
    private static List<MatrixEntry> entries(List<BootMatrix> matrices, LinuxVm config, String on, List<AnnotatedElement> elements) {
        Set<MatrixEntry> entries = new LinkedHashSet<>();
        for (BootMatrix matrix : matrices) {
            if (matrix.modes().length == 0) {
                throw new ExtensionConfigurationException("@BootMatrix on " + on + " lists no modes: name at least one");
            }
            Set<Arch> arches = new LinkedHashSet<>();
            if (matrix.arches().length == 0) {
                arches.add((config == null ? GuestArch.HOST : config.arch()).resolve());
            } else {
                for (GuestArch a : matrix.arches()) {
                    arches.add(a.resolve());
                }
            }
            for (Arch arch : arches) {
                for (BootMode mode : matrix.modes()) {
                    specFrom(config, arch, mode, elements); // DEVICE_TREE on x86_64 throws here
                    entries.add(new MatrixEntry(arch, mode));
                }
            }
        }
        return List.copyOf(entries);
    }

    /** One (arch, mode) pair of a {@link BootMatrix}. */
    private record MatrixEntry(Arch arch, BootMode mode) {
        String displayName() {
            return "[" + arch + ", " + mode.displayName() + "]";
        }
    }

    /**
     * One (arch, mode) entry of a class-level {@link BootMatrix}: records the entry for the
     * class's tests ({@link #beforeEach} boots with it) and starts the entry's per-class guest.
     */
    private static final class ClassMatrixInvocation implements ClassTemplateInvocationContext {
        private final MatrixEntry entry;
        private final LinuxVm config;

        ClassMatrixInvocation(MatrixEntry entry, LinuxVm config) {
            this.entry = entry;
            this.config = config;
        }

        @Override
        public String getDisplayName(int invocationIndex) {
            return entry.displayName();
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of((BeforeClassTemplateInvocationCallback) context -> {
                context.getStore(NS).put(CLASS_MATRIX_ENTRY, entry);
                if (config != null && config.lifecycle() == Lifecycle.PER_CLASS) {
                    VmSpec spec = specFrom(config, entry.arch(), entry.mode(), List.of(context.getRequiredTestClass()));
                    startSession(context, spec, classReportDir(context), config);
                }
            });
        }
    }

    /** One (arch, mode) entry of a {@link BootMatrix}. */
    private static final class MatrixInvocation implements TestTemplateInvocationContext {
        private final VmSpec spec;
        private final LinuxVm config;

        MatrixInvocation(VmSpec spec, LinuxVm config) {
            this.spec = spec;
            this.config = config;
        }

        @Override
        public String getDisplayName(int invocationIndex) {
            return spec.matrixName();
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of((BeforeEachCallback) context -> startSession(context, spec, methodReportDir(context, spec), config));
        }
    }
}
