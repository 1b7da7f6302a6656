package dev.linuxvm.junit;

/** How long one guest lives. */
public enum Lifecycle {
    /** A fresh guest for every test method (and every matrix invocation). The default. */
    PER_METHOD,
    /** One guest shared by all test methods of the class; tests see each other's console output. */
    PER_CLASS
}
