package dev.linuxvm.engine.kvm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class KvmPmuParameterTest {
    @Test
    void reads_kvm_enable_pmu(@TempDir Path sys) throws Exception {
        Path param = Files.createDirectories(sys.resolve("kvm/parameters")).resolve("enable_pmu");
        Files.writeString(param, "N\n");
        assertThat(KvmX86Machine.kvmPmuEnabled(sys)).isFalse();
        Files.writeString(param, "Y\n");
        assertThat(KvmX86Machine.kvmPmuEnabled(sys)).isTrue();
    }

    @Test
    void a_kvm_without_the_parameter_is_assumed_to_virtualize_the_pmu(@TempDir Path sys) {
        assertThat(KvmX86Machine.kvmPmuEnabled(sys)).isTrue();
    }
}
