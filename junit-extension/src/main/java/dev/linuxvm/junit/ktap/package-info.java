/**
 * KTAP (Documentation/dev-tools/ktap.rst) and kselftest's TAP 13/14, read from a guest's console
 * and run as JUnit 5 dynamic tests: one {@code DynamicContainer} per suite, one {@code DynamicTest}
 * per test case, named by the KTAP descriptions.
 *
 * <pre>{@code
 * @LinuxVm
 * class KvmLabTest {
 *     @TestFactory
 *     Stream<DynamicNode> kvmUnitChecks(SerialConsole console) {
 *         console.within(ofMinutes(5)).expect("linuxvm: lab done");
 *         List<KtapDocument> perArch = KtapParser.create().parseAll(console.transcript());  // "L2|" lines ignored
 *         assertThat(perArch).hasSize(2);
 *         return Stream.of(
 *                 dynamicContainer("x86_64", KtapDynamicTests.from(perArch.get(0))),
 *                 dynamicContainer("aarch64", KtapDynamicTests.from(perArch.get(1))));
 *     }
 * }
 *
 * @LinuxVm(provisioned = ProvisionedKernel.KUNIT)
 * class KunitSuitesTest {
 *     @TestFactory
 *     Stream<DynamicNode> kunitSuites(SerialConsole console) {
 *         return KtapDynamicTests.from(console.bootKtap());   // the suites the kernel ran while booting
 *     }
 * }
 * }</pre>
 *
 * <p>{@code ok} passes; {@code not ok} (and {@code # TIMEOUT}, {@code # ERROR}) fails with the
 * result line and the diagnostic lines printed before it; {@code # SKIP}, {@code # TODO} and
 * {@code # XFAIL} are skipped with the directive and its reason.
 *
 * <p>Output that stops in the middle is a failure, never silence: each result the plan
 * {@code 1..N} announced but the output never printed is a failing {@link
 * dev.linuxvm.junit.ktap.KtapStatus#MISSING} test (the first one quotes the lines printed after
 * the last result, typically the crash), and the document's {@link
 * dev.linuxvm.junit.ktap.KtapProblem problems} (missing results, more results than planned,
 * {@code Bail out!}, numbers out of order, no KTAP at all) add one failing test,
 * {@value dev.linuxvm.junit.ktap.KtapDynamicTests#PROBLEMS_TEST_NAME}, listing them.
 *
 * <p>The tree agrees with Linux's own {@code tools/testing/kunit/kunit.py parse} on names and
 * results (checked by {@code KunitPyCrossCheckTest}), except where kunit.py ignores something:
 * results beyond the plan, {@code TODO}/{@code XFAIL}, lower-case {@code # skip}, and documents
 * after the first. The parsing half is plain Java; only {@link
 * dev.linuxvm.junit.ktap.KtapDynamicTests} needs JUnit.
 */
package dev.linuxvm.junit.ktap;
