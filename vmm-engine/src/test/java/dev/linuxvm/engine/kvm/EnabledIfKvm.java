package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.backend.Backend.Availability;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the test only where {@code /dev/kvm} opens and speaks API 12 (PVM included: hand-made
 * guests run there); otherwise it is skipped with {@link KvmBackend#probe()}'s reason.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(EnabledIfKvm.Condition.class)
@interface EnabledIfKvm {
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Availability a = new KvmBackend().probe();
            return a.available()
                    ? ConditionEvaluationResult.enabled(a.reason())
                    : ConditionEvaluationResult.disabled("KVM smoke test skipped: " + a.reason());
        }
    }
}
