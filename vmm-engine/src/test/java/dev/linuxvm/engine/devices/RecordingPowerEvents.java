package dev.linuxvm.engine.devices;

import java.util.ArrayList;
import java.util.List;

final class RecordingPowerEvents implements PowerEvents {
    final List<String> powerOffs = new ArrayList<>();
    final List<String> resets = new ArrayList<>();

    @Override
    public void powerOff(String how) {
        powerOffs.add(how);
    }

    @Override
    public void reset(String how) {
        resets.add(how);
    }
}
