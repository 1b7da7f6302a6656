package dev.linuxvm.engine.backend;

/** How a guest ended. */
public sealed interface VmExit {
    /** A one-line human description ("powered off", "crashed: triple fault at RIP 0x…"). */
    String describe();

    /** The guest asked for power off (ACPI S5, PSCI SYSTEM_OFF). */
    record PoweredOff() implements VmExit {
        public String describe() {
            return "powered off";
        }
    }

    /** The guest asked for a reset (0xCF9, i8042 0xFE, PSCI SYSTEM_RESET). */
    record Reset() implements VmExit {
        public String describe() {
            return "reset";
        }
    }

    /** The guest or its executor failed: triple fault, emulation failure, executor died. */
    record Crashed(String reason) implements VmExit {
        public String describe() {
            return "crashed: " + reason;
        }
    }

    /** The host stopped the guest (close(), a timeout, the test ended). */
    record Stopped(String reason) implements VmExit {
        public String describe() {
            return "stopped: " + reason;
        }
    }
}
