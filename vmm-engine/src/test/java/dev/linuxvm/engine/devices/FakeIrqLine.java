package dev.linuxvm.engine.devices;

import java.util.ArrayList;
import java.util.List;

/** Records every level a device drives onto its interrupt line. */
final class FakeIrqLine implements IrqLine {
    final List<Boolean> transitions = new ArrayList<>();
    boolean level;

    @Override
    public void set(boolean level) {
        this.level = level;
        transitions.add(level);
    }
}
